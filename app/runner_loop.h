// app/runner_loop.h: the campaign runner's state and the steps of its thread (what the runner
// does is in app/campaign_runner.h). Internal to the runner, included by campaign_runner.cc (the
// thread, the tick, metrics, the lease and the stop), runner_intake.cc (senders, campaigns,
// claims, preparation, the choice of a number) and runner_send.cc (outcomes, pacing, marks,
// hand-over, answers).
//
// Thread rules: State belongs to the runner's thread and every RunnerLoop member runs on it; the
// tasks it hands to the preparation worker touch only what they captured.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "app/campaign_runner.h"
#include "app/send_metrics.h"
#include "app/send_preparation.h"
#include "campaign/send_errors.h"
#include "campaign/send_queue.h"

namespace herald::app {

// The runner's series (app/campaign_runner.h lists them), registered when it is constructed.
struct RunnerMetrics {
  explicit RunnerMetrics(metrics::Registry& registry);

  // The reasons of herald_sender_slowed (SenderSnapshot::slowed_by but kNone).
  static constexpr campaign::PaceReason kSlowReasons[] = {
      campaign::PaceReason::kPaused, campaign::PaceReason::kRestricted,
      campaign::PaceReason::kQualityRed, campaign::PaceReason::kBackoff,
      campaign::PaceReason::kWarmup};

  metrics::GaugeFamily level, allowed, tokens, backlog, slowed;
  metrics::CounterFamily refusals;
  std::vector<metrics::Counter> sends;  // herald_sends_total by kSendOutcomes
  metrics::Gauge in_flight, claimed;
};

namespace runner_detail {

// One number's series (label `sender`: its phone_number_id), made at its first tick.
struct SenderSeries {
  metrics::Gauge level, allowed, tokens, backlog;
  std::vector<metrics::Gauge> slowed;      // by RunnerMetrics::kSlowReasons
  std::vector<metrics::Counter> refusals;  // by PaceReason from kRate: [reason - 1]
};
SenderSeries MakeSenderSeries(RunnerMetrics& metrics, const std::string& sender);

using SteadyClock = std::chrono::steady_clock;
using SteadyTime = SteadyClock::time_point;

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
  std::deque<SteadyTime> handed;  // hand-overs of the last second (and the window's guard)
  double allowed_per_second = 80;
  std::uint64_t sent = 0, throttled = 0;
  std::array<std::uint64_t, campaign::kPaceReasonCount> refused{};  // the pacer's, at the tick
  campaign::PaceReason slowed_by = campaign::PaceReason::kNone;     // the pacer's, at the tick
  bool pause_requested = false;  // a failure that stops the number asked the service to pause it
  std::optional<SenderSeries> series;                   // with a registry
  std::optional<SendMetrics::SenderOutcomes> outcomes;  // with SendMetrics
};

struct CampaignEntry {
  ActiveCampaign campaign;
  std::size_t buffered = 0;  // claimed and not yet settled or handed over
  bool claiming = false;
  SteadyTime next_claim{};
  std::deque<SteadyTime> recent_sends;  // accepted, over the last 10 s, for the current rate
  // The spend cap: what the campaign has committed (estimates of what was handed over: read
  // from storage with the first claim, then counted here); whether the cap stopped it.
  std::optional<std::int64_t> committed_micros;
  bool cap_reached = false;
};

}  // namespace runner_detail

struct CampaignRunner::State {
  explicit State(campaign::Pacer p) : pacer(std::move(p)) {}
  campaign::Pacer pacer;
  std::map<SenderId, runner_detail::SenderEntry> senders;
  std::map<std::string, campaign::PortfolioId> portfolios;
  std::map<CampaignId, runner_detail::CampaignEntry> campaigns;
  std::unordered_map<DeliveryId, runner_detail::Held> held;
  std::unordered_set<DeliveryId> claimed;  // every claim this runner holds (queued rows)
  std::vector<storage::SendingMark> marks;
  runner_detail::SteadyTime first_mark{};
  std::vector<storage::DeliveryOutcome> outcomes;
  // The campaign (nullopt: a single message) of each blocked outcome in `outcomes`, for its
  // message.blocked event.
  std::unordered_map<DeliveryId, std::optional<CampaignId>> blocked;
  runner_detail::SteadyTime first_outcome{};
  std::size_t in_flight = 0;
  std::size_t jobs_in_flight = 0;  // writer jobs not answered yet
  runner_detail::SteadyTime next_tick{}, next_lease{}, next_snapshot{};
  bool lease_lost = false;
  bool draining = false;
  bool sender_came_back = false;  // a number became active: wake what waited for one
  std::vector<storage::MarketRuleRecord> market_rules;
  std::mt19937_64 rng{std::random_device{}()};
};

// The runner thread's steps. Every member function runs on that thread.
struct RunnerLoop {
  using SteadyClock = runner_detail::SteadyClock;
  using SteadyTime = runner_detail::SteadyTime;
  using Held = runner_detail::Held;
  using SenderEntry = runner_detail::SenderEntry;
  using CampaignEntry = runner_detail::CampaignEntry;
  using DeliveryOutcome = storage::DeliveryOutcome;
  using DeliveryState = storage::DeliveryState;

