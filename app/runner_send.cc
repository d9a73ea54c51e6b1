// The runner's send steps (app/runner_loop.h): outcomes recorded in batches, each number's pacing,
// 'sending' made durable before the hand-over, the hand-over to the provider, and its answers.
#include <algorithm>
#include <cmath>

#include "app/runner_loop.h"
#include "campaign/pricing.h"
#include "common/log.h"

namespace herald::app {

// Records an outcome (batched) and lets the delivery go from the runner.
void RunnerLoop::Settle(DeliveryOutcome outcome, std::optional<CampaignId> campaign) {
  // Single messages are the entry of CampaignId 0 (no campaign has that id).
  if (auto found = state.campaigns.find(campaign.value_or(kSingles));
      found != state.campaigns.end()) {
    if (found->second.buffered > 0) --found->second.buffered;
  }
  state.held.erase(outcome.id);
  state.claimed.erase(outcome.id);
  if (state.outcomes.empty()) state.first_outcome = SteadyClock::now();
  if (outcome.state == DeliveryState::kBlocked && runner.events_ != nullptr) {
    state.blocked[outcome.id] =
        campaign && *campaign != kSingles ? campaign : std::optional<CampaignId>();
  }
  state.outcomes.push_back(std::move(outcome));
}

namespace {

// Stages a message.blocked event for each blocked outcome of `batch` that was recorded (not in
// `lost`), in the job that records them.
Status StageBlocked(storage::UnitOfWork& work, EventPublisher& events,
                    const std::vector<storage::DeliveryOutcome>& batch,
                    const std::unordered_map<DeliveryId, std::optional<CampaignId>>& blocked,
                    const std::vector<DeliveryId>& lost, SysTime now) {
  for (const storage::DeliveryOutcome& outcome : batch) {
    const auto campaign = blocked.find(outcome.id);
    if (campaign == blocked.end()) continue;
    if (std::find(lost.begin(), lost.end(), outcome.id) != lost.end()) continue;
    auto row = work.deliveries().Find(outcome.id);
    if (!row.ok()) return row.error();
    if (!*row) continue;
    if (Status staged =
            events.Stage(work,
                         MessageBlockedEvent(outcome.id, campaign->second, (*row)->contact,
                                             (*row)->phone_e164, outcome.reason, now),
                         now);
        !staged.ok()) {
      return staged;
    }
  }
  return Status::Ok();
}

}  // namespace

void RunnerLoop::FlushOutcomes(SteadyTime now, bool force) {
  if (state.outcomes.empty()) return;
  if (!force && state.outcomes.size() < kOutcomeBatch &&
      now - state.first_outcome < runner.options_.flush_after) {
    return;
  }
  auto batch = std::make_shared<std::vector<DeliveryOutcome>>(std::move(state.outcomes));
  state.outcomes.clear();
  auto blocked = std::make_shared<std::unordered_map<DeliveryId, std::optional<CampaignId>>>(
      std::move(state.blocked));
  state.blocked.clear();
  const std::string owner = runner.owner_;
  const SysTime wall = runner.clock_.Now();
  EventPublisher* events = blocked->empty() ? nullptr : runner.events_;
  Write(
      [owner, batch, blocked, events, wall](storage::UnitOfWork& work) -> Status {
        auto lost = work.deliveries().RecordOutcomes(owner, *batch, wall);
        if (!lost.ok()) return lost.error();
        if (!lost->empty()) {
          log::Warn("event=runner_outcomes_not_recorded count={} hint={}", lost->size(),
                    log::Quoted("the claims were no longer this runner's"));
        }
        if (events != nullptr) return StageBlocked(work, *events, *batch, *blocked, *lost, wall);
        return Status::Ok();
      },
      [batch, events](const Status& status) {
        if (events != nullptr && status.ok()) events->Wake();
        if (!status.ok()) {
          log::Error("event=runner_outcomes_failed count={} error={}", batch->size(),
                     log::Quoted(status.error().ToString()));
        }
      });
}

void RunnerLoop::Pace(const campaign::PacerTime& now) {
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
      if (!WithinSpendCap(held->second, now)) continue;  // popped and given back
      const auto& windows = held->second.prepared.open_windows;
      const bool window_open = std::find(windows.begin(), windows.end(), id) != windows.end();
      const campaign::Admission admission =
          state.pacer.TryAcquire({id, next->recipient, next->purpose, !window_open}, now);
      if (admission.granted()) {
        const campaign::QueuedSend send = *entry.queue.Pop();
        held->second.grant = admission.grant;
        if (held->second.prepared.campaign) {
          if (auto c = state.campaigns.find(*held->second.prepared.campaign);
              c != state.campaigns.end() && c->second.committed_micros) {
            *c->second.committed_micros += held->second.prepared.estimated_cost_micros;
          }
        }
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
        Settle(
            {.id = send.delivery,
             .state = DeliveryState::kQueued,
             .reason = "waiting:" + std::string(campaign::PaceReasonName(reason)),
             .not_before = now.wall + std::chrono::duration_cast<std::chrono::milliseconds>(wait)},
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

bool RunnerLoop::WithinSpendCap(const Held& held, const campaign::PacerTime& now) {
  if (!held.prepared.campaign) return true;
  auto found = state.campaigns.find(*held.prepared.campaign);
  if (found == state.campaigns.end()) return true;
  CampaignEntry& entry = found->second;
  const std::optional<std::int64_t>& cap = entry.campaign.spend_cap_micros;
  if (!cap || !entry.committed_micros ||
      *entry.committed_micros + held.prepared.estimated_cost_micros <= *cap) {
    return true;
  }
  // The next message would cross the cap: it goes back to the queue, and so does the rest.
  const CampaignId id = entry.campaign.id;
  const std::string currency = entry.campaign.currency;
  const std::int64_t committed = *entry.committed_micros;
  const std::int64_t cost = held.prepared.estimated_cost_micros;
  const DeliveryId delivery = held.prepared.delivery;
  Settle({.id = delivery,
          .state = DeliveryState::kQueued,
          .reason = "waiting:spend_cap",
          .not_before = now.wall},
         id);
  if (entry.cap_reached) return false;
  entry.cap_reached = true;
  const std::string reason = "spend_cap: the next message (" + campaign::FormatMicros(cost) + " " +
                             currency + ") would take the committed spend from " +
                             campaign::FormatMicros(committed) + " past the cap of " +
                             campaign::FormatMicros(*cap) + " " + currency;
  log::Warn("event=campaign_spend_cap_reached campaign={} committed_micros={} cap_micros={}",
            id.value, committed, *cap);
  runner.campaigns_.Pause(id, "herald", reason, [id](Result<CampaignView> paused) {
    if (!paused.ok()) {
      log::Warn("event=campaign_spend_cap_pause_failed campaign={} error={}", id.value,
                log::Quoted(paused.error().ToString()));
    }
  });
  Withdraw(id);
  return false;
}

void RunnerLoop::FlushMarks(SteadyTime now, bool force) {
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
void RunnerLoop::OnMarked(const std::vector<storage::SendingMark>& marks,
                          const std::vector<DeliveryId>& lost, const Status& status) {
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

void RunnerLoop::HandOver(SteadyTime now) {
  std::vector<std::pair<DeliveryId, provider::Message>> batch;
  for (auto& [id, entry] : state.senders) {
    const auto interval = std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(1.0 / std::max(entry.allowed_per_second, 1e-3)));
    const SteadyClock::duration catch_up =
        std::max<SteadyClock::duration>(interval, kHandOverCatchUp);
    // No more than the rate's whole messages in any second (plus a guard for the way to the
    // platform): the spacing alone lets a late wake's catch-up put one or two more in a second.
    const auto per_second =
        static_cast<std::size_t>(std::max(1.0, std::floor(entry.allowed_per_second + 1e-9)));
    const SteadyClock::duration window = std::chrono::seconds(1) + kHandOverWindowGuard;
    while (!entry.handed.empty() && now - entry.handed.front() >= window) {
      entry.handed.pop_front();
    }
    while (!entry.ready.empty()) {
      if (entry.next_handover > now) break;
      if (entry.handed.size() >= per_second) {
        entry.next_handover = entry.handed[entry.handed.size() - per_second] + window;
        break;
      }
      const DeliveryId delivery = entry.ready.front();
      entry.ready.pop_front();
      auto held = state.held.find(delivery);
      if (held == state.held.end()) continue;
      entry.next_handover = std::max(entry.next_handover + interval, now - catch_up);
      entry.handed.push_back(now);
      // The message is needed no more once handed over (an answer uses the rest of `held`).
      provider::Message message = std::move(held->second.prepared.message);
      message.phone_number_id = entry.record.phone_number_id;
      batch.emplace_back(delivery, std::move(message));
    }
  }
  if (!batch.empty()) Send(std::move(batch));
}

// One post to the provider's thread for the pass's messages; their answers come back as tasks.
void RunnerLoop::Send(std::vector<std::pair<DeliveryId, provider::Message>> batch) {
  state.in_flight += batch.size();
  Count(&CampaignRunner::Totals::handed_over, batch.size());
  provider::Provider& provider = runner.provider_;
  // Answers may come after the loop ended (in flight at a stop's deadline): the callbacks touch
  // the runner only; the tasks they post run only while the loop does.
  CampaignRunner* owner = &runner;
  runner.post_to_provider_([this, owner, &provider, batch = std::move(batch)]() mutable {
    for (auto& [id, message] : batch) {
      provider.Send(std::move(message), [this, owner, id = id](provider::SendResult result) {
        owner->Post([this, id, result = std::move(result)] { OnAnswer(id, result); });
      });
    }
  });
}

std::chrono::milliseconds RunnerLoop::Backoff(
    std::int64_t attempts, std::optional<std::chrono::milliseconds> retry_after) {
  const auto base = runner.options_.retry_base;
  const std::int64_t shift = std::clamp<std::int64_t>(attempts - 1, 0, 20);
  auto wait = std::min(runner.options_.retry_max, base * (std::int64_t{1} << shift));
  // Full jitter over the upper half: retries of one burst do not come back together.
  std::uniform_int_distribution<std::int64_t> jitter(wait.count() / 2, wait.count());
  wait = std::chrono::milliseconds(jitter(state.rng));
  if (retry_after && *retry_after > wait) wait = *retry_after;
  return wait;
}

void RunnerLoop::OnAnswer(DeliveryId id, const provider::SendResult& result) {
  --state.in_flight;
  auto found = state.held.find(id);
  if (found == state.held.end()) return;
  Held& held = found->second;
  const campaign::PacerTime now = Now();
  const std::optional<CampaignId> campaign = held.prepared.campaign;
  const SenderId held_sender = held.sender;
  SenderEntry& sender = state.senders[held_sender];
  if (result.outcome == provider::Outcome::kAccepted) {
    state.pacer.OnAccepted(held.grant, now);
    ++sender.sent;
    Count(&CampaignRunner::Totals::accepted);
    if (sender.outcomes) sender.outcomes->Count(SendMetrics::Outcome::kSent);
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
  if (runner.sends_ != nullptr) runner.sends_->CountSendError(info, failure);
  const std::int64_t attempts = held.attempts + 1;
  const auto count_outcome = [&sender](SendMetrics::Outcome outcome) {
    if (sender.outcomes) sender.outcomes->Count(outcome);
  };
  if (info.error_class == campaign::SendErrorClass::kUncertain) {
    Count(&CampaignRunner::Totals::uncertain);
    count_outcome(SendMetrics::Outcome::kUncertain);
    Settle({.id = id, .state = DeliveryState::kUncertain, .reason = "uncertain:" + result.detail},
           campaign);
  } else if (info.retryable && attempts < runner.options_.max_attempts) {
    Count(&CampaignRunner::Totals::retried);
    count_outcome(SendMetrics::Outcome::kRetried);
    Settle({.id = id,
            .state = DeliveryState::kQueued,
            .reason = "retry:" + info.reason,
            .error_code = failure.error_code,
            .not_before = now.wall + Backoff(attempts, result.retry_after)},
           campaign);
  } else {
    Count(&CampaignRunner::Totals::failed);
    count_outcome(SendMetrics::Outcome::kFailed);
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
    PauseForStop(info.stops, info.reason, held_sender);
  }
}

void RunnerLoop::PauseForStop(campaign::StopScope scope, const std::string& reason,
                              SenderId failed) {
  if (scope != campaign::StopScope::kNumber && scope != campaign::StopScope::kEverything) return;
  for (auto& [id, entry] : state.senders) {
    if (scope == campaign::StopScope::kNumber && id != failed) continue;
    if (entry.record.state != "active" || entry.pause_requested) continue;
    entry.pause_requested = true;
    const std::string phone_number_id = entry.record.phone_number_id;
    runner.senders_.Update(
        phone_number_id, SenderPatch{.state = "paused"}, "herald",
        "stopped by the platform: " + reason, [phone_number_id](Result<SenderView> paused) {
          if (paused.ok()) return;
          log::Error("event=runner_sender_pause_failed sender={} error={}",
                     log::Quoted(phone_number_id), log::Quoted(paused.error().ToString()));
        });
  }
}

}  // namespace herald::app
