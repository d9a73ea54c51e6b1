// The decisions of the fake Cloud API server (tests/support/fake_cloud_api.h), apart from its
// transport: a request's method, target, authorization and body in, what to answer (or to drop,
// or never to answer) out. Thread-safe: one mutex around all state.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tests/support/fake_cloud_api.h"

namespace herald::testing {

struct FakeRequest {
  std::string_view method;
  std::string_view target;
  std::string_view authorization;
  std::string_view body;
};

struct FakeAnswer {
  enum class Action { kRespond, kDrop, kNeverAnswer };
  Action action = Action::kRespond;
  int status = 200;
  std::string content_type = "application/json; charset=UTF-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};
};

class FakePlatform {
 public:
  explicit FakePlatform(const FakeCloudApiOptions& options);

  FakeAnswer Handle(const FakeRequest& request);
  void CountConnection();

  void SetLimits(FakeCloudApiLimits limits);
  void SetFaults(FakeCloudApiFaults faults);
  FakeCloudApiLimits limits() const;
  FakeCloudApiFaults faults() const;
  std::vector<ReceivedMessage> Received() const;
  std::size_t RequestsFor(const std::string& to) const;
  std::map<std::string, std::size_t> RequestsByRecipient() const;
  FakeCloudApiStats Stats() const;
  const std::string& token() const { return token_; }

 private:
  using Steady = std::chrono::steady_clock;
  struct Parsed;  // the fields of a send request

  FakeAnswer HandleMessages(std::string_view number, const FakeRequest& request);
  FakeAnswer HandleControl(std::string_view body);
  FakeAnswer ReceivedLines() const;
  FakeAnswer RefusedLines() const;
  FakeAnswer RecipientLines() const;
  FakeAnswer StatsJson() const;
  std::optional<FakeAnswer> Fault(double draw);
  std::optional<FakeAnswer> OverLimit(const Parsed& parsed, Steady::time_point now);
  FakeAnswer Accept(Parsed parsed, std::string_view body, Steady::time_point now);
  FakeAnswer Error(int status, std::int64_t code, std::string message, std::string details);
  double Uniform();
  // A request's arrival on the wall clock, read from the monotonic instant the throughput windows
  // count, so that a benchmark can rebuild those windows from the recorded arrivals.
  std::chrono::system_clock::time_point WallOf(Steady::time_point now) const;

  const std::string token_;
  const bool record_messages_;
  const std::map<std::string, std::string> portfolios_;
  const Steady::time_point started_ = Steady::now();  // the throughput windows start here
  const std::chrono::system_clock::time_point started_wall_ = std::chrono::system_clock::now();

  mutable std::mutex mutex_;
  FakeCloudApiLimits limits_;
  FakeCloudApiFaults faults_;
  std::mt19937_64 random_;
  std::uint64_t next_id_ = 0;
  FakeCloudApiStats stats_;
  std::vector<ReceivedMessage> received_;
  struct Refusal {  // a request refused for a limit (throughput, tier, pair rate)
    std::string phone_number_id;
    std::string to;
    std::int64_t code = 0;
    std::chrono::system_clock::time_point arrived;
  };
  std::vector<Refusal> refused_;
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> by_recipient_;  // req, acc
  std::unordered_map<std::string, std::pair<std::int64_t, std::size_t>> seconds_;      // number
  std::map<std::pair<std::string, std::string>, Steady::time_point> last_to_pair_;
  // Per portfolio: the last template message to each recipient, and the same in time order.
  struct TierWindow {
    std::unordered_map<std::string, Steady::time_point> last;
    std::deque<std::pair<Steady::time_point, std::string>> times;
  };
  std::map<std::string, TierWindow> tiers_;
};

}  // namespace herald::testing
