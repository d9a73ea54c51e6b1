#include "app/campaign_runner.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>

#include "app/runner_loop.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "common/time.h"
#include "storage/campaign_repository.h"
#include "storage/lease_repository.h"
#include "storage/market_rule_repository.h"

namespace herald::app {
namespace {

using runner_detail::SteadyClock;
using runner_detail::SteadyTime;
using storage::DeliveryOutcome;
using storage::DeliveryState;

constexpr std::string_view kLeaseName = "sender";

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

}  // namespace

void RunnerLoop::Count(std::uint64_t CampaignRunner::Totals::*field, std::uint64_t n) {
  std::lock_guard lock(runner.mutex_);
  runner.totals_.*field += n;
}

// Submits a write; `done` (may be empty) runs on the runner thread with its status.
void RunnerLoop::Write(storage::Store::Job job, std::function<void(const Status&)> done) {
  ++state.jobs_in_flight;
  // The callback may run after the loop ended (a job still queued at a stop's deadline): it
  // touches the runner only; the task it posts runs only while the loop does.
  CampaignRunner* owner = &runner;
  Status queued = runner.store_.Submit(std::move(job), [this, owner, done](Status status) {
    owner->Post([this, done, status] {
      --state.jobs_in_flight;
      if (done) done(status);
    });
  });
  if (!queued.ok()) {
    --state.jobs_in_flight;
    if (done) done(queued);
  }
}

void RunnerLoop::Tick(const campaign::PacerTime& now) {
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
    entry.slowed_by = snapshot->slowed_by;
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

namespace {

// herald_sends_total's outcomes, in the order of RunnerMetrics::sends.
constexpr std::pair<const char*, std::uint64_t CampaignRunner::Totals::*> kSendOutcomes[] = {
    {"accepted", &CampaignRunner::Totals::accepted},
    {"retried", &CampaignRunner::Totals::retried},
    {"failed", &CampaignRunner::Totals::failed},
    {"uncertain", &CampaignRunner::Totals::uncertain},
    {"refused", &CampaignRunner::Totals::refused}};

// Counters mirrored from a total kept elsewhere (the pacer's, the runner's): raised to it.
void RaiseTo(metrics::Counter& counter, std::uint64_t total) {
  const auto value = static_cast<double>(total);
  if (value > counter.Value()) counter.Increment(value - counter.Value());
}

}  // namespace

RunnerMetrics::RunnerMetrics(metrics::Registry& registry)
    : level(registry.AddGauge("herald_sender_level_per_second",
                              "A sender's throughput level (messages per second).")),
      allowed(registry.AddGauge(
          "herald_sender_allowed_per_second",
          "What the pacer allows a sender now (below the level after throttling or in warm-up).")),
      tokens(registry.AddGauge("herald_sender_tokens",
                               "Sends the pacer would allow a sender at once now, by rate.")),
      backlog(registry.AddGauge("herald_sender_backlog",
                                "Messages waiting for a sender: queued and ready to go.")),
      slowed(registry.AddGauge("herald_sender_slowed",
                               "1 for the reason a sender sends below its level, else 0.")),
      refusals(registry.AddCounter("herald_sender_pace_refusals_total",
                                   "Times the pacer said \"not now\" for a sender, by reason.")),
      in_flight(
          registry
              .AddGauge("herald_send_in_flight", "Messages handed to the provider, not answered.")
              .With()),
      claimed(registry
                  .AddGauge("herald_send_claimed",
                            "Deliveries the runner holds claims on: being prepared, queued at a "
                            "number, marked sending or in flight.")
                  .With()) {
  auto family =
      registry.AddCounter("herald_sends_total", "Deliveries handled by the runner, by outcome.");
  for (const auto& [outcome, field] : kSendOutcomes) {
    sends.push_back(family.With({{"outcome", outcome}}));
  }
}

namespace runner_detail {

SenderSeries MakeSenderSeries(RunnerMetrics& metrics, const std::string& sender) {
  const metrics::Labels labels{{"sender", sender}};
  SenderSeries series{metrics.level.With(labels),
                      metrics.allowed.With(labels),
                      metrics.tokens.With(labels),
                      metrics.backlog.With(labels),
                      {},
                      {}};
  for (campaign::PaceReason reason : RunnerMetrics::kSlowReasons) {
    series.slowed.push_back(metrics.slowed.With(
        {{"sender", sender}, {"reason", std::string(campaign::PaceReasonName(reason))}}));
  }
  for (std::size_t i = 1; i < campaign::kPaceReasonCount; ++i) {
    const std::string reason(campaign::PaceReasonName(static_cast<campaign::PaceReason>(i)));
    series.refusals.push_back(metrics.refusals.With({{"sender", sender}, {"reason", reason}}));
  }
  return series;
}

}  // namespace runner_detail

// From the tick's snapshots (pacing, keyed by sender) and the pacer's counters.
void RunnerLoop::PublishMetrics(const std::map<SenderId, SenderPacing>& pacing) {
  RunnerMetrics* metrics = runner.metrics_.get();
  if (metrics == nullptr) return;
  for (auto& [id, entry] : state.senders) {
    auto found = pacing.find(id);
    if (found == pacing.end()) continue;
    if (!entry.series) {
      entry.series = runner_detail::MakeSenderSeries(*metrics, entry.record.phone_number_id);
    }
    runner_detail::SenderSeries& series = *entry.series;
    const SenderPacing& current = found->second;
    series.level.Set(current.level_per_s);
    series.allowed.Set(current.allowed_per_s);
    series.tokens.Set(current.tokens);
    series.backlog.Set(static_cast<double>(current.backlog));
    for (std::size_t i = 0; i < std::size(RunnerMetrics::kSlowReasons); ++i) {
      series.slowed[i].Set(entry.slowed_by == RunnerMetrics::kSlowReasons[i] ? 1 : 0);
    }
    for (std::size_t i = 1; i < campaign::kPaceReasonCount; ++i) {
      RaiseTo(series.refusals[i - 1], entry.refused[i]);
    }
  }
  CampaignRunner::Totals totals;
  {
    std::lock_guard lock(runner.mutex_);
    totals = runner.totals_;
  }
  for (std::size_t i = 0; i < std::size(kSendOutcomes); ++i) {
    RaiseTo(metrics->sends[i], totals.*kSendOutcomes[i].second);
  }
  metrics->in_flight.Set(static_cast<double>(state.in_flight));
  metrics->claimed.Set(static_cast<double>(state.claimed.size()));
}

void RunnerLoop::RenewLease(const campaign::PacerTime& now) {
  const std::string owner = runner.owner_;
  const SysTime deadline = now.wall + runner.options_.lease_ttl;
  Write([owner, deadline](
            storage::UnitOfWork& work) { return work.leases().Renew(kLeaseName, owner, deadline); },
        [this](const Status& status) {
          if (status.ok() || state.lease_lost) return;
          state.lease_lost = true;
          log::Error("event=runner_lease_lost owner={} error={} hint={}",
                     log::Quoted(runner.owner_), log::Quoted(status.error().ToString()),
                     log::Quoted("sending stopped; restart heraldd"));
        });
}

// Stop taking work: queued messages and unmarked grants go back; marked messages that have not
// left go back to the queue (they never reached the provider).
void RunnerLoop::BeginDrain() {
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

SteadyTime RunnerLoop::NextWake(SteadyTime now) const {
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

CampaignRunner::CampaignRunner(storage::Store& store, const Clock& clock,
                               CampaignService& campaigns, SenderService& senders,
                               ComplianceService& compliance, provider::Provider& provider,
                               Executor post_to_provider, RunnerOptions options,
                               metrics::Registry* metrics, SendMetrics* sends)
    : store_(store),
      clock_(clock),
      campaigns_(campaigns),
      senders_(senders),
      compliance_(compliance),
      provider_(provider),
      post_to_provider_(std::move(post_to_provider)),
      options_(std::move(options)),
      metrics_(metrics != nullptr ? std::make_unique<RunnerMetrics>(*metrics) : nullptr),
      sends_(sends),
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
    NameThisThread("herald-runner");
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
