// The timeline simulation (campaign/timeline.h): the pacer's rate with its first grant at once,
// the messaging tier's moving 24 hours, quiet hours, end_by, the warm-up ramp, spend per UTC day.
#include "campaign/timeline.h"

#include <gtest/gtest.h>

#include <chrono>

namespace herald::campaign {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const SysTime kStart = SysTime(*ParseDay("2026-12-07")) + hours(9);

TimelineInput OneNumber(double per_second, std::int64_t recipients, std::int64_t cost = 0) {
  TimelineInput input;
  input.start = kStart;
  input.groups = {TimelineGroup{recipients, cost}};
  input.senders = {TimelineSender{per_second, std::nullopt, 0}};
  input.portfolios = {TimelinePortfolio{}};
  return input;
}

TEST(TimelineTest, NMessagesOnOneNumberTakeNMinusOneOverTheRate) {
  const Timeline timeline = SimulateTimeline(OneNumber(50, 600, 600 * 136500));
  ASSERT_TRUE(timeline.finish);
  EXPECT_EQ(*timeline.first_send, kStart);
  EXPECT_EQ(*timeline.finish - kStart, milliseconds(11980));
  EXPECT_EQ(timeline.sent, 600);
  EXPECT_EQ(timeline.limited_by, "rate");
  ASSERT_EQ(timeline.days.size(), 1u);
  EXPECT_EQ(timeline.days[0].spend_micros, 600 * 136500);
}

TEST(TimelineTest, NumbersAddTheirRates) {
  TimelineInput input = OneNumber(40, 8001);
  input.senders.push_back(TimelineSender{40, std::nullopt, 0});
  const Timeline timeline = SimulateTimeline(input);
  ASSERT_TRUE(timeline.finish);
  // Each number sends at 0, 1/40 s, …: the 8,001st message goes at 100 s.
  EXPECT_NEAR(std::chrono::duration<double>(*timeline.finish - kStart).count(), 100.0, 0.01);
}

TEST(TimelineTest, TheTierSpreadsTheAudienceOverDays) {
  TimelineInput input = OneNumber(80, 600, 600);
  input.portfolios[0].tier_limit = 250;
  const Timeline timeline = SimulateTimeline(input);
  ASSERT_TRUE(timeline.finish);
  EXPECT_GE(*timeline.finish - kStart, hours(48));
  EXPECT_LT(*timeline.finish - kStart, hours(49));
  EXPECT_EQ(timeline.limited_by, "tier_cap");
  ASSERT_EQ(timeline.days.size(), 3u);
  EXPECT_EQ(timeline.days[0].sent, 250);
  EXPECT_EQ(timeline.days[1].sent, 250);
  EXPECT_EQ(timeline.days[2].sent, 100);
  EXPECT_EQ(
      timeline.days[0].spend_micros + timeline.days[1].spend_micros + timeline.days[2].spend_micros,
      600);
}

TEST(TimelineTest, QuietHoursHoldAGroupUntilTheyEnd) {
  TimelineInput input = OneNumber(10, 20);
  input.groups.push_back(TimelineGroup{20, 0});
  const SysTime opens = kStart + hours(10);
  input.held_until = [opens](std::size_t g, SysTime at) -> std::optional<SysTime> {
    if (g == 1 && at < opens) return opens;
    return std::nullopt;
  };
  const Timeline timeline = SimulateTimeline(input);
  ASSERT_TRUE(timeline.finish);
  EXPECT_EQ(*timeline.first_send, kStart);
  EXPECT_GE(*timeline.finish, opens);
  EXPECT_LT(*timeline.finish, opens + minutes(1));
  EXPECT_EQ(timeline.limited_by, "quiet_hours");
}

TEST(TimelineTest, WhatEndByCutsOffExpires) {
  TimelineInput input = OneNumber(10, 1000);
  input.end_by = kStart + seconds(50);
  const Timeline timeline = SimulateTimeline(input);
  EXPECT_FALSE(timeline.finish);
  EXPECT_EQ(timeline.sent, 500);  // at 0, 0.1, … 49.9 s: end_by itself is too late
  EXPECT_EQ(timeline.expired, 500);
}

TEST(TimelineTest, TheWarmupRampCapsANewNumber) {
  TimelineInput input = OneNumber(80, 100);
  input.senders[0].warmup_start = kStart;
  const Timeline timeline = SimulateTimeline(input);
  ASSERT_TRUE(timeline.finish);
  // 20 a minute at the start: 99 after the first take about 297 s.
  EXPECT_NEAR(std::chrono::duration<double>(*timeline.finish - kStart).count(), 297, 3);
  EXPECT_EQ(timeline.limited_by, "warmup");
  EXPECT_DOUBLE_EQ(WarmupPerSecond(input.warmup, milliseconds(0)), 20.0 / 60);
  EXPECT_DOUBLE_EQ(WarmupPerSecond(input.warmup, std::chrono::weeks(4)), 40.0 / 60);
  EXPECT_DOUBLE_EQ(WarmupPerSecond(input.warmup, std::chrono::weeks(10)), 1.0);
}

TEST(TimelineTest, SpendIsCountedOnTheDayOfTheSend) {
  TimelineInput input = OneNumber(1, 120, 120 * 1000);
  input.start = SysTime(*ParseDay("2026-12-07")) + hours(23) + minutes(59);
  const Timeline timeline = SimulateTimeline(input);
  ASSERT_EQ(timeline.days.size(), 2u);
  EXPECT_EQ(timeline.days[0].day, *ParseDay("2026-12-07"));
  EXPECT_EQ(timeline.days[0].sent, 60);
  EXPECT_EQ(timeline.days[1].sent, 60);
  EXPECT_EQ(timeline.days[0].spend_micros, 60 * 1000);
}

TEST(TimelineTest, NothingToSendOrNoNumber) {
  EXPECT_FALSE(SimulateTimeline(OneNumber(80, 0)).finish);
  EXPECT_EQ(SimulateTimeline(OneNumber(80, 0)).limited_by, "");
  TimelineInput input = OneNumber(80, 10);
  input.senders.clear();
  const Timeline timeline = SimulateTimeline(input);
  EXPECT_EQ(timeline.unsent, 10);
  EXPECT_EQ(timeline.limited_by, "no_sender");
}

TEST(TimelineTest, AMillionRecipientsOverManyGroupsAreSimulatedQuickly) {
  TimelineInput input;
  input.start = kStart;
  for (int g = 0; g < 60; ++g) input.groups.push_back(TimelineGroup{1'000'000 / 60, 1000});
  for (int s = 0; s < 4; ++s) input.senders.push_back(TimelineSender{80, std::nullopt, 0});
  input.portfolios = {TimelinePortfolio{100'000, 0}};
  input.held_until = [](std::size_t g, SysTime at) -> std::optional<SysTime> {
    // Half the groups sleep from 21:00 to 08:00 UTC.
    const auto hour = std::chrono::floor<hours>(at.time_since_epoch()).count() % 24;
    if (g % 2 == 0 || (hour >= 8 && hour < 21)) return std::nullopt;
    const SysTime midnight = std::chrono::floor<std::chrono::days>(at);
    return hour >= 21 ? midnight + hours(32) : midnight + hours(8);
  };
  const Timeline timeline = SimulateTimeline(input);
  ASSERT_TRUE(timeline.finish);
  EXPECT_EQ(timeline.sent, 60 * (1'000'000 / 60));
  EXPECT_EQ(timeline.limited_by, "tier_cap");
  EXPECT_GE(timeline.days.size(), 10u);
}

}  // namespace
}  // namespace herald::campaign
