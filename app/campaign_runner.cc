#include "app/campaign_runner.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cerrno>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "app/send_preparation.h"
#include "campaign/send_queue.h"
#include "common/log.h"
#include "common/time.h"
#include "storage/campaign_repository.h"
#include "storage/lease_repository.h"
#include "storage/market_rule_repository.h"

namespace herald::app {
namespace {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;
using SteadyTime = SteadyClock::time_point;
using storage::DeliveryOutcome;
using storage::DeliveryState;

constexpr std::string_view kLeaseName = "sender";
constexpr std::size_t kMarkBatch = 512;
constexpr std::size_t kOutcomeBatch = 1000;
constexpr std::size_t kGrantsPerPass = 2000;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string MakeOwner() {
  std::random_device random;
  const std::uint64_t nonce = (std::uint64_t{random()} << 32) ^ random();
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(nonce));
  return HostName() + ":" + std::to_string(getpid()) + ":" + suffix;
}

bool ProcessAlive(std::int64_t pid) {
  if (pid <= 0) return false;
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

campaign::Quality QualityOf(std::string_view quality) {
  if (quality == "GREEN") return campaign::Quality::kGreen;
  if (quality == "YELLOW") return campaign::Quality::kYellow;
  if (quality == "RED") return campaign::Quality::kRed;
  return campaign::Quality::kUnknown;
}

// A delivery the runner holds after its preparation: queued at a number, being marked, ready
// to hand over, or in flight.
struct Held {
  PreparedSend prepared;
  SenderId sender;
  campaign::Grant grant;
  std::int64_t attempts = 0;  // hand-overs before this one
};

struct SenderEntry {
  Sender record;
  campaign::SendQueue queue;
  SteadyTime wake{};             // the pacer said: not before
  std::deque<DeliveryId> ready;  // marked 'sending': hand over in order, spaced
  SteadyTime next_handover{};
  double allowed_per_second = 80;
  std::uint64_t sent = 0, throttled = 0;
  std::array<std::uint64_t, campaign::kPaceReasonCount> refused{};  // the pacer's, at the tick
};

struct CampaignEntry {
  ActiveCampaign campaign;
  std::size_t buffered = 0;  // claimed and not yet settled or handed over
  bool claiming = false;
  SteadyTime next_claim{};
  std::deque<SteadyTime> recent_sends;  // accepted, over the last 10 s, for the current rate
};

}  // namespace

struct CampaignRunner::State {
  explicit State(campaign::Pacer p) : pacer(std::move(p)) {}
  campaign::Pacer pacer;
  std::map<SenderId, SenderEntry> senders;
  std::map<std::string, campaign::PortfolioId> portfolios;
  std::map<CampaignId, CampaignEntry> campaigns;
  std::unordered_map<DeliveryId, Held> held;
  std::unordered_set<DeliveryId> claimed;  // every claim this runner holds (queued rows)
  std::vector<storage::SendingMark> marks;
  SteadyTime first_mark{};
  std::vector<DeliveryOutcome> outcomes;
  SteadyTime first_outcome{};
  std::size_t in_flight = 0;
  std::size_t jobs_in_flight = 0;  // writer jobs not answered yet
  SteadyTime next_tick{}, next_lease{}, next_snapshot{};
  bool lease_lost = false;
  bool draining = false;
  std::vector<storage::MarketRuleRecord> market_rules;
  std::mt19937_64 rng{std::random_device{}()};
};

// The runner thread's steps. Every member function runs on that thread.
struct RunnerLoop {
  CampaignRunner& runner;
  CampaignRunner::State& state;

  campaign::PacerTime Now() const { return {SteadyClock::now(), runner.clock_.Now()}; }

  void Count(std::uint64_t CampaignRunner::Totals::*field, std::uint64_t n = 1) {
    std::lock_guard lock(runner.mutex_);
    runner.totals_.*field += n;
  }

  // Submits a write; `done` (may be empty) runs on the runner thread with its status.
  void Write(storage::Store::Job job, std::function<void(const Status&)> done) {
    ++state.jobs_in_flight;
    Status queued = runner.store_.Submit(std::move(job), [this, done](Status status) {
      runner.Post([this, done, status] {
        --state.jobs_in_flight;
        if (done) done(status);
      });
    });
    if (!queued.ok()) {
      --state.jobs_in_flight;
      if (done) done(queued);
    }
  }

  // --- senders and campaigns -------------------------------------------------------------------

