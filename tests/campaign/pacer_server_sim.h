// An event-driven simulation of runners, the network and a platform server around one Pacer, for
// the oracle tests: each number's runner asks the pacer at every retry_at (a little late, as a
// timer is), the request reaches the server after an uplink delay, the server accepts it when
// its one-second sliding window holds fewer than the number's limit and answers 130429
// otherwise, and the answer comes back after a downlink delay. Limits can change mid-run.
//
// The server is the judge of the benchmark in issue 16: what it accepted per second, whether
// any of its one-second windows went above the limit, how many throttles it answered.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "campaign/pacer.h"

namespace herald::campaign::testing {

struct SimNumber {
  SenderId sender;
  int server_limit = 80;  // messages per sliding second the server accepts
};

struct LimitChange {
  std::chrono::nanoseconds at;
  std::size_t number;  // index into SimConfig::numbers
  int server_limit;
};

struct SimConfig {
  std::vector<SimNumber> numbers;  // already added to the pacer
  std::chrono::nanoseconds duration = std::chrono::seconds(60);
  std::chrono::nanoseconds uplink = std::chrono::milliseconds(50);
  std::chrono::nanoseconds downlink_min = std::chrono::milliseconds(20);
  std::chrono::nanoseconds downlink_max = std::chrono::milliseconds(80);
  std::chrono::nanoseconds runner_lateness_max = std::chrono::milliseconds(3);
  std::chrono::nanoseconds tick = std::chrono::milliseconds(100);
  std::vector<LimitChange> changes;
  std::uint64_t seed = 1;
  // Sent with every 130429, as the fake Cloud API server does (it pauses the number that long).
  std::optional<std::chrono::milliseconds> throttle_retry_after{};
};

struct RateSample {
  SteadyTime at;
  double allowed_per_second;
};

struct SimNumberResult {
  std::vector<SteadyTime> grants;           // when the pacer granted
  std::vector<SteadyTime> server_accepted;  // when the server accepted (arrival time)
  std::size_t throttled = 0;                // 130429 answered
  std::vector<RateSample> allowed;          // the pacer's rate after each tick
};

std::vector<SimNumberResult> RunServerSimulation(Pacer& pacer, const SimConfig& config);

// Messages in [from, to) of `times`, per second.
double RatePerSecond(const std::vector<SteadyTime>& times, SteadyTime from, SteadyTime to);

}  // namespace herald::campaign::testing
