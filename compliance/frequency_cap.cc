#include "compliance/frequency_cap.h"

#include <algorithm>
#include <vector>

namespace herald::compliance {

std::size_t CountSendsInPeriod(std::span<const SysTime> sends, SysTime now,
                               std::chrono::milliseconds period) {
  const SysTime from = now - period;
  return static_cast<std::size_t>(std::count_if(
      sends.begin(), sends.end(), [&](SysTime sent) { return sent > from && sent <= now; }));
}

bool IsUnderFrequencyCap(std::span<const SysTime> sends, SysTime now,
                         const FrequencyCapPolicy& policy) {
  if (!policy.enabled()) return true;
  return CountSendsInPeriod(sends, now, policy.period) < policy.max_messages;
}

SysTime NextFrequencyCapSlot(std::span<const SysTime> sends, SysTime now,
                             const FrequencyCapPolicy& policy) {
  if (IsUnderFrequencyCap(sends, now, policy)) return now;
  // The sends in the period, newest first: once all but max_messages - 1 of them have left the
  // period there is room again. The k-th newest leaves at its time + period.
  std::vector<SysTime> in_period;
  for (SysTime sent : sends) {
    if (sent > now - policy.period && sent <= now) in_period.push_back(sent);
  }
  std::sort(in_period.begin(), in_period.end(), std::greater<>());
  return in_period[policy.max_messages - 1] + policy.period;
}

}  // namespace herald::compliance