  void SyncSenders(const campaign::PacerTime& now) {
    std::map<std::string, Portfolio> portfolios;
    for (const Portfolio& portfolio : runner.senders_.Portfolios()) {
      const campaign::PortfolioId id{portfolio.id};
      state.portfolios[portfolio.name] = id;
      const TierLimit limit = MessagingTierLimit(portfolio.messaging_tier);
      state.pacer.SetTierLimit(
          id, limit.users ? std::optional<std::size_t>(*limit.users) : std::nullopt);
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
      entry->second.record = sender;
      if (added) {
        entry->second.allowed_per_second = sender.throughput_per_s;
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

  void SyncCampaigns() {
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
  }

  static constexpr CampaignId kSingles{0};

  // Takes a campaign's messages out of the numbers' queues and gives their claims back. What
  // is already marked or in flight finishes.
  void Withdraw(CampaignId campaign) {
    std::vector<DeliveryId> released;
    for (auto& [sender, entry] : state.senders) {
      for (const campaign::QueuedSend& send : entry.queue.RemoveCampaign(campaign)) {
        state.held.erase(send.delivery);
        released.push_back(send.delivery);
      }
    }
    Release(std::move(released));
  }

  void Release(std::vector<DeliveryId> ids) {
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

  // --- claim and prepare -----------------------------------------------------------------------

  bool MayUse(const ActiveCampaign& campaign, SenderId id) const {
    auto entry = state.senders.find(id);
    if (entry == state.senders.end() || entry->second.record.state != "active") return false;
    return campaign.senders.empty() || std::find(campaign.senders.begin(), campaign.senders.end(),
                                                 id) != campaign.senders.end();
  }

  double AllowedRate(const ActiveCampaign& campaign) const {
    double rate = 0;
    for (const auto& [id, entry] : state.senders) {
      if (MayUse(campaign, id)) rate += entry.allowed_per_second;
    }
    return rate;
  }

  void MaybeClaim(const campaign::PacerTime& now) {
    if (state.lease_lost || state.draining) return;
    for (auto& [id, entry] : state.campaigns) {
      if (entry.claiming || now.steady < entry.next_claim) continue;
      // About three seconds of sending, at least a small batch.
      const double rate = AllowedRate(entry.campaign);
      const std::size_t want = std::clamp<std::size_t>(static_cast<std::size_t>(rate * 3), 20,
                                                       runner.options_.claim_batch);
      if (entry.buffered >= want / 2 + 1) continue;
      entry.claiming = true;
      Claim(id, want - entry.buffered, now);
    }
  }

  void Claim(CampaignId campaign, std::size_t limit, const campaign::PacerTime& now) {
    auto claimed = std::make_shared<std::vector<storage::ClaimedDelivery>>();
    const std::string owner = runner.owner_;
    const SysTime deadline = now.wall + runner.options_.claim_ttl;
    const SysTime wall = now.wall;
    Write(
        [owner, campaign, limit, wall, deadline, claimed](storage::UnitOfWork& work) -> Status {
          const std::optional<CampaignId> which =
              campaign == kSingles ? std::nullopt : std::optional<CampaignId>(campaign);
          auto taken = work.deliveries().ClaimDue(owner, which, wall, deadline, limit);
          if (!taken.ok()) return taken.error();
          *claimed = std::move(*taken);
          return Status::Ok();
        },
        [this, campaign, claimed](const Status& status) { OnClaimed(campaign, status, claimed); });
  }

  void OnClaimed(CampaignId id, const Status& status,
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
    runner.preparer_.Post([this, gate, rules, claimed, campaign](storage::UnitOfWork& reader) {
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
                                         runner.clock_.Now());
          for (auto& send : one.sends) prepared->sends.push_back(std::move(send));
          for (auto& outcome : one.outcomes) prepared->outcomes.push_back(std::move(outcome));
        }
      } else {
        *prepared = PrepareSends(reader, *gate, *rules, *claimed, *campaign, runner.clock_.Now());
      }
      auto attempts = std::make_shared<std::unordered_map<DeliveryId, std::int64_t>>();
      for (const auto& delivery : *claimed) (*attempts)[delivery.id] = delivery.attempts;
      runner.Post(
          [this, id = campaign->id, prepared, attempts] { OnPrepared(id, *prepared, *attempts); });
    });
  }

  // The number for a prepared send among those the campaign may use.
  std::optional<SenderId> ChooseSender(const ActiveCampaign& campaign, const PreparedSend& send) {
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

  void OnPrepared(CampaignId id, Preparation& prepared,
                  const std::unordered_map<DeliveryId, std::int64_t>& attempts) {
    Count(&CampaignRunner::Totals::refused, prepared.outcomes.size());
    Count(&CampaignRunner::Totals::prepared, prepared.sends.size());
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

  // --- outcomes ---------------------------------------------------------------------------------

  // Records an outcome (batched) and lets the delivery go from the runner.
  void Settle(DeliveryOutcome outcome, std::optional<CampaignId> campaign) {
    // Single messages are the entry of CampaignId 0 (no campaign has that id).
    if (auto found = state.campaigns.find(campaign.value_or(kSingles));
        found != state.campaigns.end()) {
      if (found->second.buffered > 0) --found->second.buffered;
    }
    state.held.erase(outcome.id);
    state.claimed.erase(outcome.id);
    if (state.outcomes.empty()) state.first_outcome = SteadyClock::now();
    state.outcomes.push_back(std::move(outcome));
  }

  void FlushOutcomes(SteadyTime now, bool force = false) {
    if (state.outcomes.empty()) return;
    if (!force && state.outcomes.size() < kOutcomeBatch &&
        now - state.first_outcome < runner.options_.flush_after) {
      return;
    }
    auto batch = std::make_shared<std::vector<DeliveryOutcome>>(std::move(state.outcomes));
    state.outcomes.clear();
    const std::string owner = runner.owner_;
    const SysTime wall = runner.clock_.Now();
    Write(
        [owner, batch, wall](storage::UnitOfWork& work) -> Status {
          auto lost = work.deliveries().RecordOutcomes(owner, *batch, wall);
          if (!lost.ok()) return lost.error();
          if (!lost->empty()) {
            log::Warn("event=runner_outcomes_not_recorded count={} hint={}", lost->size(),
                      log::Quoted("the claims were no longer this runner's"));
          }
          return Status::Ok();
        },
        [batch](const Status& status) {
          if (!status.ok()) {
            log::Error("event=runner_outcomes_failed count={} error={}", batch->size(),
                       log::Quoted(status.error().ToString()));
          }
        });
  }

  // --- pace, mark, hand over -------------------------------------------------------------------

  void Pace(const campaign::PacerTime& now) {
    if (state.lease_lost || state.draining) return;
    std::size_t grants = 0;
    for (auto& [id, entry] : state.senders) {
      if (entry.queue.empty() || now.steady < entry.wake) continue;
      while (!entry.queue.empty() && grants < kGrantsPerPass &&
             state.in_flight + state.marks.size() < runner.options_.max_in_flight) {
        const campaign::QueuedSend* next = entry.queue.Peek();
        auto held = state.held.find(next->delivery);
        if (held == state.held.end()) {  // settled meanwhile
          entry.queue.Pop();
          continue;
        }
        const auto& windows = held->second.prepared.open_windows;
        const bool window_open = std::find(windows.begin(), windows.end(), id) != windows.end();
        const campaign::Admission admission =
            state.pacer.TryAcquire({id, next->recipient, next->purpose, !window_open}, now);
        if (admission.granted()) {
          const campaign::QueuedSend send = *entry.queue.Pop();
          held->second.grant = admission.grant;
          if (state.marks.empty()) state.first_mark = now.steady;
          state.marks.push_back({send.delivery, id});
          ++grants;
          continue;
        }
        using campaign::PaceReason;
        const PaceReason reason = admission.reason;
        if (reason == PaceReason::kPairRate || reason == PaceReason::kTierCap ||
            reason == PaceReason::kQualityRed) {
          // This message waits; the number may send others meanwhile.
          const campaign::QueuedSend send = *entry.queue.Pop();
          const SteadyClock::duration wait =
              admission.retry_at == campaign::kUntilChanged
                  ? SteadyClock::duration(std::chrono::minutes(5))
                  : std::max<SteadyClock::duration>(admission.retry_at - now.steady,
                                                    std::chrono::seconds(1));
          Settle({.id = send.delivery,
                  .state = DeliveryState::kQueued,
                  .reason = "waiting:" + std::string(campaign::PaceReasonName(reason)),
                  .not_before =
                      now.wall + std::chrono::duration_cast<std::chrono::milliseconds>(wait)},
                 send.campaign);
          continue;
        }
        entry.wake = admission.retry_at == campaign::kUntilChanged
                         ? now.steady + std::chrono::seconds(1)
                         : admission.retry_at;
        break;
      }
    }
  }

  void FlushMarks(SteadyTime now, bool force = false) {
    if (state.marks.empty()) return;
    if (!force && state.marks.size() < kMarkBatch &&
        now - state.first_mark < runner.options_.flush_after) {
      return;
    }
    auto marks = std::make_shared<std::vector<storage::SendingMark>>(std::move(state.marks));
    state.marks.clear();
    auto lost = std::make_shared<std::vector<DeliveryId>>();
    const std::string owner = runner.owner_;
    const SysTime wall = runner.clock_.Now();
    Write(
        [owner, marks, lost, wall](storage::UnitOfWork& work) -> Status {
          auto result = work.deliveries().MarkSending(owner, *marks, wall);
          if (!result.ok()) return result.error();
          *lost = std::move(*result);
          return Status::Ok();
        },
        [this, marks, lost](const Status& status) { OnMarked(*marks, *lost, status); });
  }

  // 'sending' is durable: these may go. A mark that failed (or a claim that was lost) never goes.
  void OnMarked(const std::vector<storage::SendingMark>& marks, const std::vector<DeliveryId>& lost,
                const Status& status) {
    const campaign::PacerTime now = Now();
    const std::unordered_set<DeliveryId> refused(lost.begin(), lost.end());
    for (const storage::SendingMark& mark : marks) {
      auto held = state.held.find(mark.id);
      if (held == state.held.end()) continue;
      if (!status.ok() || refused.contains(mark.id)) {
        state.pacer.OnFailed(
            held->second.grant,
            campaign::ClassifySendFailure({campaign::SendTransport::kNotSent, 0, std::nullopt, {}}),
            now);
        const auto campaign = held->second.prepared.campaign;
        if (!status.ok()) {
          // Not marked: still a queued claim of ours; it goes back for a later try.
          Release({mark.id});
          state.held.erase(mark.id);
          if (campaign) {
            if (auto found = state.campaigns.find(*campaign); found != state.campaigns.end()) {
              if (found->second.buffered > 0) --found->second.buffered;
            }
          }
        } else {
          state.held.erase(mark.id);  // the claim was lost: someone else owns it now
          state.claimed.erase(mark.id);
        }
        continue;
      }
      if (state.draining) {
        // Stopping: it never reached the provider, so it goes back to the queue.
        Settle({.id = mark.id,
                .state = DeliveryState::kQueued,
                .reason = "waiting:stopped",
                .not_before = runner.clock_.Now()},
               held->second.prepared.campaign);
        continue;
      }
      state.senders[mark.sender].ready.push_back(mark.id);
    }
    if (!status.ok()) {
      log::Error("event=runner_mark_failed count={} error={}", marks.size(),
                 log::Quoted(status.error().ToString()));
    }
  }

  // Hands marked messages to the provider, each number's spaced at its allowed rate, so that a
  // commit that took long does not send its grants in one burst.
  // A wake that came late may catch up on this much of a number's schedule at once (and no
  // more: a burst above the number's rate is what the spacing is there to prevent).
  static constexpr std::chrono::milliseconds kHandOverCatchUp{5};

  void HandOver(SteadyTime now) {
    std::vector<std::pair<DeliveryId, provider::Message>> batch;
    for (auto& [id, entry] : state.senders) {
      const auto interval = std::chrono::duration_cast<SteadyClock::duration>(
          std::chrono::duration<double>(1.0 / std::max(entry.allowed_per_second, 1e-3)));
      const SteadyClock::duration catch_up =
          std::max<SteadyClock::duration>(interval, kHandOverCatchUp);
      while (!entry.ready.empty()) {
        if (entry.next_handover > now) break;
        const DeliveryId delivery = entry.ready.front();
        entry.ready.pop_front();
        auto held = state.held.find(delivery);
        if (held == state.held.end()) continue;
        entry.next_handover = std::max(entry.next_handover + interval, now - catch_up);
        provider::Message message = held->second.prepared.message;
        message.phone_number_id = entry.record.phone_number_id;
        batch.emplace_back(delivery, std::move(message));
      }
    }
    if (!batch.empty()) Send(std::move(batch));
  }

  // One post to the provider's thread for the pass's messages; their answers come back as tasks.
  void Send(std::vector<std::pair<DeliveryId, provider::Message>> batch) {
    state.in_flight += batch.size();
    Count(&CampaignRunner::Totals::handed_over, batch.size());
    provider::Provider& provider = runner.provider_;
    runner.post_to_provider_([this, &provider, batch = std::move(batch)]() mutable {
      for (auto& [id, message] : batch) {
        provider.Send(std::move(message), [this, id = id](provider::SendResult result) {
          runner.Post([this, id, result = std::move(result)] { OnAnswer(id, result); });
        });
      }
    });
  }

  std::chrono::milliseconds Backoff(std::int64_t attempts,
                                    std::optional<std::chrono::milliseconds> retry_after) {
    const auto base = runner.options_.retry_base;
    const std::int64_t shift = std::clamp<std::int64_t>(attempts - 1, 0, 20);
    auto wait = std::min(runner.options_.retry_max, base * (std::int64_t{1} << shift));
    // Full jitter over the upper half: retries of one burst do not come back together.
    std::uniform_int_distribution<std::int64_t> jitter(wait.count() / 2, wait.count());
    wait = std::chrono::milliseconds(jitter(state.rng));
    if (retry_after && *retry_after > wait) wait = *retry_after;
    return wait;
  }

  void OnAnswer(DeliveryId id, const provider::SendResult& result) {
    --state.in_flight;
    auto found = state.held.find(id);
    if (found == state.held.end()) return;
    Held& held = found->second;
    const campaign::PacerTime now = Now();
    const std::optional<CampaignId> campaign = held.prepared.campaign;
    SenderEntry& sender = state.senders[held.sender];
    if (result.outcome == provider::Outcome::kAccepted) {
      state.pacer.OnAccepted(held.grant, now);
      ++sender.sent;
      Count(&CampaignRunner::Totals::accepted);
      if (campaign) {
        if (auto entry = state.campaigns.find(*campaign); entry != state.campaigns.end()) {
          entry->second.recent_sends.push_back(now.steady);
        }
      }
      Settle({.id = id,
              .state = DeliveryState::kSent,
              .reason = result.message_status == "held_for_quality_assessment"
                            ? "held_for_quality_assessment"
                            : "",
              .provider_message_id = result.message_id},
             campaign);
      return;
    }
    campaign::SendFailure failure;
    failure.transport =
        result.outcome == provider::Outcome::kNotSent     ? campaign::SendTransport::kNotSent
        : result.outcome == provider::Outcome::kUncertain ? campaign::SendTransport::kNoAnswer
                                                          : campaign::SendTransport::kAnswered;
    failure.http_status = result.http_status;
    if (result.error) {
      failure.error_code = result.error->code;
      failure.details = result.error->details;
    }
    const campaign::SendErrorInfo info = campaign::ClassifySendFailure(failure);
    state.pacer.OnFailed(held.grant, info, now, result.retry_after);
    if (info.slows_number) ++sender.throttled;
    const std::int64_t attempts = held.attempts + 1;
    if (info.error_class == campaign::SendErrorClass::kUncertain) {
      Count(&CampaignRunner::Totals::uncertain);
      Settle({.id = id, .state = DeliveryState::kUncertain, .reason = "uncertain:" + result.detail},
             campaign);
    } else if (info.retryable && attempts < runner.options_.max_attempts) {
      Count(&CampaignRunner::Totals::retried);
      Settle({.id = id,
              .state = DeliveryState::kQueued,
              .reason = "retry:" + info.reason,
              .error_code = failure.error_code,
              .not_before = now.wall + Backoff(attempts, result.retry_after)},
             campaign);
    } else {
      Count(&CampaignRunner::Totals::failed);
      Settle({.id = id,
              .state = DeliveryState::kFailed,
              .reason = "failed:" + info.reason,
              .error_code = failure.error_code},
             campaign);
    }
    if (info.stops != campaign::StopScope::kNone) {
      log::Error("event=runner_sending_stopped scope={} reason={} sender={}",
                 log::Quoted(campaign::StopScopeName(info.stops)), log::Quoted(info.reason),
                 log::Quoted(sender.record.phone_number_id));
    }
  }

  // --- tick, snapshots, lease ------------------------------------------------------------------

  void Tick(const campaign::PacerTime& now) {
    std::vector<campaign::SenderBacklog> backlogs;
    for (const auto& [id, entry] : state.senders) {
      if (!entry.queue.empty()) backlogs.push_back({id, entry.queue.size()});
    }
    state.pacer.OnTick(now, backlogs);
    std::map<SenderId, SenderPacing> pacing;
    for (auto& [id, entry] : state.senders) {
      auto snapshot = state.pacer.Snapshot(id, now);
      if (!snapshot) continue;
      entry.allowed_per_second = snapshot->allowed_per_second;
      entry.refused = snapshot->counters.refused;
      SenderPacing out;
      out.level_per_s = snapshot->level_per_second;
      out.allowed_per_s = snapshot->allowed_per_second;
      out.tokens = static_cast<double>(snapshot->tokens);
      out.slowed_by = std::string(campaign::PaceReasonName(snapshot->slowed_by));
      if (!snapshot->stop_reason.empty()) out.slowed_by += ":" + snapshot->stop_reason;
      if (snapshot->backoff_until && *snapshot->backoff_until > now.steady) {
        out.slowed_until = now.wall + std::chrono::duration_cast<std::chrono::milliseconds>(
                                          *snapshot->backoff_until - now.steady);
      } else if (snapshot->restricted_until) {
        out.slowed_until = snapshot->restricted_until;
      }
      out.backlog = static_cast<std::int64_t>(entry.queue.size() + entry.ready.size());
      out.tier_used = static_cast<std::int64_t>(snapshot->tier_used);
      if (snapshot->tier_limit) out.tier_limit = static_cast<std::int64_t>(*snapshot->tier_limit);
      out.sent_total = static_cast<std::int64_t>(entry.sent);
      out.throttled_total = static_cast<std::int64_t>(entry.throttled);
      pacing[id] = std::move(out);
    }
    std::map<CampaignId, CampaignProgress> progress;
    for (auto& [id, entry] : state.campaigns) {
      while (!entry.recent_sends.empty() &&
             now.steady - entry.recent_sends.front() > std::chrono::seconds(10)) {
        entry.recent_sends.pop_front();
      }
      progress[id] = {static_cast<double>(entry.recent_sends.size()) / 10.0,
                      AllowedRate(entry.campaign), std::nullopt};
    }
    PublishMetrics(pacing);
    std::lock_guard lock(runner.mutex_);
    runner.pacing_ = std::move(pacing);
    runner.progress_ = std::move(progress);
  }

  // From the tick's snapshots (pacing, keyed by sender) and the pacer's counters.
  void PublishMetrics(const std::map<SenderId, SenderPacing>& pacing) {
    metrics::Registry* registry = runner.metrics_;
    if (registry == nullptr) return;
    auto level = registry->AddGauge("herald_sender_level_per_second",
                                    "A sender's throughput level (messages per second).");
    auto allowed = registry->AddGauge(
        "herald_sender_allowed_per_second",
        "What the pacer allows a sender now (below the level after throttling or in warm-up).");
    auto backlog = registry->AddGauge("herald_sender_backlog",
                                      "Messages waiting for a sender: queued and ready to go.");
    auto refusals =
        registry->AddCounter("herald_sender_pace_refusals_total",
                             "Times the pacer said \"not now\" for a sender, by reason.");
    for (const auto& [id, entry] : state.senders) {
      auto found = pacing.find(id);
      if (found == pacing.end()) continue;
      const SenderPacing& current = found->second;
      const metrics::Labels labels{{"sender", entry.record.phone_number_id}};
      level.With(labels).Set(current.level_per_s);
      allowed.With(labels).Set(current.allowed_per_s);
      backlog.With(labels).Set(static_cast<double>(current.backlog));
      for (std::size_t i = 1; i < campaign::kPaceReasonCount; ++i) {
        const auto count = static_cast<double>(entry.refused[i]);
        const std::string reason(campaign::PaceReasonName(static_cast<campaign::PaceReason>(i)));
        metrics::Counter counter =
            refusals.With({{"sender", entry.record.phone_number_id}, {"reason", reason}});
        if (count > counter.Value()) counter.Increment(count - counter.Value());
      }
    }
    auto sends =
        registry->AddCounter("herald_sends_total", "Deliveries handled by the runner, by outcome.");
    CampaignRunner::Totals totals;
    {
      std::lock_guard lock(runner.mutex_);
      totals = runner.totals_;
    }
    const std::pair<const char*, std::uint64_t> outcomes[] = {{"accepted", totals.accepted},
                                                              {"retried", totals.retried},
                                                              {"failed", totals.failed},
                                                              {"uncertain", totals.uncertain},
                                                              {"refused", totals.refused}};
    for (const auto& [outcome, count] : outcomes) {
      metrics::Counter counter = sends.With({{"outcome", outcome}});
      if (static_cast<double>(count) > counter.Value()) {
        counter.Increment(static_cast<double>(count) - counter.Value());
      }
    }
    registry->AddGauge("herald_send_in_flight", "Messages handed to the provider, not answered.")
        .With()
        .Set(static_cast<double>(state.in_flight));
  }

  void RenewLease(const campaign::PacerTime& now) {
    const std::string owner = runner.owner_;
    const SysTime deadline = now.wall + runner.options_.lease_ttl;
    Write(
        [owner, deadline](storage::UnitOfWork& work) {
          return work.leases().Renew(kLeaseName, owner, deadline);
        },
        [this](const Status& status) {
          if (status.ok() || state.lease_lost) return;
          state.lease_lost = true;
          log::Error("event=runner_lease_lost owner={} error={} hint={}",
                     log::Quoted(runner.owner_), log::Quoted(status.error().ToString()),
                     log::Quoted("sending stopped; restart heraldd"));
        });
  }

  // --- stop
  // ---------------------------------------------------------------------------------------

  // Stop taking work: queued messages and unmarked grants go back; marked messages that have not
  // left go back to the queue (they never reached the provider).
  void BeginDrain() {
    state.draining = true;
    for (auto& [id, entry] : state.campaigns) Withdraw(id);
    std::vector<DeliveryId> unmarked;
    for (const storage::SendingMark& mark : state.marks) {
      unmarked.push_back(mark.id);
      state.held.erase(mark.id);
    }
    state.marks.clear();
    Release(std::move(unmarked));
    for (auto& [id, entry] : state.senders) {
      for (DeliveryId delivery : entry.ready) {
        auto held = state.held.find(delivery);
        if (held == state.held.end()) continue;
        Settle({.id = delivery,
                .state = DeliveryState::kQueued,
                .reason = "waiting:stopped",
                .not_before = runner.clock_.Now()},
               held->second.prepared.campaign);
      }
      entry.ready.clear();
    }
  }

  SteadyTime NextWake(SteadyTime now) const {
    SteadyTime wake = now + runner.options_.tick;
    auto earlier = [&](SteadyTime at) { wake = std::min(wake, std::max(at, now)); };
    if (!state.marks.empty()) earlier(state.first_mark + runner.options_.flush_after);
    if (!state.outcomes.empty()) earlier(state.first_outcome + runner.options_.flush_after);
    for (const auto& [id, entry] : state.senders) {
      if (!entry.queue.empty()) earlier(entry.wake);
      if (!entry.ready.empty()) earlier(entry.next_handover);
    }
    return wake;
  }
};

CampaignRunner::CampaignRunner(storage::Store& store, const Clock& clock,
                               CampaignService& campaigns, SenderService& senders,
                               ComplianceService& compliance, provider::Provider& provider,
                               Executor post_to_provider, RunnerOptions options,
                               metrics::Registry* metrics)
    : store_(store),
      clock_(clock),
      campaigns_(campaigns),
      senders_(senders),
      compliance_(compliance),
      provider_(provider),
      post_to_provider_(std::move(post_to_provider)),
      options_(std::move(options)),
      metrics_(metrics),
      owner_(MakeOwner()) {}

CampaignRunner::~CampaignRunner() { Stop(); }

void CampaignRunner::Post(std::function<void()> task) {
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    was_empty = tasks_.empty();
    tasks_.push_back(std::move(task));
  }
  // The loop takes every queued task at once: a wake is owed only when the queue was empty (a
  // provider's answers arrive in bursts, one wake per burst instead of one per answer).
  if (was_empty) wake_.notify_one();
}

Status CampaignRunner::Start() {
  auto pacer = campaign::Pacer::Create(options_.pacer);
  if (!pacer.ok()) return pacer.error();
  state_ = std::make_unique<State>(std::move(*pacer));
  const SysTime now = clock_.Now();
  // The lease: ours, or free, or its holder's deadline passed, or its holder was a process on
  // this host that is gone.
  storage::Lease wanted{std::string(kLeaseName), owner_, HostName(), getpid(), now,
                        now + options_.lease_ttl};
  auto lease = std::make_shared<storage::Lease>();
  Status taken = store_.SubmitAndWait([&](storage::UnitOfWork& work) -> Status {
    auto current = work.leases().Find(kLeaseName);
    if (!current.ok()) return current.error();
    std::string dead;
    if (*current && (*current)->host == wanted.host && (*current)->pid != wanted.pid &&
        !ProcessAlive((*current)->pid)) {
      dead = (*current)->owner;
    }
    auto held = work.leases().Acquire(wanted, now, dead);
    if (!held.ok()) return held.error();
    *lease = std::move(*held);
    return Status::Ok();
  });
  if (!taken.ok()) return taken;
  if (lease->owner != owner_) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "another heraldd sends for this database: " + lease->host + " pid " +
                         std::to_string(lease->pid) + " holds the sender lease until " +
                         FormatRfc3339(lease->deadline) +
                         "; stop it first (one sender per database)",
                     "storage.path");
  }
  // Claims of earlier runs: never sent → queued again; possibly sent → uncertain.
  auto recovered = std::make_shared<storage::ClaimRecovery>();
  Status recovery = store_.SubmitAndWait([&](storage::UnitOfWork& work) -> Status {
    auto result = work.deliveries().RecoverClaims(owner_, now);
    if (!result.ok()) return result.error();
    *recovered = *result;
    return Status::Ok();
  });
  if (!recovery.ok()) return recovery;
  log::Info("event=runner_lease owner={} requeued={} uncertain={}", log::Quoted(owner_),
            recovered->requeued, recovered->uncertain);
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  auto rules = (*reader)->market_rules().List();
  if (!rules.ok()) return rules.error();
  state_->market_rules = std::move(*rules);
  auto accepted = (*reader)->deliveries().AcceptedSince(now - options_.pacer.tier_window);
  if (!accepted.ok()) return accepted.error();
  auto preparer_reader = store_.OpenReader();
  if (!preparer_reader.ok()) return preparer_reader.error();
  preparer_.Start(std::move(*preparer_reader));

