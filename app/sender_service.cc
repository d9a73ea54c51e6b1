#include "app/sender_service.h"

#include <cctype>
#include <charconv>
#include <utility>

#include "common/log.h"

namespace herald::app {
namespace {

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Error Invalid(std::string message, std::string_view field) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::string(field));
}

}  // namespace

TierLimit MessagingTierLimit(std::string_view tier) {
  if (tier == "TIER_UNLIMITED") return {std::nullopt, true};
  // TIER_<digits>[K|M]: the platform's ladder, and any step it adds later.
  if (tier.starts_with("TIER_")) {
    std::string_view rest = tier.substr(5);
    std::int64_t multiplier = 1;
    if (!rest.empty() && (rest.back() == 'K' || rest.back() == 'M')) {
      multiplier = rest.back() == 'K' ? 1000 : 1000000;
      rest.remove_suffix(1);
    }
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (error == std::errc() && end == rest.data() + rest.size() && value > 0 &&
        value < (std::int64_t{1} << 40)) {
      return {value * multiplier, true};
    }
  }
  return {250, false};
}

Result<std::string> CanonicalTier(std::string_view tier, std::string_view field) {
  const std::string upper = Upper(tier);
  bool shaped = upper.size() > 5 && upper.size() <= 64 && upper.starts_with("TIER_");
  for (char c : upper) {
    shaped = shaped && (std::isupper(static_cast<unsigned char>(c)) ||
                        std::isdigit(static_cast<unsigned char>(c)) || c == '_');
  }
  if (!shaped) {
    return Invalid(
        "expected a messaging limit tier such as TIER_250, TIER_2K, TIER_10K, "
        "TIER_100K or TIER_UNLIMITED",
        field);
  }
  return upper;
}

Result<std::string> CanonicalQuality(std::string_view quality, std::string_view field) {
  const std::string upper = Upper(quality);
  if (upper == "GREEN" || upper == "HIGH") return std::string("GREEN");
  if (upper == "YELLOW" || upper == "MEDIUM") return std::string("YELLOW");
  if (upper == "RED" || upper == "LOW") return std::string("RED");
  if (upper == "UNKNOWN") return upper;
  return Invalid("expected GREEN, YELLOW, RED or UNKNOWN", field);
}

Result<std::string> CanonicalSenderState(std::string_view state, std::string_view field) {
  if (state == "active" || state == "paused" || state == "disabled") return std::string(state);
  return Invalid("expected active, paused or disabled", field);
}

Status CheckThroughput(double throughput, std::string_view field) {
  if (!(throughput > 0 && throughput <= 10000)) {
    return Invalid("expected messages per second, more than 0 and at most 10000", field);
  }
  return Status::Ok();
}

Status CheckPhoneNumberId(std::string_view id, std::string_view field) {
  bool valid = !id.empty() && id.size() <= 64;
  for (char c : id) {
    valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  }
  if (!valid) return Invalid("expected 1-64 ASCII letters, digits, '_' or '-'", field);
  return Status::Ok();
}

SenderService::SenderService(storage::Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

Status SenderService::Start() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  auto portfolios = (*reader)->senders().ListPortfolios();
  if (!portfolios.ok()) return portfolios.error();
  auto senders = (*reader)->senders().List();
  if (!senders.ok()) return senders.error();
  std::lock_guard lock(mutex_);
  for (Portfolio& portfolio : *portfolios) {
    const std::string name = portfolio.name;
    portfolios_[name] = std::move(portfolio);
  }
  for (Sender& sender : *senders) {
    const std::string id = sender.phone_number_id;
    senders_[id] = std::move(sender);
  }
  return Status::Ok();
}

SenderView SenderService::View(const Sender& sender) const {
  SenderView view{sender, {}, std::nullopt};
  if (auto portfolio = portfolios_.find(sender.portfolio); portfolio != portfolios_.end()) {
    view.portfolio = portfolio->second;
  }
  return view;
}

std::vector<SenderView> SenderService::List() const {
  PacingSource pacing;
  std::vector<SenderView> views;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, sender] : senders_) views.push_back(View(sender));
    pacing = pacing_;
  }
  if (pacing) {
    for (SenderView& view : views) view.pacing = pacing(view.sender.id);
  }
  return views;
}

Result<SenderView> SenderService::Get(std::string_view phone_number_id) const {
  PacingSource pacing;
  SenderView view;
  {
    std::lock_guard lock(mutex_);
    auto found = senders_.find(phone_number_id);
    if (found == senders_.end()) {
      return MakeError(ErrorCode::kNotFound,
                       "no sender with phone_number_id " + std::string(phone_number_id),
                       "phone_number_id");
    }
    view = View(found->second);
    pacing = pacing_;
  }
  if (pacing) view.pacing = pacing(view.sender.id);
  return view;
}

