// A Cloud-API-compatible fake server for tests and benchmarks (issue 16, item 9): HTTP/1.1 with
// keep-alive on loopback (Boost.Beast), speaking the platform's wire format at
// POST /{version}/{phone_number_id}/messages with a bearer token (401 with the platform's error
// shape when it is wrong). It answers like the platform (reference/whatsapp.md):
//   - per-number throughput: messages per second counted in one-second windows (aligned on the
//     server's start); above it 130429 (HTTP 400, Retry-After: 1); one limit for every number, or
//     a number's own (throughput_by_number);
//   - pair rate: a second message to the same recipient from the same number within
//     `pair_interval` is 131056;
//   - tier: template messages to more unique recipients per `tier_window` (24 h) per portfolio than
//     `tier_limit` are refused with `tier_error_code` (the platform documents no dedicated code;
//     131049 by default);
// and can misbehave on purpose: latency, 5xx answers (with or without a body), timeouts (the
// request is read and never answered), dropped connections (closed after reading the request, the
// message not taken), lost answers (the message taken and recorded, then the connection closed
// without an answer: what makes a send uncertain), and "held_for_quality_assessment" answers.
// Limits and faults can change while it runs, from the test (SetLimits, SetFaults) or over HTTP.
//
// It records every accepted message and counts the requests naming each recipient, so a test can
// assert that nobody got a message twice. Control endpoints (for the fake_cloud_api executable,
// tests/support/fake_cloud_api_main.cc): POST /_control with a JSON object of the settings to
// change (throughput_per_second, throughput_by_number (an object of phone_number_id -> messages
// per second, replacing the previous one), pair_interval_ms, tier_limit, tier_window_ms,
// tier_error_code, latency_ms, server_error_rate, server_error_status, server_error_body,
// timeout_rate, drop_rate, lost_answer_rate, held_rate), answered with all settings;
// GET /_received (JSON Lines, one accepted message per line, with its arrival in ms and µs since
// the epoch); GET /_refused (JSON Lines, one request refused for a limit per line: the number, the
// recipient, the error code and its arrival, so that a benchmark sees every request a number
// sent); GET /_recipients (JSON Lines: to, requests, accepted); GET /_stats (with the arrival of
// the newest request to the messages endpoint, last_request_us, 0 before the first, and the
// start of its one-second throughput windows on the wall clock, window_origin_us).
//
// Thread rules: it runs on its own threads with its own io_context; every public method may be
// called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace herald::testing {

struct FakeCloudApiLimits {
  std::size_t throughput_per_second = 0;  // per phone_number_id; 0: unlimited
  // A number's own limit instead of throughput_per_second (0: unlimited), e.g. one number's
  // limit lowered while a campaign runs.
  std::map<std::string, std::size_t> throughput_by_number = {};
  std::chrono::milliseconds pair_interval{0};  // 0: off
  std::size_t tier_limit = 0;  // unique template recipients per tier_window per portfolio; 0: off
  std::chrono::milliseconds tier_window{std::chrono::hours(24)};
  std::int64_t tier_error_code = 131049;
};

// Rates are fractions of the requests to the messages endpoint, drawn from the seeded generator;
// at most one of drop, timeout and server error happens to a request, in that order.
struct FakeCloudApiFaults {
  std::chrono::milliseconds latency{0};  // before every answer
  double drop_rate = 0;                  // read the request, close; the message is not taken
  double timeout_rate = 0;               // read the request, never answer
  double server_error_rate = 0;          // answer server_error_status
  int server_error_status = 503;
  bool server_error_body = false;  // with the platform's error object (code 2), else empty
  double lost_answer_rate = 0;     // take and record the message, then close without answering
  double held_rate = 0;            // accepted as "held_for_quality_assessment"
};

struct FakeCloudApiOptions {
  std::string token = "fake-cloud-api-token";
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: a free port (port())
  std::size_t threads = 1;
  std::uint64_t seed = 1;
  bool record_messages = true;  // keep every accepted message (Received()) and refusal (/_refused)
  std::map<std::string, std::string> portfolios = {};  // phone_number_id -> portfolio, or "default"
  FakeCloudApiLimits limits = {};
  FakeCloudApiFaults faults = {};
};

struct ReceivedMessage {
  std::string message_id;  // the wamid answered
  std::string phone_number_id;
  std::string to;
  std::string type;  // "template" or "text"
  std::string template_name;
  std::string template_language;
  std::string text;  // the text body, for "text"
  std::string callback_data;
  std::string body;  // the request as received
  std::chrono::system_clock::time_point arrived;
};

struct FakeCloudApiStats {
  std::size_t connections = 0;  // accepted so far
  std::size_t requests = 0;     // to the messages endpoint
  std::size_t accepted = 0;
  std::map<std::int64_t, std::size_t> errors;  // platform error code -> answers (190, 130429, …)
  std::size_t server_errors = 0;
  std::size_t timeouts = 0;
  std::size_t drops = 0;
  std::size_t lost_answers = 0;
  // The arrival of the newest request to the messages endpoint (whatever its answer).
  std::optional<std::chrono::system_clock::time_point> last_request;
};

class FakePlatform;

class FakeCloudApi {
 public:
  // Listening when it returns; throws std::runtime_error when it cannot listen.
  explicit FakeCloudApi(FakeCloudApiOptions options = {});
  ~FakeCloudApi();
  FakeCloudApi(const FakeCloudApi&) = delete;
  FakeCloudApi& operator=(const FakeCloudApi&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  const std::string& token() const;

  void SetLimits(FakeCloudApiLimits limits);
  void SetFaults(FakeCloudApiFaults faults);
  FakeCloudApiLimits limits() const;
  FakeCloudApiFaults faults() const;

  std::vector<ReceivedMessage> Received() const;
  std::size_t RequestsFor(const std::string& to) const;  // requests that named this recipient
  std::map<std::string, std::size_t> RequestsByRecipient() const;
  FakeCloudApiStats Stats() const;

  // Closes every connection and joins the threads; what was recorded stays readable.
  void Stop();

 private:
  class Server;
  std::unique_ptr<FakePlatform> platform_;
  std::unique_ptr<Server> server_;
};

}  // namespace herald::testing