  static constexpr std::size_t kMarkBatch = 512;       // 'sending' marks per write, at most
  static constexpr std::size_t kOutcomeBatch = 1000;   // outcomes per write, at most
  static constexpr std::size_t kGrantsPerPass = 2000;  // pacer grants per pass of the loop

  CampaignRunner& runner;
  CampaignRunner::State& state;

  static constexpr CampaignId kSingles{0};
  // Hand-overs that fell behind (a commit that took long, a late wake) may catch up on this much
  // of a number's schedule at once; the window below keeps any second at the rate.
  static constexpr std::chrono::milliseconds kHandOverCatchUp{250};
  // The sliding second of hand-overs is this much longer than a second: jitter on the way to
  // the platform must not put one more message into one of its seconds.
  static constexpr std::chrono::milliseconds kHandOverWindowGuard{5};

  campaign::PacerTime Now() const { return {SteadyClock::now(), runner.clock_.Now()}; }

  void Count(std::uint64_t CampaignRunner::Totals::*field, std::uint64_t n = 1);

  // Submits a write; `done` (may be empty) runs on the runner thread with its status.
  void Write(storage::Store::Job job, std::function<void(const Status&)> done);

  // --- senders, campaigns, claims and preparation (runner_intake.cc) ---

  void SyncSenders(const campaign::PacerTime& now);

  void SyncCampaigns();

  // Deliveries that found no number to send them ("waiting:no_sender") are due again now that
  // one is active.
  void WakeWaitingForSender();

  // Takes a campaign's messages out of the numbers' queues and gives their claims back. What
  // is already marked or in flight finishes.
  void Withdraw(CampaignId campaign);

  void Release(std::vector<DeliveryId> ids);

  bool MayUse(const ActiveCampaign& campaign, SenderId id) const;

  double AllowedRate(const ActiveCampaign& campaign) const;

  void MaybeClaim(const campaign::PacerTime& now);

  void Claim(CampaignId campaign, std::size_t limit, const campaign::PacerTime& now);

  void OnClaimed(CampaignId id, const Status& status,
                 const std::shared_ptr<std::vector<storage::ClaimedDelivery>>& claimed);

  // The number for a prepared send among those the campaign may use.
  std::optional<SenderId> ChooseSender(const ActiveCampaign& campaign, const PreparedSend& send);

  void OnPrepared(CampaignId id, Preparation& prepared,
                  const std::unordered_map<DeliveryId, std::int64_t>& attempts);

  // --- outcomes, pacing, marks, hand-over, answers (runner_send.cc) ---

  // Records an outcome (batched) and lets the delivery go from the runner.
  void Settle(storage::DeliveryOutcome outcome, std::optional<CampaignId> campaign);

  void FlushOutcomes(SteadyTime now, bool force = false);

  void Pace(const campaign::PacerTime& now);

  // Whether the held message may go without crossing its campaign's spend cap; when not, the
  // campaign is paused with the reason and its queued messages given back (once).
  bool WithinSpendCap(const Held& held, const campaign::PacerTime& now);

  void FlushMarks(SteadyTime now, bool force = false);

  // 'sending' is durable: these may go. A mark that failed (or a claim that was lost) never goes.
  void OnMarked(const std::vector<storage::SendingMark>& marks, const std::vector<DeliveryId>& lost,
                const Status& status);

  // Hands marked messages to the provider, each number's spaced at its allowed rate, so that a
  // commit that took long does not send its grants in one burst.
  void HandOver(SteadyTime now);

  // One post to the provider's thread for the pass's messages; their answers come back as tasks.
  void Send(std::vector<std::pair<DeliveryId, provider::Message>> batch);

  std::chrono::milliseconds Backoff(std::int64_t attempts,
                                    std::optional<std::chrono::milliseconds> retry_after);

  void OnAnswer(DeliveryId id, const provider::SendResult& result);

  // A failure that stops sending is made durable: the number (kNumber) or every number
  // (kEverything) is paused through the sender service with the reason, so that a restart does
  // not send into the same wall; an operator resumes it once the cause is fixed. The pacer has
  // stopped them already.
  void PauseForStop(campaign::StopScope scope, const std::string& reason, SenderId failed);

  // --- tick, metrics, lease, stop (campaign_runner.cc) ---

  void Tick(const campaign::PacerTime& now);

  // From the tick's snapshots (pacing, keyed by sender) and the pacer's counters.
  void PublishMetrics(const std::map<SenderId, SenderPacing>& pacing);

  void RenewLease(const campaign::PacerTime& now);

  // Stop taking work: queued messages and unmarked grants go back; marked messages that have not
  // left go back to the queue (they never reached the provider).
  void BeginDrain();

  SteadyTime NextWake(SteadyTime now) const;
};

}  // namespace herald::app