std::optional<Sender> SenderService::FindById(SenderId id) const {
  std::lock_guard lock(mutex_);
  for (const auto& [key, sender] : senders_) {
    if (sender.id == id) return sender;
  }
  return std::nullopt;
}

std::vector<Portfolio> SenderService::Portfolios() const {
  std::lock_guard lock(mutex_);
  std::vector<Portfolio> out;
  for (const auto& [name, portfolio] : portfolios_) out.push_back(portfolio);
  return out;
}

Result<Portfolio> SenderService::GetPortfolio(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto found = portfolios_.find(name);
  if (found == portfolios_.end()) {
    return MakeError(ErrorCode::kNotFound, "no portfolio named " + std::string(name), "name");
  }
  return found->second;
}

void SenderService::AddListener(Listener listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

void SenderService::SetPacingSource(PacingSource source) {
  std::lock_guard lock(mutex_);
  pacing_ = std::move(source);
}

void SenderService::Remember(const Sender& sender, const std::optional<Portfolio>& portfolio) {
  std::vector<Listener> listeners;
  Portfolio current;
  {
    std::lock_guard lock(mutex_);
    if (portfolio) portfolios_[portfolio->name] = *portfolio;
    senders_[sender.phone_number_id] = sender;
    listeners = listeners_;
    current = portfolios_[sender.portfolio];
  }
  for (const Listener& listener : listeners) listener(sender, current);
}

// Writes the sender (and its portfolio when it changed) in one job; the memory copy follows.
void SenderService::Commit(Sender sender, std::optional<Portfolio> portfolio, std::string action,
                           storage::Change change, bool create, Reply<SenderView> reply) {
  auto written = std::make_shared<Sender>(std::move(sender));
  auto actor = std::make_shared<std::string>(change.actor);
  auto reason = std::make_shared<std::string>(change.reason);
  Status queued = store_.Submit(
      [written, portfolio, action, actor, reason, at = change.at,
       create](storage::UnitOfWork& work) -> Status {
        const storage::Change change{*actor, *reason, at};
        if (portfolio) {
          if (Status saved = work.senders().SavePortfolio(*portfolio, change); !saved.ok()) {
            return saved;
          }
        }
        if (!create) return work.senders().Update(*written, action, change);
        auto id = work.senders().Insert(*written, change);
        if (!id.ok()) return id.error();
        written->id = *id;
        return Status::Ok();
      },
      [this, written, portfolio, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        Remember(*written, portfolio);
        reply(Get(written->phone_number_id));
      });
  if (!queued.ok()) reply(queued.error());
}

void SenderService::Create(NewSender spec, std::string actor, std::string reason,
                           Reply<SenderView> reply) {
  if (Status valid = CheckPhoneNumberId(spec.phone_number_id, "phone_number_id"); !valid.ok()) {
    return reply(valid.error());
  }
  if (spec.portfolio.empty() || spec.portfolio.size() > 128) {
    return reply(Invalid("expected a portfolio name of 1-128 bytes", "portfolio"));
  }
  const SysTime now = clock_.Now();
  Sender sender;
  sender.phone_number_id = spec.phone_number_id;
  sender.display_phone_number = spec.display_phone_number;
  sender.portfolio = spec.portfolio;
  if (spec.throughput) {
    if (Status valid = CheckThroughput(*spec.throughput, "throughput"); !valid.ok()) {
      return reply(valid.error());
    }
    sender.throughput_per_s = *spec.throughput;
  }
  if (spec.quality) {
    auto quality = CanonicalQuality(*spec.quality, "quality");
    if (!quality.ok()) return reply(quality.error());
    sender.quality = *quality;
  }
  if (spec.state) {
    auto state = CanonicalSenderState(*spec.state, "state");
    if (!state.ok()) return reply(state.error());
    sender.state = *state;
  }
  if (spec.warmup) sender.warmup_started_at = now;
  std::optional<Portfolio> portfolio;
  {
    std::lock_guard lock(mutex_);
    if (senders_.contains(spec.phone_number_id)) {
      return reply(MakeError(ErrorCode::kAlreadyExists,
                             "a sender with phone_number_id " + spec.phone_number_id + " exists",
                             "phone_number_id"));
    }
    auto existing = portfolios_.find(spec.portfolio);
    if (existing == portfolios_.end()) {
      portfolio = Portfolio{.name = spec.portfolio};
    } else if (spec.messaging_limit_tier) {
      portfolio = existing->second;
    }
  }
  if (spec.messaging_limit_tier) {
    auto tier = CanonicalTier(*spec.messaging_limit_tier, "messaging_limit_tier");
    if (!tier.ok()) return reply(tier.error());
    portfolio->messaging_tier = *tier;
  }
  Commit(std::move(sender), std::move(portfolio), "sender.create", {actor, reason, now}, true,
         std::move(reply));
}

void SenderService::Update(std::string phone_number_id, SenderPatch patch, std::string actor,
                           std::string reason, Reply<SenderView> reply) {
  const SysTime now = clock_.Now();
  Sender sender;
  std::optional<Portfolio> portfolio;
  {
    std::lock_guard lock(mutex_);
    auto found = senders_.find(phone_number_id);
    if (found == senders_.end()) {
      return reply(MakeError(ErrorCode::kNotFound,
                             "no sender with phone_number_id " + phone_number_id,
                             "phone_number_id"));
    }
    sender = found->second;
    if (patch.portfolio) sender.portfolio = *patch.portfolio;
    auto existing = portfolios_.find(sender.portfolio);
    if (existing == portfolios_.end()) {
      portfolio = Portfolio{.name = sender.portfolio};
    } else if (patch.messaging_limit_tier) {
      portfolio = existing->second;
    }
  }
  if (sender.portfolio.empty() || sender.portfolio.size() > 128) {
    return reply(Invalid("expected a portfolio name of 1-128 bytes", "portfolio"));
  }
  if (patch.messaging_limit_tier) {
    auto tier = CanonicalTier(*patch.messaging_limit_tier, "messaging_limit_tier");
    if (!tier.ok()) return reply(tier.error());
    portfolio->messaging_tier = *tier;
  }
  if (patch.display_phone_number) sender.display_phone_number = *patch.display_phone_number;
  if (patch.throughput) {
    if (Status valid = CheckThroughput(*patch.throughput, "throughput"); !valid.ok()) {
      return reply(valid.error());
    }
    sender.throughput_per_s = *patch.throughput;
  }
  if (patch.quality) {
    auto quality = CanonicalQuality(*patch.quality, "quality");
    if (!quality.ok()) return reply(quality.error());
    sender.quality = *quality;
  }
  std::string action = "sender.update";
  if (patch.state) {
    auto state = CanonicalSenderState(*patch.state, "state");
    if (!state.ok()) return reply(state.error());
    if (*state != sender.state) {
      action = *state == "paused"   ? "sender.pause"
               : *state == "active" ? "sender.resume"
                                    : "sender.disable";
    }
    sender.state = *state;
    sender.state_reason = sender.state == "active" ? "" : reason;
  }
  if (patch.warmup) {
    sender.warmup_started_at = *patch.warmup ? std::optional<SysTime>(now) : std::nullopt;
  }
  Commit(std::move(sender), std::move(portfolio), std::move(action), {actor, reason, now}, false,
         std::move(reply));
}

void SenderService::UpdatePortfolio(std::string name, PortfolioPatch patch, std::string actor,
                                    std::string reason, Reply<Portfolio> reply) {
  const SysTime now = clock_.Now();
  Portfolio portfolio;
  {
    std::lock_guard lock(mutex_);
    auto found = portfolios_.find(name);
    if (found == portfolios_.end()) {
      portfolio.name = name;
    } else {
      portfolio = found->second;
    }
  }
  if (name.empty() || name.size() > 128) {
    return reply(Invalid("expected a portfolio name of 1-128 bytes", "name"));
  }
  if (patch.messaging_limit_tier) {
    auto tier = CanonicalTier(*patch.messaging_limit_tier, "messaging_limit_tier");
    if (!tier.ok()) return reply(tier.error());
    portfolio.messaging_tier = *tier;
  }
  if (patch.restricted_until) {
    if (*patch.restricted_until <= now) {
      portfolio.restricted_until.reset();
      portfolio.restriction_type.clear();
    } else {
      portfolio.restricted_until = patch.restricted_until;
      portfolio.restriction_type =
          patch.restriction_type.value_or("RESTRICTED_BIZ_INITIATED_MESSAGING");
    }
  }
  auto saved = std::make_shared<Portfolio>(std::move(portfolio));
  auto strings = std::make_shared<std::pair<std::string, std::string>>(actor, reason);
  Status queued = store_.Submit(
      [saved, strings, now](storage::UnitOfWork& work) {
        return work.senders().SavePortfolio(*saved, {strings->first, strings->second, now});
      },
      [this, saved, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        std::vector<Listener> listeners;
        std::vector<Sender> members;
        {
          std::lock_guard lock(mutex_);
          portfolios_[saved->name] = *saved;
          listeners = listeners_;
          for (const auto& [id, sender] : senders_) {
            if (sender.portfolio == saved->name) members.push_back(sender);
          }
        }
        for (const Sender& sender : members) {
          for (const Listener& listener : listeners) listener(sender, *saved);
        }
        reply(*saved);
      });
  if (!queued.ok()) reply(queued.error());
}

}  // namespace herald::app
