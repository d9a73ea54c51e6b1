// detail::TierWindow: a portfolio's unique users in a moving 24 hours. With a limit, each user is
// counted until 24 h after their last accepted message; without one (TIER_UNLIMITED), a campaign
// to a million users must stay cheap, and the users reached must still count once a limit is set.
#include "campaign/detail/tier_window.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <chrono>
#include <cstdint>
#include <optional>

namespace herald::campaign::detail {
namespace {

using namespace std::chrono_literals;

const SysTime kStart{std::chrono::sys_days{std::chrono::year{2026} / 12 / 4} + 9h};
constexpr std::chrono::milliseconds kWindow = 24h;
constexpr std::chrono::milliseconds kBucket = 15min;  // kWindow / kUnlimitedBuckets

std::size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;  // small chunks and mmapped ones
}

void Accept(TierWindow& window, std::int64_t user, SysTime at) {
  ASSERT_TRUE(window.Reserve(user, at));
  window.Confirm(user, at);
}

TEST(TierWindow, AMillionUsersWithoutALimitCostUnderABytePerUser) {
  TierWindow window(std::nullopt, kWindow);
  constexpr std::int64_t kUsers = 1'000'000;
  const std::size_t before = HeapInUse();
  for (std::int64_t user = 1; user <= kUsers; ++user) {
    Accept(window, user, kStart + std::chrono::milliseconds(user / 20));  // 20,000 a second
  }
  const std::size_t after = HeapInUse();
  EXPECT_EQ(window.used(), static_cast<std::size_t>(kUsers));
  EXPECT_LT(static_cast<double>(after - before) / kUsers, 1.0);  // was 80 bytes
}

TEST(TierWindow, UsersReachedWithoutALimitCountOnceALimitIsSet) {
  TierWindow window(std::nullopt, kWindow);
  for (std::int64_t user = 1; user <= 10; ++user) Accept(window, user, kStart);
  window.SetLimit(10);
  EXPECT_EQ(window.used(), 10u);
  EXPECT_TRUE(window.Reserve(3, kStart + 1h)) << "already counted: a second message is free";
  window.Confirm(3, kStart + 1h);
  EXPECT_FALSE(window.Reserve(11, kStart + 23h)) << "the ten users of the window";
  // They leave the window at most one bucket later than their message's 24 hours.
  EXPECT_TRUE(window.Reserve(11, kStart + kWindow + kBucket + 1ms));
  EXPECT_EQ(window.used(), 2u) << "user 3 (sent to again at +1h) and user 11";
}

TEST(TierWindow, WithoutALimitUsedCountsEachUserOnce) {
  TierWindow window(std::nullopt, kWindow);
  Accept(window, 1, kStart);
  Accept(window, 1, kStart + 2h);  // another bucket
  Accept(window, 2, kStart + 2h);
  ASSERT_TRUE(window.Reserve(1, kStart + 3h));  // in flight and already counted
  ASSERT_TRUE(window.Reserve(3, kStart + 3h));  // in flight only
  EXPECT_EQ(window.used(), 3u);
  EXPECT_EQ(window.pending(), 2u);
  window.Release(3);
  window.Confirm(1, kStart + 3h);
  EXPECT_EQ(window.used(), 2u);
  EXPECT_EQ(window.pending(), 0u);
}

TEST(TierWindow, WithoutALimitUsersLeaveAfterTheWindow) {
  TierWindow window(std::nullopt, kWindow);
  Accept(window, 1, kStart);
  Accept(window, 2, kStart + 12h);
  window.Evict(kStart + kWindow + kBucket + 1ms);
  EXPECT_EQ(window.used(), 1u);
  window.Evict(kStart + 12h + kWindow + kBucket + 1ms);
  EXPECT_EQ(window.used(), 0u);
}

TEST(TierWindow, ALimitLiftedAndSetAgainKeepsTheUsers) {
  TierWindow window(5, kWindow);
  for (std::int64_t user = 1; user <= 5; ++user) Accept(window, user, kStart);
  EXPECT_FALSE(window.Reserve(6, kStart + 1h));
  window.SetLimit(std::nullopt);
  EXPECT_EQ(window.used(), 5u);
  Accept(window, 6, kStart + 1h);
  EXPECT_EQ(window.used(), 6u);
  window.SetLimit(6);
  EXPECT_EQ(window.used(), 6u);
  EXPECT_FALSE(window.Reserve(7, kStart + 2h));
  EXPECT_TRUE(window.Reserve(7, kStart + 1h + kWindow + kBucket + 1ms)) << "all six have left";
}

}  // namespace
}  // namespace herald::campaign::detail
