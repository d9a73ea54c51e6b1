#include "compliance/service_window.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace herald::compliance {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

const SysTime kInbound = SysTime(std::chrono::seconds(1'720'000'000));
const SenderId kSender{7};

struct WindowCase {
  const char* name;
  SysTime now;
  bool open;
};

TEST(ServiceWindow, ClosesASafetyMarginBeforeTwentyFourHours) {
  const ServiceWindowPolicy policy;  // 24 h, 10 min margin
  const ServiceWindow window{kSender, kInbound, std::nullopt};
  const WindowCase cases[] = {
      {"right after the inbound message", kInbound, true},
      {"just inside: 24h - margin - 1ms", kInbound + hours(24) - minutes(10) - milliseconds(1),
       true},
      {"24h - margin is closed", kInbound + hours(24) - minutes(10), false},
      {"inside the margin", kInbound + hours(24) - minutes(5), false},
      {"exactly 24h is closed", kInbound + hours(24), false},
      {"a day later", kInbound + hours(48), false},
  };
  for (const WindowCase& test : cases) {
    EXPECT_EQ(IsServiceWindowOpen(window, test.now, policy), test.open) << test.name;
  }
}

TEST(ServiceWindow, ExactlyTwentyFourHoursIsClosedEvenWithoutMargin) {
  const ServiceWindowPolicy policy{hours(24), milliseconds(0)};
  const ServiceWindow window{kSender, kInbound, std::nullopt};
  EXPECT_TRUE(IsServiceWindowOpen(window, kInbound + hours(24) - milliseconds(1), policy));
  EXPECT_FALSE(IsServiceWindowOpen(window, kInbound + hours(24), policy));
}

TEST(ServiceWindow, EntryPointWindowExtendsItToSeventyTwoHours) {
  const ServiceWindowPolicy policy;
  const ServiceWindow window{kSender, kInbound, kInbound + hours(72)};
  EXPECT_TRUE(IsServiceWindowOpen(window, kInbound + hours(48), policy));
  EXPECT_TRUE(IsServiceWindowOpen(window, kInbound + hours(72) - minutes(11), policy));
  EXPECT_FALSE(IsServiceWindowOpen(window, kInbound + hours(72) - minutes(10), policy));
  ASSERT_TRUE(ServiceWindowClosesAt(window, policy).has_value());
  EXPECT_EQ(*ServiceWindowClosesAt(window, policy), kInbound + hours(72) - minutes(10));
}

TEST(ServiceWindow, NeverOpenedIsClosed) {
  const ServiceWindow window{kSender, std::nullopt, std::nullopt};
  EXPECT_FALSE(IsServiceWindowOpen(window, kInbound, ServiceWindowPolicy{}));
  EXPECT_FALSE(ServiceWindowClosesAt(window, ServiceWindowPolicy{}).has_value());
}

TEST(FindServiceWindow, PicksTheWindowOfTheSendingNumber) {
  const std::vector<ServiceWindow> windows = {{SenderId{1}, kInbound, std::nullopt},
                                              {SenderId{2}, kInbound + hours(1), std::nullopt}};
  ASSERT_NE(FindServiceWindow(windows, SenderId{2}), nullptr);
  EXPECT_EQ(FindServiceWindow(windows, SenderId{2})->last_inbound, kInbound + hours(1));
  EXPECT_EQ(FindServiceWindow(windows, SenderId{3}), nullptr);
}

}  // namespace
}  // namespace herald::compliance