  senders_.SetPacingSource([this](SenderId id) { return Pacing(id); });
  campaigns_.SetProgressSource([this](CampaignId id) { return Progress(id); });
  started_ = true;
  auto seeds = std::make_shared<std::vector<storage::AcceptedSend>>(std::move(*accepted));
  thread_ = std::thread([this, seeds] {
    Post([this, seeds] {
      // Rebuild each portfolio's moving 24 h from what the platform accepted.
      // Run synced the senders before it ran this task, so their portfolios are known.
      for (const auto& send : *seeds) {
        auto sender = state_->senders.find(send.sender);
        if (sender == state_->senders.end()) continue;
        auto portfolio = state_->portfolios.find(sender->second.record.portfolio);
        if (portfolio != state_->portfolios.end()) {
          state_->pacer.SeedTierUsage(portfolio->second, send.contact, send.sent_at);
        }
      }
    });
    Run();
  });
  return Status::Ok();
}

void CampaignRunner::BeginStop(std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) return;
    stopping_ = true;
    stop_deadline_ = deadline;
  }
  wake_.notify_all();
}

void CampaignRunner::Stop(std::chrono::steady_clock::time_point deadline) {
  if (!started_) return;
  BeginStop(deadline);
  if (thread_.joinable()) thread_.join();
  preparer_.Stop();
  started_ = false;
}

