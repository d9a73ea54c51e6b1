#include "campaign/pacer.h"

#include <cmath>
#include <utility>

#include "campaign/detail/pacer_state.h"

namespace herald::campaign {
namespace {

using detail::PacerState;
using detail::SenderState;

Error Invalid(std::string field, std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}

Status ValidateLevel(double per_second) {
  if (!(per_second > 0 && per_second <= kMaxLevelPerSecond)) {
    return Invalid("level_per_second", "must be above 0 and at most " +
                                           std::to_string(static_cast<int>(kMaxLevelPerSecond)));
  }
  return Status::Ok();
}

Status ValidateWarmup(const std::vector<WarmupPoint>& ramp) {
  for (std::size_t i = 0; i < ramp.size(); ++i) {
    if (!(ramp[i].per_minute > 0 && std::isfinite(ramp[i].per_minute))) {
      return Invalid("warmup", "every point needs a rate above 0 per minute");
    }
    if (i == 0 && ramp[i].age != std::chrono::milliseconds(0)) {
      return Invalid("warmup", "the first point must be at age 0");
    }
    if (i > 0 && ramp[i].age <= ramp[i - 1].age) {
      return Invalid("warmup", "ages must increase from point to point");
    }
  }
  return Status::Ok();
}

Status NotFound(SenderId sender) {
  return MakeError(ErrorCode::kNotFound, "no sender " + std::to_string(sender.value));
}

Admission Refuse(PaceReason reason, SteadyTime retry_at) {
  Admission admission;
  admission.reason = reason;
  admission.retry_at = retry_at;
  return admission;
}

// Checks 1 to 5 of the header: everything about the number, nothing about the recipient.
Admission CheckNumber(const SenderState& sender, const SendRequest& request, PacerTime now) {
  if (sender.paused) return Refuse(PaceReason::kPaused, kUntilChanged);
  if (sender.quality == Quality::kRed && request.purpose == Purpose::kMarketing) {
    return Refuse(PaceReason::kQualityRed, kUntilChanged);
  }
  const bool business_initiated =
      request.purpose != Purpose::kService && request.counts_toward_tier;
  if (business_initiated && sender.restricted_until.has_value() &&
      now.wall < *sender.restricted_until) {
    return Refuse(PaceReason::kRestricted, detail::ToSteady(*sender.restricted_until, now));
  }
  if (now.steady < sender.pause_until) return Refuse(PaceReason::kBackoff, sender.pause_until);
  const SteadyTime next = sender.spacer.NextGrant();
  if (now.steady < next) return Refuse(sender.rate_reason, next);
  return Admission{};
}

}  // namespace

std::string_view QualityName(Quality quality) {
  switch (quality) {
    case Quality::kUnknown:
      return "unknown";
    case Quality::kGreen:
      return "green";
    case Quality::kYellow:
      return "yellow";
    case Quality::kRed:
      return "red";
  }
  return "unknown";
}

std::string_view PaceReasonName(PaceReason reason) {
  switch (reason) {
    case PaceReason::kNone:
      return "";
    case PaceReason::kRate:
      return "rate";
    case PaceReason::kWarmup:
      return "warmup";
    case PaceReason::kBackoff:
      return "backoff";
    case PaceReason::kPairRate:
      return "pair_rate";
    case PaceReason::kTierCap:
      return "tier_cap";
    case PaceReason::kQualityRed:
      return "quality_red";
    case PaceReason::kRestricted:
      return "restricted";
    case PaceReason::kPaused:
      return "paused";
    case PaceReason::kUnknownSender:
      return "unknown_sender";
  }
  return "unknown";
}

Status ValidatePacerConfig(const PacerConfig& config) {
  using std::chrono::milliseconds;
  if (config.pair_interval <= milliseconds(0)) return Invalid("pair_interval", "must be above 0");
  if (config.pair_backoff < milliseconds(0)) return Invalid("pair_backoff", "must not be negative");
  if (config.lateness_credit < std::chrono::nanoseconds(0)) {
    return Invalid("lateness_credit", "must not be negative");
  }
  if (!(config.decrease_factor > 0 && config.decrease_factor < 1)) {
    return Invalid("decrease_factor", "must be above 0 and below 1");
  }
  if (!(config.accepted_rate_margin >= 0 && config.accepted_rate_margin < 1)) {
    return Invalid("accepted_rate_margin", "must be at least 0 and below 1");
  }
  if (config.decrease_hold < milliseconds(0))
    return Invalid("decrease_hold", "must not be negative");
  if (config.increase_hold < milliseconds(0))
    return Invalid("increase_hold", "must not be negative");
  if (config.decrease_expiry <= milliseconds(0)) {
    return Invalid("decrease_expiry", "must be above 0");
  }
  if (!(config.increase_per_second >= 0 && std::isfinite(config.increase_per_second))) {
    return Invalid("increase_per_second", "must be a number of at least 0");
  }
  if (!(config.min_rate_per_second > 0 && config.min_rate_per_second <= kMaxLevelPerSecond)) {
    return Invalid("min_rate_per_second", "must be above 0");
  }
  if (config.spam_pause < milliseconds(0)) return Invalid("spam_pause", "must not be negative");
  if (config.account_pause < milliseconds(0)) {
    return Invalid("account_pause", "must not be negative");
  }
  if (config.tier_window <= milliseconds(0)) return Invalid("tier_window", "must be above 0");
  if (config.tier_recheck <= milliseconds(0)) return Invalid("tier_recheck", "must be above 0");
  return ValidateWarmup(config.warmup);
}

Result<Pacer> Pacer::Create(PacerConfig config) {
  if (Status status = ValidatePacerConfig(config); !status.ok()) return status.error();
  return Pacer(std::make_unique<PacerState>(std::move(config)));
}

Pacer::Pacer(std::unique_ptr<PacerState> state) : state_(std::move(state)) {}
Pacer::Pacer(Pacer&&) noexcept = default;
Pacer& Pacer::operator=(Pacer&&) noexcept = default;
Pacer::~Pacer() = default;

const PacerConfig& Pacer::config() const { return state_->config; }

Status Pacer::AddSender(SenderId sender, const SenderSettings& settings, PacerTime now) {
  if (Status status = ValidateLevel(settings.level_per_second); !status.ok()) return status;
  if (state_->senders.contains(sender)) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "sender " + std::to_string(sender.value) + " was added already");
  }
  detail::TierWindow& tier = state_->Portfolio(settings.portfolio);
  SenderState& added =
      state_->senders.try_emplace(sender, sender, settings, state_->config, tier).first->second;
  detail::RefreshRate(state_->config, added, now);
  return Status::Ok();
}

