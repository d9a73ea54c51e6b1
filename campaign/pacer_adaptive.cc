// The pacer's reaction to failures and the passing of time (campaign/pacer.h, "Adaptive rate").
#include <algorithm>
#include <chrono>

#include "campaign/detail/pacer_state.h"
#include "campaign/pacer.h"

namespace herald::campaign {
namespace {

using detail::PacerState;
using detail::SenderState;
using std::chrono::milliseconds;

// The multiplicative decrease, at most once per hold (the time box).
void Cut(const PacerConfig& config, SenderState& sender, PacerTime now, bool to_accepted_rate) {
  if (now.steady < sender.hold_until) return;
  const double rate = sender.spacer.rate();  // the rate in force, whichever limit set it
  const double lowest = std::max(config.min_rate_per_second, rate * config.decrease_factor);
  double target = lowest;
  const std::optional<double> share = sender.answers.AcceptedShare(now.steady, sender.last_cut);
  if (to_accepted_rate && share.has_value()) {
    const double keep = 1.0 - config.accepted_rate_margin;
    double estimate = rate * *share;
    // What the server accepted over the last second bounds its limit from above, also when the
    // number sent only part of that second (paused by a Retry-After: then the share accepted is
    // near 1 and says nothing). Taken only when it is clearly below the share's estimate, as the
    // answers' own jitter moves a second's count by a few percent, or by one at low rates.
    if (const std::optional<double> last_second = sender.answers.AcceptedLastSecond(now.steady);
        last_second && *last_second < estimate * 0.9 - 1) {
      estimate = *last_second;
    }
    target = std::clamp(estimate * keep, lowest, std::max(lowest, rate * keep));
  }
  sender.adaptive = std::min(target, rate);
  sender.cut = sender.adaptive < sender.level;
  sender.last_cut = now.steady;
  sender.hold_until = now.steady + config.decrease_hold;
  ++sender.counters.decreases;
  detail::RefreshRate(config, sender, now);
}

void PauseUntil(SenderState& sender, SteadyTime until) {
  sender.pause_until = std::max(sender.pause_until, until);
}

void Stop(SenderState& sender, const std::string& reason) {
  sender.paused = true;
  sender.stop_reason = reason;
}

milliseconds AtLeast(milliseconds floor, std::optional<milliseconds> retry_after) {
  return std::max(floor, retry_after.value_or(milliseconds(0)));
}

// Pauses and blocks that depend on the kind of failure (the cut is done by the caller).
void ApplyBackoff(PacerState& state, SenderState& sender, const Grant& grant,
                  SendErrorClass error_class, PacerTime now,
                  std::optional<milliseconds> retry_after) {
  const PacerConfig& config = state.config;
  switch (error_class) {
    case SendErrorClass::kThrottleNumber:
      if (retry_after.has_value()) PauseUntil(sender, now.steady + *retry_after);
      break;
    case SendErrorClass::kSpam:
      PauseUntil(sender, now.steady + AtLeast(config.spam_pause, retry_after));
      break;
    case SendErrorClass::kPairRate:
      sender.pairs.Block(grant.recipient.value,
                         now.steady + AtLeast(config.pair_backoff, retry_after));
      break;
    case SendErrorClass::kThrottleAccount: {
      // 4 is the app's limit and 80007 the account's: every number of the portfolio waits.
      const SteadyTime until = now.steady + retry_after.value_or(config.account_pause);
      for (auto& [id, other] : state.senders) {
        if (other.portfolio == sender.portfolio) PauseUntil(other, until);
      }
      break;
    }
    default:
      break;
  }
}

// The additive increase and the expiry of a cut, for one tick of `elapsed`.
void Recover(const PacerConfig& config, SenderState& sender, PacerTime now,
             std::chrono::nanoseconds elapsed) {
  if (!sender.cut) return;
  if (now.steady - sender.last_cut >= config.decrease_expiry) {
    sender.adaptive = sender.level;
  } else if (sender.backlog > 0 && now.steady >= sender.hold_until &&
             now.steady - sender.last_cut >= config.increase_hold) {
    const double ceiling = std::min(sender.level, sender.warmup);
    const double seconds = std::chrono::duration<double>(elapsed).count();
    if (sender.adaptive < ceiling) {
      sender.adaptive =
          std::min(ceiling, sender.adaptive + ceiling * config.increase_per_second * seconds);
    }
    if (sender.adaptive >= ceiling) sender.adaptive = sender.level;
  }
  sender.cut = sender.adaptive < sender.level;
}

}  // namespace

double WarmupRatePerSecond(const std::vector<WarmupPoint>& ramp, SysTime start, SysTime now) {
  if (ramp.empty()) return detail::kNoWarmup;
  const milliseconds age = now - start;
  if (age <= ramp.front().age) return ramp.front().per_minute / 60.0;
  for (std::size_t i = 1; i < ramp.size(); ++i) {
    if (age < ramp[i].age) {
      const WarmupPoint& from = ramp[i - 1];
      const WarmupPoint& to = ramp[i];
      const double share = std::chrono::duration<double>(age - from.age) / (to.age - from.age);
      return (from.per_minute + (to.per_minute - from.per_minute) * share) / 60.0;
    }
  }
  return ramp.back().per_minute / 60.0;
}

void detail::RefreshRate(const PacerConfig& config, SenderState& sender, PacerTime now) {
  sender.warmup = sender.warmup_start.has_value()
                      ? WarmupRatePerSecond(config.warmup, *sender.warmup_start, now.wall)
                      : kNoWarmup;
  const double ceiling = std::min(sender.level, sender.warmup);
  const double rate = std::min(ceiling, sender.adaptive);
  if (rate >= sender.level) {
    sender.rate_reason = PaceReason::kRate;
  } else {
    sender.rate_reason = sender.adaptive < ceiling ? PaceReason::kBackoff : PaceReason::kWarmup;
  }
  if (rate != sender.spacer.rate()) sender.spacer.SetRate(rate);
}

void Pacer::OnFailed(const Grant& grant, const SendErrorInfo& error, PacerTime now,
                     std::optional<milliseconds> retry_after) {
  if (grant.tier_reserved) {
    const auto portfolio = state_->portfolios.find(grant.portfolio);
    if (portfolio != state_->portfolios.end()) {
      // A request that may have gone counts as accepted: the platform may have counted it.
      if (error.error_class == SendErrorClass::kUncertain) {
        portfolio->second.Confirm(grant.recipient.value, now.wall);
      } else {
        portfolio->second.Release(grant.recipient.value);
      }
    }
  }
  const auto it = state_->senders.find(grant.sender);
  if (it == state_->senders.end()) return;
  SenderState& sender = it->second;
  ++sender.counters.failed;
  if (error.error_class == SendErrorClass::kThrottleNumber) sender.answers.AddThrottled(now.steady);
  if (error.slows_number) {
    Cut(state_->config, sender, now, error.error_class == SendErrorClass::kThrottleNumber);
  }
  ApplyBackoff(*state_, sender, grant, error.error_class, now, retry_after);
  if (error.stops == StopScope::kNumber) Stop(sender, error.reason);
  if (error.stops == StopScope::kEverything) {
    for (auto& [id, other] : state_->senders) Stop(other, error.reason);
  }
}

void Pacer::OnTick(PacerTime now, std::span<const SenderBacklog> backlogs) {
  // Long gaps between ticks do not add up to a jump: at most one second counts.
  std::chrono::nanoseconds elapsed(0);
  if (state_->last_tick.has_value() && now.steady > *state_->last_tick) {
    elapsed = std::min<std::chrono::nanoseconds>(now.steady - *state_->last_tick,
                                                 std::chrono::seconds(1));
  }
  state_->last_tick = now.steady;
  for (auto& [id, sender] : state_->senders) sender.backlog = 0;
  for (const SenderBacklog& backlog : backlogs) {
    const auto it = state_->senders.find(backlog.sender);
    if (it != state_->senders.end()) it->second.backlog = backlog.due;
  }
  for (auto& [id, sender] : state_->senders) {
    Recover(state_->config, sender, now, elapsed);
    detail::RefreshRate(state_->config, sender, now);
    sender.pairs.Evict(now.steady);
    if (sender.restricted_until.has_value() && now.wall >= *sender.restricted_until) {
      sender.restricted_until.reset();
    }
    if (sender.pause_until <= now.steady) sender.pause_until = SteadyTime::min();
  }
  for (auto& [id, tier] : state_->portfolios) tier.Evict(now.wall);
}

}  // namespace herald::campaign
