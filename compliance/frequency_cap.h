// Frequency caps (issue 4, item 7): at most `max_messages` marketing messages per contact in any
// rolling `period`, counted across campaigns, so that no contact is flooded even when several
// campaigns target them at once.
//
// The contact's recent marketing send times are counted in the half-open period
// (now - period, now]: a message sent exactly one period ago no longer counts. A send is allowed
// while fewer than `max_messages` are in that period. `max_messages == 0` disables the cap.
//
// Thread rules: plain values and pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>

#include "common/clock.h"

namespace herald::compliance {

struct FrequencyCapPolicy {
  std::size_t max_messages = 0;  // 0: no cap
  std::chrono::milliseconds period = std::chrono::hours(24 * 7);

  bool enabled() const { return max_messages > 0 && period > std::chrono::milliseconds::zero(); }
};

// How many of `sends` lie in (now - period, now]. `sends` need not be sorted.
std::size_t CountSendsInPeriod(std::span<const SysTime> sends, SysTime now,
                               std::chrono::milliseconds period);

// True when one more marketing message may be sent at `now` (always true when disabled).
bool IsUnderFrequencyCap(std::span<const SysTime> sends, SysTime now,
                         const FrequencyCapPolicy& policy);

// The earliest instant >= now at which one more message fits under the cap, assuming no other
// sends happen meanwhile: `now` when it fits already. Scheduling uses it to push a delivery out.
SysTime NextFrequencyCapSlot(std::span<const SysTime> sends, SysTime now,
                             const FrequencyCapPolicy& policy);

}  // namespace herald::compliance