Status Pacer::RemoveSender(SenderId sender) {
  if (state_->senders.erase(sender) == 0) return NotFound(sender);
  return Status::Ok();
}

Status Pacer::SetLevel(SenderId sender, double per_second, PacerTime now) {
  if (Status status = ValidateLevel(per_second); !status.ok()) return status;
  const auto it = state_->senders.find(sender);
  if (it == state_->senders.end()) return NotFound(sender);
  SenderState& state = it->second;
  state.level = per_second;
  state.adaptive = state.cut ? std::min(state.adaptive, per_second) : per_second;
  state.spacer.SetMaxRate(per_second);
  detail::RefreshRate(state_->config, state, now);
  return Status::Ok();
}

Status Pacer::SetQuality(SenderId sender, Quality quality) {
  const auto it = state_->senders.find(sender);
  if (it == state_->senders.end()) return NotFound(sender);
  it->second.quality = quality;
  return Status::Ok();
}

Status Pacer::SetWarmupStart(SenderId sender, std::optional<SysTime> start, PacerTime now) {
  const auto it = state_->senders.find(sender);
  if (it == state_->senders.end()) return NotFound(sender);
  it->second.warmup_start = start;
  detail::RefreshRate(state_->config, it->second, now);
  return Status::Ok();
}

Status Pacer::SetRestriction(SenderId sender, std::optional<SysTime> until) {
  const auto it = state_->senders.find(sender);
  if (it == state_->senders.end()) return NotFound(sender);
  it->second.restricted_until = until;
  return Status::Ok();
}

Status Pacer::SetPaused(SenderId sender, bool paused) {
  const auto it = state_->senders.find(sender);
  if (it == state_->senders.end()) return NotFound(sender);
  it->second.paused = paused;
  if (!paused) it->second.stop_reason.clear();
  return Status::Ok();
}

void Pacer::SetTierLimit(PortfolioId portfolio, std::optional<std::size_t> unique_users) {
  state_->Portfolio(portfolio).SetLimit(unique_users);
}

