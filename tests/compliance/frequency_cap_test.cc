#include "compliance/frequency_cap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace herald::compliance {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

const SysTime kNow = SysTime(std::chrono::seconds(1'720'000'000));

TEST(FrequencyCap, CountsSendsInTheHalfOpenPeriodEndingNow) {
  const std::vector<SysTime> sends = {
      kNow - hours(24),                    // exactly one period ago: no longer counts
      kNow - hours(24) + milliseconds(1),  // counts
      kNow - hours(1),                     // counts
      kNow,                                // counts
      kNow + milliseconds(1),              // in the future: not in (now - period, now]
  };
  EXPECT_EQ(CountSendsInPeriod(sends, kNow, hours(24)), 3u);
}

struct CapCase {
  const char* name;
  std::size_t max_messages;
  std::size_t recent;
  bool allowed;
};

TEST(FrequencyCap, AllowsWhileFewerThanTheMaximumAreInThePeriod) {
  const CapCase cases[] = {
      {"disabled", 0, 10, true},   {"none sent", 2, 0, true},     {"one below the cap", 2, 1, true},
      {"at the cap", 2, 2, false}, {"over the cap", 2, 3, false},
  };
  for (const CapCase& test : cases) {
    std::vector<SysTime> sends;
    for (std::size_t i = 0; i < test.recent; ++i) sends.push_back(kNow - hours(1 + i));
    const FrequencyCapPolicy policy{test.max_messages, hours(24)};
    EXPECT_EQ(IsUnderFrequencyCap(sends, kNow, policy), test.allowed) << test.name;
  }
}

TEST(FrequencyCap, NextSlotIsWhenTheOldestCountedSendLeavesThePeriod) {
  const FrequencyCapPolicy policy{2, hours(24)};
  const std::vector<SysTime> sends = {kNow - hours(20), kNow - hours(5), kNow - hours(30)};
  // Two in the period: the older (20 h ago) leaves it 4 h from now.
  EXPECT_EQ(NextFrequencyCapSlot(sends, kNow, policy), kNow + hours(4));
  EXPECT_TRUE(IsUnderFrequencyCap(sends, kNow + hours(4), policy));
  EXPECT_FALSE(IsUnderFrequencyCap(sends, kNow + hours(4) - milliseconds(1), policy));
  EXPECT_EQ(NextFrequencyCapSlot({}, kNow, policy), kNow);
}

}  // namespace
}  // namespace herald::compliance
