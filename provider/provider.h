// provider/provider.h: the one interface between Herald and a messaging platform (PRODUCT.md,
// "The path of one message", step 4). Two implementations, chosen by `[provider] kind`:
//   - cloud_api: the WhatsApp Cloud API over HTTPS, libcurl multi driven by the daemon's
//     io_context (provider/cloud_api.h);
//   - sandbox: no network; behaves like the platform (accepts, delivers, reads, replies, fails,
//     throttles), seeded so a run can be repeated (provider/sandbox.h).
//
// A provider only transports: it never decides whether or when to send (the gate and the pacer
// did), never retries (the campaign runner is the one retry owner) and never classifies errors
// beyond reporting what came back (campaign/send_errors.h classifies by the platform's code).
//
// The platform has no idempotency key: once a request may have left, its outcome is either an
// answer or kUncertain, never "not sent". kNotSent is only for requests that provably never
// reached the platform (no connection was made, or the request was never started), which are
// safe to send again.
//
// Thread rules: Send and Stop are called on the provider's executor (the io_context it was built
// with); `done` runs exactly once, on that executor, never inside Send (it is posted). in_flight()
// may be read from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"

namespace herald::provider {

// A text parameter of a template component. `name` is empty for positional placeholders
// ({{1}}, {{2}}: given in order) and the placeholder's name for named ones ({{first_name}}).
struct TextParameter {
  std::string name;
  std::string text;
};

struct TemplateContent {
  std::string name;
  std::string language;  // the platform's code: "de", "pt_BR"
  std::vector<TextParameter> header;
  std::vector<TextParameter> body;
};

struct TextContent {
  std::string body;
  bool preview_url = false;
};

// One message as the platform's send API takes it.
struct Message {
  DeliveryId delivery;
  std::string phone_number_id;  // the sender, as the platform names it (the URL's path segment)
  std::string to;               // E.164 digits without '+'
  std::variant<TemplateContent, TextContent> content;
  // Echoed in status webhooks (biz_opaque_callback_data) so that a send whose answer was lost can
  // be settled by its status instead of being sent twice. Herald puts the delivery id here.
  std::string callback_data;
};

// The platform's JSON for `message` (reference/whatsapp.md, "Templates" and "Send API"):
// {"messaging_product":"whatsapp","recipient_type":"individual","to":…,"type":"template"|"text",
//  …,"biz_opaque_callback_data":…}. Empty header/body parameter lists leave that component out.
std::string ToCloudApiJson(const Message& message);

// The error object of a failed request ({"error":{"code":…,"error_subcode":…,"message":…,
// "type":…,"error_data":{"details":…},"fbtrace_id":…}}).
struct PlatformError {
  std::int64_t code = 0;
  std::optional<std::int64_t> subcode;
  std::string message;
  std::string type;
  std::string details;  // error_data.details
  std::string fbtrace_id;
};

enum class Outcome {
  kAccepted,   // a message id came back (delivery is reported later by status webhooks)
  kRejected,   // the platform answered with an error object, or an HTTP error status
  kNotSent,    // provably never reached the platform (no connection, TLS failed, or the
               // request was never started before a timeout or Stop): safe to send again
  kUncertain,  // may have been sent: timeout, connection lost after the request was written,
               // an answer that cannot be read. Never re-sent automatically.
};

std::string_view OutcomeName(Outcome outcome);  // "accepted", "rejected", ...

struct SendResult {
  Outcome outcome = Outcome::kUncertain;
  std::string message_id;              // wamid…, for kAccepted
  std::string message_status;          // messages[0].message_status when given ("accepted",
                                       // "held_for_quality_assessment"), else empty
  int http_status = 0;                 // 0 when no answer came
  std::optional<PlatformError> error;  // for kRejected when the body had one
  std::optional<std::chrono::milliseconds> retry_after;  // the Retry-After header
  std::string detail;  // for people and logs: why (transport error text, …); never secrets
  std::chrono::microseconds latency{0};  // hand-over to answer
};

class Provider {
 public:
  using Done = std::function<void(SendResult)>;

  virtual ~Provider() = default;

  virtual std::string_view kind() const = 0;  // "cloud_api", "sandbox"

  // Starts sending `message` now: the pacer has released it. `done` runs exactly once, later, on
  // the provider's executor, with the outcome. After Stop, `done` gets kNotSent at once (posted).
  virtual void Send(Message message, Done done) = 0;

  // Requests handed over and not answered yet.
  virtual std::size_t in_flight() const = 0;

  // Stops taking messages and ends every request still open at once: each `done` not run yet
  // gets kUncertain (its request may have left) or kNotSent (it provably did not), posted to the
  // executor. The daemon first stops releasing messages and lets in-flight ones finish within
  // its shutdown grace, then calls Stop. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace herald::provider
