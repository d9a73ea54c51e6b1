// The pacer's state (campaign/pacer.h), shared by pacer.cc (admission, setters, snapshots) and
// pacer_adaptive.cc (failures, the adaptive rate, ticks).
//
// Thread rules: owned by one Pacer; not thread-safe.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <unordered_map>

#include "campaign/detail/answer_meter.h"
#include "campaign/detail/pair_limiter.h"
#include "campaign/detail/rate_spacer.h"
#include "campaign/detail/tier_window.h"
#include "campaign/pacer.h"

namespace herald::campaign::detail {

inline constexpr double kNoWarmup = std::numeric_limits<double>::infinity();

struct SenderState {
  SenderState(SenderId sender_id, const SenderSettings& settings, const PacerConfig& config,
              TierWindow& portfolio_tier)
      : id(sender_id),
        portfolio(settings.portfolio),
        tier(&portfolio_tier),
        level(settings.level_per_second),
        quality(settings.quality),
        warmup_start(settings.warmup_start),
        restricted_until(settings.restricted_until),
        paused(settings.paused),
        adaptive(settings.level_per_second),
        spacer(settings.level_per_second, settings.level_per_second, config.lateness_credit) {}

  SenderId id;
  PortfolioId portfolio;
  TierWindow* tier;  // the portfolio's, owned by PacerState::portfolios (nodes do not move)

  // Settings.
  double level;
  Quality quality;
  std::optional<SysTime> warmup_start;
  std::optional<SysTime> restricted_until;
  bool paused;
  std::string stop_reason;  // set when a failure stopped the number

  // Rates per second: the spacing runs at min(level, warmup, adaptive).
  double warmup = kNoWarmup;
  double adaptive;
  PaceReason rate_reason = PaceReason::kRate;  // which of the three binds

  // The adaptive state. SteadyTime::min(): none.
  bool cut = false;  // adaptive is below the level because of a cut
  SteadyTime last_cut = SteadyTime::min();
  SteadyTime hold_until = SteadyTime::min();
  SteadyTime pause_until = SteadyTime::min();
  std::size_t backlog = 0;  // as of the last tick

  RateSpacer spacer;
  PairLimiter pairs;
  AnswerMeter answers;
  PacerCounters counters;
};

struct PacerState {
  explicit PacerState(PacerConfig pacer_config) : config(std::move(pacer_config)) {}

  PacerConfig config;
  std::unordered_map<SenderId, SenderState> senders;
  std::unordered_map<PortfolioId, TierWindow> portfolios;
  std::optional<SteadyTime> last_tick;

  TierWindow& Portfolio(PortfolioId portfolio) {
    return portfolios.try_emplace(portfolio, config.default_tier_limit, config.tier_window)
        .first->second;
  }
};

// The rates after a change of level, warm-up, adaptive rate or time: re-reads the warm-up ramp
// at now.wall and sets the spacing to min(level, warm-up, adaptive).
void RefreshRate(const PacerConfig& config, SenderState& sender, PacerTime now);

// The monotonic instant of a wall-clock instant, by the two readings of `now`.
inline SteadyTime ToSteady(SysTime wall, PacerTime now) {
  return now.steady + std::chrono::duration_cast<std::chrono::nanoseconds>(wall - now.wall);
}

}  // namespace herald::campaign::detail
