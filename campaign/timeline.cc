#include "campaign/timeline.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <map>

namespace herald::campaign {
namespace {

using std::chrono::duration;
using std::chrono::milliseconds;

constexpr milliseconds kFineStep = std::chrono::seconds(1);
constexpr milliseconds kCoarseStep = std::chrono::minutes(1);
constexpr milliseconds kFinePeriod = std::chrono::hours(1);
constexpr milliseconds kTierWindow = std::chrono::hours(24);
// Quiet hours change at most on quarter hours (windows are written in minutes, zone offsets are
// whole quarter hours): an allowed group is asked again at the next one.
constexpr milliseconds kQuarterHour = std::chrono::minutes(15);

enum Limit : std::size_t { kRate, kWarmup, kTierCap, kQuietHours, kLimitCount };
// A number's first grant comes at once, then one per 1/rate: a step [t, t + dt) at rate r holds
// ceil(r × dt) grants, which floor(kFirstGrant + r × dt) counts.
constexpr double kFirstGrant = 1.0 - 1e-9;

constexpr std::array<const char*, kLimitCount> kLimitNames{"rate", "warmup", "tier_cap",
                                                           "quiet_hours"};

double Seconds(milliseconds span) { return duration<double>(span).count(); }

SysTime NextQuarterHour(SysTime t) {
  return SysTime(t.time_since_epoch() - t.time_since_epoch() % kQuarterHour + kQuarterHour);
}

struct PortfolioState {
  std::deque<std::pair<SysTime, std::int64_t>> window;  // sends in the moving 24 h
  std::int64_t in_window = 0;
  double carry = kFirstGrant;  // what earlier steps leave toward the next grant
  std::size_t senders = 0;

  void Expire(SysTime now) {
    while (!window.empty() && window.front().first + kTierWindow <= now) {
      in_window -= window.front().second;
      window.pop_front();
    }
  }
};

}  // namespace

double WarmupPerSecond(const std::vector<WarmupPoint>& ramp, milliseconds age) {
  if (ramp.empty()) return std::numeric_limits<double>::infinity();
  if (age <= ramp.front().age) return ramp.front().per_minute / 60.0;
  for (std::size_t i = 1; i < ramp.size(); ++i) {
    if (age <= ramp[i].age) {
      const double share = Seconds(age - ramp[i - 1].age) / Seconds(ramp[i].age - ramp[i - 1].age);
      return (ramp[i - 1].per_minute + share * (ramp[i].per_minute - ramp[i - 1].per_minute)) / 60;
    }
  }
  return ramp.back().per_minute / 60.0;
}

Timeline SimulateTimeline(const TimelineInput& input) {
  Timeline out;
  const std::size_t groups = input.groups.size();
  std::vector<std::int64_t> left(groups);
  std::vector<std::int64_t> done(groups, 0);
  std::int64_t total_left = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    left[g] = std::max<std::int64_t>(0, input.groups[g].recipients);
    total_left += left[g];
  }
  if (total_left == 0) return out;
  if (input.senders.empty()) {
    out.unsent = total_left;
    out.limited_by = "no_sender";
    return out;
  }

  std::vector<PortfolioState> portfolios(std::max<std::size_t>(input.portfolios.size(), 1));
  for (const TimelineSender& sender : input.senders) {
    if (sender.portfolio >= portfolios.size()) portfolios.resize(sender.portfolio + 1);
    ++portfolios[sender.portfolio].senders;
  }
  for (std::size_t p = 0; p < portfolios.size(); ++p) {
    if (p < input.portfolios.size() && input.portfolios[p].used > 0) {
      portfolios[p].window.emplace_back(input.start, input.portfolios[p].used);
      portfolios[p].in_window = input.portfolios[p].used;
    }
  }
  const auto tier_limit = [&input](std::size_t p) -> std::optional<std::int64_t> {
    return p < input.portfolios.size() ? input.portfolios[p].tier_limit : std::nullopt;
  };

  std::vector<bool> held(groups, false);
  std::vector<SysTime> recheck(groups, input.start);
  std::array<milliseconds, kLimitCount> limited{};
  std::map<Day, TimelineDay> days;
  const SysTime horizon = input.start + input.horizon;
  SysTime t = input.start;

