// campaign/timeline.h: when a campaign will finish, how many messages will expire and what it
// will spend per day (issue 18, item 4), by simulating the send path on a virtual clock: each
// number's rate (the pacer's level, capped by its warm-up ramp), its portfolio's unique users per
// moving 24 hours (the messaging tier), quiet hours in each group's local time, and end_by.
//
// Recipients come in groups (a country, say) that share their quiet hours and their cost. The
// clock moves in steps (one second for the first hour, a minute after), skipping ahead when
// nothing may send (every group held by quiet hours, or every tier full). Within a step the
// numbers' rates are summed; the pacer grants a number's first message at once and then one per
// 1/rate, so N messages on one number at rate r take (N - 1) / r (on k numbers of the same rate,
// about (N - 1) / (k r)).
//
// What it does not model: throttles and the adaptive rate (a platform that refuses more than the
// level slows the real run), the pair rate (one message per user: it never binds a campaign),
// other campaigns sharing the numbers, failures and retries.
//
// Thread rules: pure; the `held_until` callback is called on the caller's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "campaign/pacer.h"
#include "campaign/pricing.h"
#include "common/clock.h"

namespace herald::campaign {

struct TimelineGroup {
  std::int64_t recipients = 0;   // messages to send
  std::int64_t cost_micros = 0;  // their estimated cost together
  bool counts_toward_tier = true;
};

struct TimelineSender {
  double per_second = 80;               // the number's level
  std::optional<SysTime> warmup_start;  // set: the warm-up ramp caps the rate
  std::size_t portfolio = 0;            // index into TimelineInput::portfolios
};

struct TimelinePortfolio {
  std::optional<std::int64_t> tier_limit;  // unique users per moving 24 h; nullopt: unlimited
  std::int64_t used = 0;                   // already used in the window when the campaign starts
};

struct TimelineInput {
  SysTime start{};
  std::optional<SysTime> end_by{};
  std::vector<TimelineGroup> groups;
  std::vector<TimelineSender> senders;
  std::vector<TimelinePortfolio> portfolios;
  std::vector<WarmupPoint> warmup = PacerConfig{}.warmup;
  // When quiet hours hold group `g` at `at`: the instant they end (> at). nullopt: it may send.
  // Empty: nothing is ever held.
  std::function<std::optional<SysTime>(std::size_t g, SysTime at)> held_until{};
  std::chrono::hours horizon{24 * 35};  // simulate at most this long
};

struct TimelineDay {
  Day day{};
  std::int64_t sent = 0;
  std::int64_t spend_micros = 0;
};

struct Timeline {
  std::optional<SysTime> first_send;
  std::optional<SysTime> finish;  // the last message's send; nullopt when not all are sent
  std::int64_t sent = 0;
  std::int64_t expired = 0;  // left at end_by
  std::int64_t unsent = 0;   // left when the horizon ended (or no number can send)
  // What held the campaign back most of the time: "rate", "warmup", "tier_cap", "quiet_hours",
  // "no_sender", or "" when nothing was left to send.
  std::string limited_by;
  std::vector<TimelineDay> days;  // UTC days, in order
};

Timeline SimulateTimeline(const TimelineInput& input);

// The warm-up ramp's rate (per second) `age` after its start.
double WarmupPerSecond(const std::vector<WarmupPoint>& ramp, std::chrono::milliseconds age);

}  // namespace herald::campaign
