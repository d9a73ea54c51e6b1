// The runner's intake (app/runner_loop.h): senders and campaigns from their services, claims of
// due deliveries, their preparation on the worker, and the choice of a number for each.
#include <algorithm>
#include <boost/json.hpp>

#include "app/runner_loop.h"
#include "common/log.h"

namespace herald::app {

namespace json = boost::json;

namespace {

campaign::Quality QualityOf(std::string_view quality) {
  if (quality == "GREEN") return campaign::Quality::kGreen;
  if (quality == "YELLOW") return campaign::Quality::kYellow;
  if (quality == "RED") return campaign::Quality::kRed;
  return campaign::Quality::kUnknown;
}

}  // namespace

void RunnerLoop::SyncSenders(const campaign::PacerTime& now) {
  std::map<std::string, Portfolio> portfolios;
  for (const Portfolio& portfolio : runner.senders_.Portfolios()) {
    const campaign::PortfolioId id{portfolio.id};
    state.portfolios[portfolio.name] = id;
    const TierLimit limit = MessagingTierLimit(portfolio.messaging_tier);
    state.pacer.SetTierLimit(id,
                             limit.users ? std::optional<std::size_t>(*limit.users) : std::nullopt);
    portfolios[portfolio.name] = portfolio;
  }
  for (const SenderView& view : runner.senders_.List()) {
    const Sender& sender = view.sender;
    const Portfolio& portfolio = portfolios[sender.portfolio];
    campaign::SenderSettings settings;
    settings.portfolio = state.portfolios[sender.portfolio];
    settings.level_per_second = sender.throughput_per_s;
    settings.quality = QualityOf(sender.quality);
    settings.warmup_start = sender.warmup_started_at;
    settings.restricted_until = portfolio.restricted_until;
    settings.paused = sender.state != "active";
    auto [entry, added] = state.senders.try_emplace(sender.id);
    if (sender.state == "active" && (added || entry->second.record.state != "active")) {
      state.sender_came_back = true;
    }
    entry->second.record = sender;
    if (sender.state != "active") entry->second.pause_requested = false;  // the pause arrived
    if (added) {
      entry->second.allowed_per_second = sender.throughput_per_s;
      if (runner.sends_ != nullptr) {
        entry->second.outcomes = runner.sends_->ForSender(sender.phone_number_id);
      }
      if (Status status = state.pacer.AddSender(sender.id, settings, now); !status.ok()) {
        log::Error("event=runner_sender_refused sender={} error={}",
                   log::Quoted(sender.phone_number_id), log::Quoted(status.error().ToString()));
      }
      continue;
    }
    (void)state.pacer.SetLevel(sender.id, settings.level_per_second, now);
    (void)state.pacer.SetQuality(sender.id, settings.quality);
    (void)state.pacer.SetWarmupStart(sender.id, settings.warmup_start, now);
    (void)state.pacer.SetRestriction(sender.id, settings.restricted_until);
    (void)state.pacer.SetPaused(sender.id, settings.paused);
    entry->second.wake = {};
  }
}

void RunnerLoop::SyncCampaigns() {
  std::map<CampaignId, ActiveCampaign> active;
  for (ActiveCampaign& campaign : runner.campaigns_.Active()) {
    if (campaign.running) active.emplace(campaign.id, std::move(campaign));
  }
  active.emplace(kSingles, ActiveCampaign{.id = kSingles, .running = true});
  for (auto it = state.campaigns.begin(); it != state.campaigns.end();) {
    if (active.contains(it->first)) {
      ++it;
      continue;
    }
    Withdraw(it->first);  // paused, cancelled, expired: give its queued claims back
    it = state.campaigns.erase(it);
  }
  for (auto& [id, campaign] : active) state.campaigns[id].campaign = std::move(campaign);
  if (state.sender_came_back) WakeWaitingForSender();
}

void RunnerLoop::WakeWaitingForSender() {
  state.sender_came_back = false;
  std::vector<std::optional<CampaignId>> which;
  for (const auto& [id, entry] : state.campaigns) {
    which.push_back(id == kSingles ? std::nullopt : std::optional<CampaignId>(id));
  }
  const SysTime now = runner.clock_.Now();
  Write(
      [which, now](storage::UnitOfWork& work) -> Status {
        for (const auto& campaign : which) {
          auto due = work.deliveries().MakeDueNow(campaign, "waiting:no_sender", now);
          if (!due.ok()) return due.error();
        }
        return Status::Ok();
      },
      [this](const Status& status) {
        if (!status.ok()) {
          log::Warn("event=runner_wake_waiting_failed error={}",
                    log::Quoted(status.error().ToString()));
          return;
        }
        // Claim them now rather than at the next poll.
        for (auto& [id, entry] : state.campaigns) entry.next_claim = {};
      });
}

// Takes a campaign's messages out of the numbers' queues and gives their claims back. What
// is already marked or in flight finishes.
void RunnerLoop::Withdraw(CampaignId campaign) {
  std::vector<DeliveryId> released;
  for (auto& [sender, entry] : state.senders) {
    for (const campaign::QueuedSend& send : entry.queue.RemoveCampaign(campaign)) {
      state.held.erase(send.delivery);
      released.push_back(send.delivery);
    }
  }
  Release(std::move(released));
}

void RunnerLoop::Release(std::vector<DeliveryId> ids) {
  if (ids.empty()) return;
  for (DeliveryId id : ids) state.claimed.erase(id);
  const std::string owner = runner.owner_;
  const SysTime now = runner.clock_.Now();
  Write(
      [owner, ids = std::move(ids), now](storage::UnitOfWork& work) -> Status {
        auto done = work.deliveries().ReleaseClaims(owner, ids, now);
        return done.ok() ? Status::Ok() : Status(done.error());
      },
      nullptr);
}

bool RunnerLoop::MayUse(const ActiveCampaign& campaign, SenderId id) const {
  auto entry = state.senders.find(id);
  if (entry == state.senders.end() || entry->second.record.state != "active") return false;
  return campaign.senders.empty() ||
         std::find(campaign.senders.begin(), campaign.senders.end(), id) != campaign.senders.end();
}

double RunnerLoop::AllowedRate(const ActiveCampaign& campaign) const {
  double rate = 0;
  for (const auto& [id, entry] : state.senders) {
    if (MayUse(campaign, id)) rate += entry.allowed_per_second;
  }
  return rate;
}

void RunnerLoop::MaybeClaim(const campaign::PacerTime& now) {
  if (state.lease_lost || state.draining) return;
  for (auto& [id, entry] : state.campaigns) {
    if (entry.claiming || entry.cap_reached || now.steady < entry.next_claim) continue;
    // About three seconds of sending, at least a small batch.
    const double rate = AllowedRate(entry.campaign);
    const std::size_t want = std::clamp<std::size_t>(static_cast<std::size_t>(rate * 3), 20,
                                                     runner.options_.claim_batch);
    if (entry.buffered >= want / 2 + 1) continue;
    entry.claiming = true;
    Claim(id, want - entry.buffered, now);
  }
}

void RunnerLoop::Claim(CampaignId campaign, std::size_t limit, const campaign::PacerTime& now) {
  auto claimed = std::make_shared<std::vector<storage::ClaimedDelivery>>();
  const std::string owner = runner.owner_;
  const SysTime deadline = now.wall + runner.options_.claim_ttl;
  const SysTime wall = now.wall;
  // A capped campaign's spend so far is read with its first claim, before this runner hands
  // anything of it over; from then on the runner counts it.
  auto found = state.campaigns.find(campaign);
  const bool read_spend = found != state.campaigns.end() &&
                          found->second.campaign.spend_cap_micros.has_value() &&
                          !found->second.committed_micros.has_value();
  auto spent = std::make_shared<std::optional<std::int64_t>>();
  Write(
      [owner, campaign, limit, wall, deadline, claimed, read_spend,
       spent](storage::UnitOfWork& work) -> Status {
        const std::optional<CampaignId> which =
            campaign == kSingles ? std::nullopt : std::optional<CampaignId>(campaign);
        if (read_spend) {
          auto committed = work.deliveries().CommittedSpend(campaign);
          if (!committed.ok()) return committed.error();
          *spent = *committed;
        }
        auto taken = work.deliveries().ClaimDue(owner, which, wall, deadline, limit);
        if (!taken.ok()) return taken.error();
        *claimed = std::move(*taken);
        return Status::Ok();
      },
      [this, campaign, claimed, spent](const Status& status) {
        if (status.ok() && spent->has_value()) {
          if (auto entry = state.campaigns.find(campaign);
              entry != state.campaigns.end() && !entry->second.committed_micros) {
            entry->second.committed_micros = **spent;
          }
        }
        OnClaimed(campaign, status, claimed);
      });
}

void RunnerLoop::OnClaimed(CampaignId id, const Status& status,
                           const std::shared_ptr<std::vector<storage::ClaimedDelivery>>& claimed) {
  auto found = state.campaigns.find(id);
  const SteadyTime now = SteadyClock::now();
  if (found == state.campaigns.end()) {  // paused while claiming: give them back
    std::vector<DeliveryId> ids;
    for (const auto& delivery : *claimed) ids.push_back(delivery.id);
    Release(std::move(ids));
    return;
  }
  CampaignEntry& entry = found->second;
  entry.claiming = false;
  if (!status.ok()) {
    log::Warn("event=runner_claim_failed campaign={} error={}", id.value,
              log::Quoted(status.error().ToString()));
    entry.next_claim = now + std::chrono::seconds(1);
    return;
  }
  Count(&CampaignRunner::Totals::claimed, claimed->size());
  // Nothing due: look again in a second (retries and local times come due later).
  entry.next_claim = claimed->empty() ? now + std::chrono::seconds(1) : now;
  if (claimed->empty()) return;
  entry.buffered += claimed->size();
  for (const auto& delivery : *claimed) state.claimed.insert(delivery.id);
  auto gate = runner.compliance_.gate();
  auto rules = std::make_shared<std::vector<storage::MarketRuleRecord>>(state.market_rules);
  auto campaign = std::make_shared<ActiveCampaign>(entry.campaign);
  // The task may still run after the runner's thread (and this loop) ended, at a stop: it
  // touches the runner itself, never the loop; what it posts back runs only while the loop does.
  CampaignRunner* owner = &runner;
  owner->preparer_.Post([this, owner, gate, rules, claimed, campaign](storage::UnitOfWork& reader) {
    auto prepared = std::make_shared<Preparation>();
    if (campaign->id == kSingles) {
      // Each single message carries its own content.
      for (const storage::ClaimedDelivery& delivery : *claimed) {
        ActiveCampaign single{.id = kSingles, .running = true};
        auto content = ParseCampaignContent(json::parse(delivery.message_json));
        if (!content.ok()) {
          prepared->outcomes.push_back({.id = delivery.id,
                                        .state = DeliveryState::kFailed,
                                        .reason = "failed:unreadable_message"});
          continue;
        }
        single.content = std::move(*content);
        Preparation one = PrepareSends(reader, *gate, *rules, std::span(&delivery, 1), single,
                                       owner->clock_.Now());
        for (auto& send : one.sends) prepared->sends.push_back(std::move(send));
        for (auto& outcome : one.outcomes) prepared->outcomes.push_back(std::move(outcome));
      }
    } else {
      *prepared = PrepareSends(reader, *gate, *rules, *claimed, *campaign, owner->clock_.Now());
    }
    auto attempts = std::make_shared<std::unordered_map<DeliveryId, std::int64_t>>();
    for (const auto& delivery : *claimed) (*attempts)[delivery.id] = delivery.attempts;
    owner->Post(
        [this, id = campaign->id, prepared, attempts] { OnPrepared(id, *prepared, *attempts); });
  });
}

// The number for a prepared send among those the campaign may use.
std::optional<SenderId> RunnerLoop::ChooseSender(const ActiveCampaign& campaign,
                                                 const PreparedSend& send) {
  if (campaign.id == kSingles && send.assigned && MayUse(campaign, *send.assigned)) {
    return send.assigned;  // the number the request named
  }
  for (SenderId id : send.open_windows) {
    if (MayUse(campaign, id)) return id;
  }
  if (send.last_sender && MayUse(campaign, *send.last_sender)) return send.last_sender;
  if (send.assigned && MayUse(campaign, *send.assigned)) return send.assigned;
  std::optional<SenderId> best;
  double best_wait = 0;
  for (const auto& [id, entry] : state.senders) {
    if (!MayUse(campaign, id)) continue;
    const double wait = static_cast<double>(entry.queue.size() + entry.ready.size() + 1) /
                        std::max(entry.allowed_per_second, 1e-6);
    if (!best || wait < best_wait) {
      best = id;
      best_wait = wait;
    }
  }
  return best;
}

void RunnerLoop::OnPrepared(CampaignId id, Preparation& prepared,
                            const std::unordered_map<DeliveryId, std::int64_t>& attempts) {
  Count(&CampaignRunner::Totals::refused, prepared.outcomes.size());
  Count(&CampaignRunner::Totals::prepared, prepared.sends.size());
  if (SendMetrics* sends = runner.sends_; sends != nullptr) {
    // Decided before a number was chosen: sender "none".
    for (const DeliveryOutcome& outcome : prepared.outcomes) {
      sends->CountDecision(outcome.reason);
      if (auto counted = SendMetrics::OutcomeOf(outcome.state)) sends->NoSender().Count(*counted);
    }
  }
  for (DeliveryOutcome& outcome : prepared.outcomes) Settle(std::move(outcome), id);
  auto found = state.campaigns.find(id);
  if (found == state.campaigns.end() || state.draining) {
    std::vector<DeliveryId> back;
    for (const PreparedSend& send : prepared.sends) back.push_back(send.delivery);
    if (found != state.campaigns.end()) found->second.buffered -= back.size();
    Release(std::move(back));
    return;
  }
  for (PreparedSend& send : prepared.sends) {
    auto sender = ChooseSender(found->second.campaign, send);
    if (!sender) {
      Settle({.id = send.delivery,
              .state = DeliveryState::kQueued,
              .reason = "waiting:no_sender",
              .not_before = runner.clock_.Now() + std::chrono::seconds(30)},
             id);
      continue;
    }
    const campaign::QueuedSend queued{
        send.delivery, send.contact, send.purpose,
        id == kSingles ? std::nullopt : std::optional<CampaignId>(id)};
    Held held{std::move(send), *sender, {}, 0};
    if (auto known = attempts.find(queued.delivery); known != attempts.end()) {
      held.attempts = known->second;
    }
    state.held.insert_or_assign(queued.delivery, std::move(held));
    if (id == kSingles) {
      state.senders[*sender].queue.PushSingle(queued);
    } else {
      state.senders[*sender].queue.PushCampaign(id, queued);
    }
  }
}

}  // namespace herald::app
