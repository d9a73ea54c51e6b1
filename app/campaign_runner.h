// app/campaign_runner.h: the send path (issue 16, items 4-6 and 10): claims due deliveries of the
// running campaigns, decides them at send time (app/send_preparation.h), assigns a sender, paces
// each number (campaign/pacer.h, campaign/send_queue.h), makes each hand-over durable before it
// happens, sends through the provider and records every answer. It is the one retry owner.
//
// A delivery's path: queued (claimed by this runner: owner + deadline) → decided → paced →
// 'sending' (durable, attempts + 1) → handed to the provider → sent(message id) | failed(code) |
// queued again for a retry at a later time | uncertain. Nothing is handed to the provider before
// its 'sending' is committed, so after a crash a delivery that may have left is 'sending' (it
// becomes uncertain, never re-sent automatically) and one that did not is still queued.
//
// One runner per database: Start takes the "sender" lease. A lease held by a live process
// (another heraldd on this host whose pid is alive, or any holder elsewhere whose deadline has not
// passed) makes Start fail, naming the holder; a holder on this host whose process is gone (a
// kill -9) is taken over at once. The lease is renewed every third of its time to live; a runner
// that loses it stops sending.
//
// Sender choice: the number with an open service window with the contact, else the number that
// last sent to it, else the number with the shortest queue for its rate, among the campaign's
// numbers (all active ones when it names none).
//
// Retries: throttling, pair rate, transient errors and requests that provably never left go back
// to the queue after an exponential backoff with jitter (base × 2^(attempts - 1), at most
// `retry_max`, honouring Retry-After), up to `max_attempts` hand-overs; then failed:<reason>.
// Permanent errors are final at once; an uncertain answer is final as 'uncertain'.
//
// Thread model: the runner's own thread owns every piece of its state (the pacer, the queues,
// the claims). Storage writes go to the store's writer in batches; recipient reads and gate
// checks run on the runner's preparation worker; the provider runs on the network thread
// (`post_to_provider` posts there) and its answers are posted back. Public methods may be called
// from any thread.
//
// Metrics, registered at construction (handles kept per number): every tick,
// herald_sends_total{outcome} (accepted, retried, failed, uncertain, refused: decided not to
// send), herald_send_in_flight, herald_send_claimed (claims held: being prepared, queued at a
// number, marked or in flight), and per number (label `sender`, the phone_number_id)
// herald_sender_level_per_second, herald_sender_allowed_per_second, herald_sender_tokens (sends
// the pacer would allow at once now), herald_sender_backlog, herald_sender_slowed{reason} (1 for
// why the number sends below its level: paused, restricted, quality_red, backoff, warmup) and
// herald_sender_pace_refusals_total{reason} (why the pacer said "not now": rate, backoff,
// pair_rate, tier_cap, …). As they happen, through SendMetrics (app/send_metrics.h): each
// delivery's outcome by number, the gate's refusals and the platform's errors.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/campaign_service.h"
#include "app/compliance_service.h"
#include "app/event_publisher.h"
#include "app/read_worker.h"
#include "app/send_metrics.h"
#include "app/sender_service.h"
#include "campaign/pacer.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/thread_annotations.h"
#include "provider/provider.h"
#include "storage/store.h"

namespace herald::app {

struct RunnerOptions {
  std::size_t claim_batch = 5000;               // at most, per claim
  std::chrono::milliseconds claim_ttl{60'000};  // a claim's deadline after it is taken
  std::chrono::milliseconds lease_ttl{15'000};  // the sender lease
  int max_attempts = 8;                         // hand-overs of one delivery
  std::chrono::milliseconds retry_base{1'000};
  std::chrono::milliseconds retry_max{600'000};
  std::chrono::milliseconds tick{100};           // pacer tick and idle poll
  std::chrono::microseconds flush_after{2'000};  // batch writes at most this long
  std::size_t max_in_flight = 10'000;            // handed to the provider, not answered
  campaign::PacerConfig pacer;
};

struct RunnerMetrics;  // app/runner_loop.h

class CampaignRunner {
 public:
  using Executor = std::function<void(std::function<void()>)>;

  CampaignRunner(storage::Store& store, const Clock& clock, CampaignService& campaigns,
                 SenderService& senders, ComplianceService& compliance,
                 provider::Provider& provider, Executor post_to_provider, RunnerOptions options,
                 metrics::Registry* metrics = nullptr, SendMetrics* sends = nullptr);
  ~CampaignRunner();  // Stop(now)

  // Takes the sender lease, recovers the claims of earlier runs (never-sent ones are queued
  // again, possibly-sent ones become uncertain), rebuilds the portfolios' 24 h windows and starts
  // the thread. Fails when another process holds the lease.
  Status Start();
  // Stops claiming; lets what is in flight answer until `deadline`; records every answer, gives
  // the unsent claims back and releases the lease. Idempotent.
  void Stop(std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::now());
  // Stop without waiting: the runner drains on its thread (the provider's executor must keep
  // running meanwhile, for the answers); Finished says when it is done. Stop then only joins.
  void BeginStop(std::chrono::steady_clock::time_point deadline);
  bool Finished() const { return finished_.load(); }

  const std::string& owner() const { return owner_; }
  // Where deliveries recorded blocked are published (message.blocked), in the job that records
  // them; set before Start.
  void SetEventPublisher(EventPublisher* events) { events_ = events; }
  // A single message was queued: claim it now rather than at the next poll.
  void NudgeSingles();

  // For the API and metrics (any thread): the last snapshot, at most a quarter second old.
  std::optional<SenderPacing> Pacing(SenderId sender) const;
  CampaignProgress Progress(CampaignId campaign) const;

  struct Totals {
    std::uint64_t claimed = 0, prepared = 0, refused = 0, handed_over = 0, accepted = 0, failed = 0,
                  retried = 0, uncertain = 0;
  };
  Totals totals() const;

 private:
  struct State;
  friend struct RunnerLoop;
  void Run();
  void Post(std::function<void()> task);

  storage::Store& store_;
  const Clock& clock_;
  CampaignService& campaigns_;
  SenderService& senders_;
  ComplianceService& compliance_;
  provider::Provider& provider_;
  Executor post_to_provider_;
  RunnerOptions options_;
  std::unique_ptr<RunnerMetrics> metrics_;  // null without a registry (tests)
  SendMetrics* sends_;                      // may be null (tests)
  EventPublisher* events_ = nullptr;
  std::string owner_;

  std::unique_ptr<State> state_;  // the runner thread's alone
  ReadWorker preparer_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_ HERALD_GUARDED_BY(mutex_);
  bool stopping_ HERALD_GUARDED_BY(mutex_) = false;
  std::chrono::steady_clock::time_point stop_deadline_ HERALD_GUARDED_BY(mutex_);
  std::map<SenderId, SenderPacing> pacing_ HERALD_GUARDED_BY(mutex_);
  std::map<CampaignId, CampaignProgress> progress_ HERALD_GUARDED_BY(mutex_);
  Totals totals_ HERALD_GUARDED_BY(mutex_);
  std::thread thread_;
  bool started_ = false;
  std::atomic<bool> finished_{false};
};

}  // namespace herald::app
