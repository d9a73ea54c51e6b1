// Shared by the pacer's tests: simulated time (both clocks advancing together) and the slow,
// exact count of grants per one-second window that the oracle tests check against.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <vector>

#include "campaign/pacer.h"

namespace herald::campaign::testing {

// An arbitrary start: the monotonic clock has no meaningful epoch; the wall clock is
// 2026-12-07 09:00:00.000 UTC.
inline const SteadyTime kSteadyStart = SteadyTime(std::chrono::hours(1000));
inline const SysTime kWallStart =
    SysTime(std::chrono::sys_days(std::chrono::year(2026) / 12 / 7)) + std::chrono::hours(9);

// The instant `since` after the start on both clocks (the wall clock has milliseconds).
inline PacerTime At(std::chrono::nanoseconds since) {
  return PacerTime{kSteadyStart + since,
                   kWallStart + std::chrono::duration_cast<std::chrono::milliseconds>(since)};
}

// The largest number of `grants` in any half-open window [t, t + width). Slow and obvious: every
// window that holds grants can slide right until it starts at one of them, so the windows
// starting at each grant are enough.
inline std::size_t MaxInAnyWindow(std::vector<SteadyTime> grants,
                                  std::chrono::nanoseconds width = std::chrono::seconds(1)) {
  std::sort(grants.begin(), grants.end());
  std::size_t best = 0;
  for (std::size_t i = 0; i < grants.size(); ++i) {
    std::size_t count = 0;
    for (std::size_t j = i; j < grants.size() && grants[j] < grants[i] + width; ++j) ++count;
    best = std::max(best, count);
  }
  return best;
}

inline std::size_t CountIn(const std::vector<SteadyTime>& grants, SteadyTime from, SteadyTime to) {
  return static_cast<std::size_t>(std::count_if(grants.begin(), grants.end(),
                                                [&](SteadyTime t) { return t >= from && t < to; }));
}

}  // namespace herald::campaign::testing