void Pacer::SeedTierUsage(PortfolioId portfolio, ContactId recipient, SysTime accepted_at) {
  state_->Portfolio(portfolio).Seed(recipient.value, accepted_at);
}

Admission Pacer::TryAcquire(const SendRequest& request, PacerTime now) {
  const auto it = state_->senders.find(request.sender);
  if (it == state_->senders.end()) return Refuse(PaceReason::kUnknownSender, kUntilChanged);
  SenderState& sender = it->second;
  Admission admission = CheckNumber(sender, request, now);
  if (admission.granted()) {
    const std::int64_t recipient = request.recipient.value;
    if (auto busy = sender.pairs.BusyUntil(recipient, now.steady)) {
      admission = Refuse(PaceReason::kPairRate, *busy);
    } else if (request.counts_toward_tier && !sender.tier->Reserve(recipient, now.wall)) {
      const auto next = sender.tier->NextFree(now.wall, state_->config.tier_recheck);
      admission = Refuse(PaceReason::kTierCap, next ? detail::ToSteady(*next, now) : kUntilChanged);
    }
  }
  if (!admission.granted()) {
    ++sender.counters.refused[static_cast<std::size_t>(admission.reason)];
    return admission;
  }
  sender.pairs.Take(request.recipient.value, now.steady, state_->config.pair_interval);
  sender.spacer.Grant(now.steady);
  ++sender.counters.granted;
  admission.grant =
      Grant{request.sender, sender.portfolio, request.recipient, request.counts_toward_tier};
  return admission;
}

void Pacer::OnAccepted(const Grant& grant, PacerTime now) {
  if (grant.tier_reserved) {
    const auto portfolio = state_->portfolios.find(grant.portfolio);
    if (portfolio != state_->portfolios.end()) {
      portfolio->second.Confirm(grant.recipient.value, now.wall);
    }
  }
  const auto it = state_->senders.find(grant.sender);
  if (it == state_->senders.end()) return;
  ++it->second.counters.accepted;
  it->second.answers.AddAccepted(now.steady);
}

std::vector<SenderId> Pacer::Senders() const {
  std::vector<SenderId> ids;
  ids.reserve(state_->senders.size());
  for (const auto& [id, sender] : state_->senders) ids.push_back(id);
  return ids;
}

namespace {

PaceReason SlowedBy(const SenderState& sender, PacerTime now) {
  if (sender.paused) return PaceReason::kPaused;
  if (sender.restricted_until.has_value() && now.wall < *sender.restricted_until) {
    return PaceReason::kRestricted;
  }
  if (sender.quality == Quality::kRed) return PaceReason::kQualityRed;
  if (now.steady < sender.pause_until) return PaceReason::kBackoff;
  return sender.rate_reason == PaceReason::kRate ? PaceReason::kNone : sender.rate_reason;
}

}  // namespace

std::optional<SenderSnapshot> Pacer::Snapshot(SenderId id, PacerTime now) const {
  const auto it = state_->senders.find(id);
  if (it == state_->senders.end()) return std::nullopt;
  const SenderState& sender = it->second;
  SenderSnapshot snapshot;
  snapshot.sender = id;
  snapshot.portfolio = sender.portfolio;
  snapshot.quality = sender.quality;
  snapshot.level_per_second = sender.level;
  snapshot.warmup_per_second = sender.warmup == detail::kNoWarmup ? 0 : sender.warmup;
  snapshot.adaptive_per_second = sender.adaptive;
  snapshot.allowed_per_second = sender.spacer.rate();
  snapshot.slowed_by = SlowedBy(sender, now);
  if (now.steady < sender.pause_until) snapshot.backoff_until = sender.pause_until;
  if (now.steady < sender.hold_until) snapshot.hold_until = sender.hold_until;
  if (sender.restricted_until.has_value() && now.wall < *sender.restricted_until) {
    snapshot.restricted_until = sender.restricted_until;
  }
  snapshot.paused = sender.paused;
  snapshot.stop_reason = sender.stop_reason;
  snapshot.next_slot = std::max(sender.spacer.NextGrant(), now.steady);
  snapshot.tokens = sender.spacer.Available(now.steady);
  snapshot.pair_keys = sender.pairs.size();
  snapshot.tier_used = sender.tier->used();
  snapshot.tier_in_flight = sender.tier->pending();
  snapshot.tier_limit = sender.tier->limit();
  snapshot.counters = sender.counters;
  return snapshot;
}

}  // namespace herald::campaign