  while (total_left > 0) {
    if (input.end_by && t >= *input.end_by) {
      out.expired = total_left;
      break;
    }
    if (t >= horizon) {
      out.unsent = total_left;
      break;
    }
    // Which groups may send now.
    bool any_free = false;
    SysTime next_free = SysTime::max();
    for (std::size_t g = 0; g < groups; ++g) {
      if (left[g] == 0) continue;
      if (input.held_until && t >= recheck[g]) {
        const std::optional<SysTime> until = input.held_until(g, t);
        held[g] = until.has_value();
        recheck[g] = until ? std::max(*until, t + milliseconds(1)) : NextQuarterHour(t);
      }
      if (held[g]) {
        next_free = std::min(next_free, recheck[g]);
      } else {
        any_free = true;
      }
    }
    if (!any_free) {
      const SysTime to = std::min({next_free, horizon, input.end_by.value_or(SysTime::max())});
      limited[kQuietHours] += to - t;
      for (PortfolioState& portfolio : portfolios) {
        portfolio.carry = kFirstGrant;  // after a pause the next grant comes at once
      }
      t = to;
      continue;
    }

    milliseconds step = t - input.start < kFinePeriod ? kFineStep : kCoarseStep;
    if (input.end_by && t + step > *input.end_by) step = *input.end_by - t;
    double rate_total = 0;
    bool warming = false;
    bool tier_bound = false;
    SysTime next_window_exit = SysTime::max();
    std::int64_t sent_now = 0;
    double carry_before = 0;
    for (std::size_t p = 0; p < portfolios.size(); ++p) {
      PortfolioState& portfolio = portfolios[p];
      if (portfolio.senders == 0) continue;
      portfolio.Expire(t);
      double rate = 0;
      for (const TimelineSender& sender : input.senders) {
        if (sender.portfolio != p) continue;
        double per_second = sender.per_second;
        if (sender.warmup_start) {
          const double ramp = WarmupPerSecond(
              input.warmup, std::chrono::duration_cast<milliseconds>(t - *sender.warmup_start));
          if (ramp < per_second) {
            per_second = ramp;
            warming = true;
          }
        }
        rate += per_second;
      }
      rate_total += rate;
      carry_before += portfolio.carry;
      const double capacity = portfolio.carry + rate * Seconds(step);
      auto grants = static_cast<std::int64_t>(std::floor(capacity));
      if (const auto limit = tier_limit(p)) {
        const std::int64_t room = std::max<std::int64_t>(0, *limit - portfolio.in_window);
        if (room < grants) {
          grants = room;
          tier_bound = true;
          if (!portfolio.window.empty()) {
            next_window_exit =
                std::min(next_window_exit, portfolio.window.front().first + kTierWindow);
          }
        }
      }
      // Hand the grants to the groups that may send, in order.
      std::int64_t used = 0;
      std::int64_t counted = 0;
      for (std::size_t g = 0; g < groups && used < grants; ++g) {
        if (left[g] == 0 || held[g]) continue;
        const std::int64_t take = std::min(left[g], grants - used);
        const std::int64_t before = done[g];
        left[g] -= take;
        done[g] += take;
        used += take;
        if (input.groups[g].counts_toward_tier) counted += take;
        TimelineDay& day = days[DayOf(t)];
        day.day = DayOf(t);
        day.sent += take;
        const std::int64_t cost = input.groups[g].cost_micros;
        const std::int64_t recipients = input.groups[g].recipients;
        day.spend_micros += cost * done[g] / recipients - cost * before / recipients;
      }
      // Unused capacity is not banked: an idle number's next grant comes at once, no sooner.
      portfolio.carry = std::min(capacity - static_cast<double>(used), kFirstGrant);
      if (counted > 0) {
        portfolio.window.emplace_back(t, counted);
        portfolio.in_window += counted;
      }
      sent_now += used;
    }
    if (sent_now > 0 && !out.first_send) out.first_send = t;
    out.sent += sent_now;
    total_left -= sent_now;
    if (total_left == 0) {
      // Within the step: the last grant came when the rate had produced what was needed.
      const double needed = static_cast<double>(sent_now) - carry_before;
      const double at = rate_total > 0 ? std::max(0.0, needed / rate_total) : 0.0;
      out.finish = t + std::chrono::duration_cast<milliseconds>(
                           duration<double>(std::min(at, Seconds(step))));
      limited[tier_bound ? kTierCap : warming ? kWarmup : kRate] += milliseconds(1);
      break;
    }
    if (sent_now == 0 && tier_bound && next_window_exit != SysTime::max()) {
      const SysTime to =
          std::min({next_window_exit, horizon, input.end_by.value_or(SysTime::max())});
      limited[kTierCap] += to - t;
      t = std::max(to, t + step);
      continue;
    }
    limited[tier_bound ? kTierCap : warming ? kWarmup : kRate] += step;
    t += step;
  }
  for (auto& [day, entry] : days) out.days.push_back(entry);
  const auto most = std::max_element(limited.begin(), limited.end());
  if (most->count() > 0)
    out.limited_by = kLimitNames[static_cast<std::size_t>(most - limited.begin())];
  return out;
}

}  // namespace herald::campaign