void CampaignRunner::NudgeSingles() {
  Post([this] {
    auto found = state_->campaigns.find(CampaignId{0});
    if (found != state_->campaigns.end()) found->second.next_claim = {};
  });
}

std::optional<SenderPacing> CampaignRunner::Pacing(SenderId sender) const {
  std::lock_guard lock(mutex_);
  auto found = pacing_.find(sender);
  if (found == pacing_.end()) return std::nullopt;
  return found->second;
}

CampaignProgress CampaignRunner::Progress(CampaignId campaign) const {
  std::lock_guard lock(mutex_);
  auto found = progress_.find(campaign);
  return found == progress_.end() ? CampaignProgress{} : found->second;
}

CampaignRunner::Totals CampaignRunner::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

void CampaignRunner::Run() {
  RunnerLoop loop{*this, *state_};
  auto dirty = std::make_shared<std::atomic<bool>>(true);
  senders_.AddListener([this, dirty](const Sender&, const Portfolio&) {
    dirty->store(true);
    Post([] {});
  });
  campaigns_.AddListener([this, dirty](const ActiveCampaign&) {
    dirty->store(true);
    Post([] {});
  });
  SteadyTime next_tick{}, next_lease = SteadyClock::now() + options_.lease_ttl / 3;
  // Senders and campaigns first, before any posted task (the tier seeding needs the senders).
  dirty->store(false);
  loop.SyncSenders(loop.Now());
  loop.SyncCampaigns();
  for (;;) {
    std::deque<std::function<void()>> tasks;
    bool stopping = false;
    SteadyTime deadline;
    {
      std::unique_lock lock(mutex_);
      const SteadyTime wake = loop.NextWake(SteadyClock::now());
      wake_.wait_until(lock, wake, [this] { return !tasks_.empty() || stopping_; });
      tasks.swap(tasks_);
      stopping = stopping_;
      deadline = stop_deadline_;
    }
    for (auto& task : tasks) task();
    campaign::PacerTime now = loop.Now();
    if (dirty->exchange(false)) {
      loop.SyncSenders(now);
      loop.SyncCampaigns();
    }
    if (stopping && !state_->draining) loop.BeginDrain();
    if (state_->draining) {
      loop.FlushOutcomes(now.steady, true);
      const bool idle =
          state_->in_flight == 0 && state_->jobs_in_flight == 0 && state_->outcomes.empty();
      if (idle || now.steady >= deadline) break;
      continue;
    }
    loop.MaybeClaim(now);
    loop.Pace(now);
    loop.FlushMarks(now.steady);
    loop.HandOver(now.steady);
    loop.FlushOutcomes(now.steady);
    if (now.steady >= next_tick) {
      loop.Tick(now);
      next_tick = now.steady + options_.tick;
    }
    if (now.steady >= next_lease) {
      loop.RenewLease(now);
      next_lease = now.steady + options_.lease_ttl / 3;
    }
  }
  // In flight at the deadline: left 'sending' (uncertain at the next start). The rest of the
  // claims go back; then the lease.
  if (state_->in_flight > 0) {
    log::Warn("event=runner_stopped_with_sends_in_flight count={}", state_->in_flight);
  }
  std::vector<DeliveryId> claimed(state_->claimed.begin(), state_->claimed.end());
  const SysTime now = clock_.Now();
  (void)store_.SubmitAndWait([&](storage::UnitOfWork& work) -> Status {
    if (!claimed.empty()) {
      auto released = work.deliveries().ReleaseClaims(owner_, claimed, now);
      if (!released.ok()) return released.error();
    }
    return work.leases().Release(kLeaseName, owner_);
  });
  log::Info("event=runner_stopped owner={}", log::Quoted(owner_));
  finished_ = true;
}

}  // namespace herald::app
