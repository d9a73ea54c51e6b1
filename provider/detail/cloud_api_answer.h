// Reading what came back for one send: the platform's answer, or the transport error when none
// came. Pure functions (no curl, no sockets), so every rule is tested on its own
// (tests/provider/cloud_api_answer_test.cc). Internal to provider/.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "provider/provider.h"

namespace herald::provider::detail {

struct HttpAnswer {
  int status = 0;
  std::string_view body;
  std::string_view retry_after;  // the Retry-After header's value, empty when absent
};

// The outcome of a complete HTTP answer (reference/whatsapp.md, "Send API"):
// - 2xx with messages[0].id: kAccepted, with messages[0].message_status when given;
// - 2xx without a readable message id: kUncertain (the platform may have taken it);
// - any other status: kRejected, with the {"error":{…}} object when the body has one (a 5xx
//   without one is still kRejected with its http_status; the runner retries those).
// `now` turns a Retry-After date into a delay. latency is left to the caller.
SendResult ReadCloudApiAnswer(const HttpAnswer& answer, SysTime now);

// The {"error":{…}} object of a body, when it has one with a numeric code.
std::optional<PlatformError> ParsePlatformError(std::string_view body);

// Retry-After: delay-seconds or an HTTP date (RFC 9110 10.2.3); nullopt when unreadable. A date
// in the past is a delay of zero.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, SysTime now);

// The outcome when no complete answer came (a transport error, a timeout, Stop). The platform has
// no idempotency key, so only a request that libcurl never started to send (no connection was
// made, the TLS handshake failed, it timed out before) is kNotSent; once it may have started
// (libcurl called CURLOPT_PREREQFUNCTION), it is kUncertain.
Outcome TransportOutcome(bool request_started);

}  // namespace herald::provider::detail
