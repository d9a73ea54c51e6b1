// app/campaign_service.h: campaigns (issue 16, items 2-3): their definition, their states and
// every transition (audited with actor and reason), the audience written at start, and the
// deliveries export. Sending itself belongs to the campaign runner (app/campaign_runner.h), which
// reads the active campaigns from here and reports progress back.
//
// States: draft → scheduled → running ⇄ paused → completed | cancelled | expired.
//   - created with start_at: scheduled (started by the service's clock at start_at); without:
//     draft, started by Start;
//   - Start (draft or scheduled): running at once; the audience is written in the background,
//     in batches, while the runner already sends from the first ones;
//   - Pause / Resume: running ⇄ paused; the runner stops claiming within its tick;
//   - Cancel: anything not final → cancelled; queued deliveries become cancelled;
//   - end_by passed: expired; queued deliveries become expired:end_by;
//   - running, audience written and nothing queued or sending: completed.
// A restart resumes an audience a crash cut short (its UNIQUE(campaign, contact) makes that
// safe).
//
// Thread rules: every method may be called from any thread; replies run on the writer's or a
// worker's thread. Two workers: one writes audiences (long), one answers reads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/audience_costs.h"
#include "app/campaign_content.h"
#include "app/contact_service.h"
#include "app/event_publisher.h"
#include "app/read_worker.h"
#include "app/reply.h"
#include "app/send_metrics.h"
#include "app/sender_service.h"
#include "common/clock.h"
#include "common/thread_annotations.h"
#include "compliance/quiet_hours.h"
#include "storage/campaign_repository.h"
#include "storage/delivery_repository.h"
#include "storage/store.h"

namespace herald::app {

using CampaignRecord = storage::CampaignRecord;
using DeliveryCounts = storage::DeliveryCounts;
using DeliveryState = storage::DeliveryState;

struct CampaignSpec {
  std::string name;
  std::string segment;  // an expression or a saved segment's name
  CampaignContent content;
  std::vector<std::string> senders;  // phone_number_ids; empty: every active sender
  std::optional<SysTime> start_at;
  std::string timezone;    // the zone start_at was given in, when it had no offset
  std::string local_time;  // "HH:MM" in each recipient's zone
  std::optional<SysTime> end_by;
  std::optional<std::int64_t> spend_cap_micros;
  std::string currency = "USD";
};

// What the runner knows about a campaign's sending (rates in messages per second).
struct CampaignProgress {
  double current_rate = 0;  // over the last seconds
  double allowed_rate = 0;  // what its senders' pacers allow now
  std::optional<SysTime> eta;
};

struct CampaignView {
  CampaignRecord record;
  std::vector<std::string> senders;  // phone_number_ids
  DeliveryCounts counts{};
  bool audience_complete = false;
  CampaignProgress progress;
};

// A campaign the runner may send for (running), with its content parsed once.
struct ActiveCampaign {
  CampaignId id{};
  std::string name{};
  CampaignContent content{};
  std::vector<SenderId> senders{};  // empty: every active sender
  std::optional<SysTime> end_by{};
  bool running = false;  // false: paused
  // The most it may commit to spend (estimates of what was handed over), in `currency`.
  std::optional<std::int64_t> spend_cap_micros{};
  std::string currency = "USD";
};

enum class DeliveriesFormat { kCsv, kJsonLines };

// start_at as the API takes it: RFC 3339 with an offset, or a local wall-clock time
// ("2026-12-05T10:00:00") in `timezone`. Errors name "start_at" or "timezone".
Result<SysTime> ParseStartAt(std::string_view text, std::string_view timezone);

// A campaign's segment as an expression: itself when it parses, else the saved segment of that
// name; kInvalidArgument naming "segment" when it is neither.
Result<campaign::SegmentExpr> ResolveSegment(storage::UnitOfWork& reader, std::string_view segment);

class CampaignService {
 public:
  using ProgressSource = std::function<CampaignProgress(CampaignId)>;
  using Listener = std::function<void(const ActiveCampaign&)>;

  // `sends` (may be null) counts the deliveries a campaign's end (expiry, cancellation) finishes.
  CampaignService(storage::Store& store, const Clock& clock, ContactService& contacts,
                  SenderService& senders, SendMetrics* sends = nullptr);
  ~CampaignService();  // Stop()

  // Loads the campaigns that are not final, resumes audiences a crash cut short, starts the
  // workers and the clock that starts, expires and completes campaigns. Blocking.
  Status Start(std::chrono::milliseconds tick = std::chrono::seconds(1));
  void Stop();

  void Create(CampaignSpec spec, std::string actor, Reply<CampaignView> reply);
  void Get(CampaignId id, Reply<CampaignView> reply);
  void List(std::string state, Reply<std::vector<CampaignView>> reply);
  void StartCampaign(CampaignId id, std::string actor, std::string reason,
                     Reply<CampaignView> reply);
  void Pause(CampaignId id, std::string actor, std::string reason, Reply<CampaignView> reply);
  void Resume(CampaignId id, std::string actor, std::string reason, Reply<CampaignView> reply);
  void Cancel(CampaignId id, std::string actor, std::string reason, Reply<CampaignView> reply);
  // Sends the campaign's uncertain deliveries again: only with `confirmed` (a recipient may get
  // the message twice: the platform has no idempotency key), and only while the campaign is
  // running, paused or completed (a completed one runs again). Audited with the count.
  void ResendUncertain(CampaignId id, bool confirmed, std::string actor, std::string reason,
                       Reply<CampaignView> reply);
  // Who got what and why not, as CSV or JSON Lines, in a new temporary file the caller deletes.
  void Deliveries(CampaignId id, std::optional<DeliveryState> state, DeliveriesFormat format,
                  Reply<std::filesystem::path> reply);

  // For the runner: the campaigns it may send for now, and a listener for every change.
  std::vector<ActiveCampaign> Active() const;
  void AddListener(Listener listener);
  void SetProgressSource(ProgressSource source);
  // Where every state change is published (campaign.state), in the write job that commits it;
  // set before Start. May be left unset (tests).
  void SetEventPublisher(EventPublisher* events) { events_ = events; }
  // How audiences get their cost estimates (app/audience_costs.h); set before Start. Unset: the
  // deliveries carry no estimate.
  void SetCostModel(CostModel model) { cost_model_ = std::move(model); }

  // Runs one step of the service's clock at `now` (tests call it directly).
  void Tick();

 private:
  struct Build;
  void Transition(CampaignId id, std::vector<std::string_view> from, std::string to,
                  std::string actor, std::string reason, std::optional<DeliveryState> finish_queued,
                  Reply<CampaignView> reply);
  void BeginAudience(CampaignId id);
  void RunAudience(storage::UnitOfWork& reader, CampaignId id);
  AudienceCoster CosterFor(const CampaignRecord& record) const;
  void Remember(const CampaignRecord& record);
  void Notify(CampaignId id);
  Result<CampaignView> ReadView(storage::UnitOfWork& reader, CampaignId id) const;
  void TickLoop(std::chrono::milliseconds tick);

  storage::Store& store_;
  const Clock& clock_;
  ContactService& contacts_;
  SenderService& senders_;
  std::shared_ptr<const compliance::CountryZoneTable> zones_;
  EventPublisher* events_ = nullptr;
  CostModel cost_model_;
  SendMetrics* sends_;  // may be null

  mutable std::mutex mutex_;
  std::map<CampaignId, ActiveCampaign> active_ HERALD_GUARDED_BY(mutex_);
  std::map<CampaignId, CampaignRecord> live_ HERALD_GUARDED_BY(mutex_);  // not final
  std::map<CampaignId, bool> building_ HERALD_GUARDED_BY(mutex_);        // audience in progress
  std::vector<Listener> listeners_ HERALD_GUARDED_BY(mutex_);
  ProgressSource progress_ HERALD_GUARDED_BY(mutex_);

  ReadWorker reads_;
  ReadWorker builds_;
  std::mutex tick_mutex_;
  std::condition_variable tick_wake_;
  bool stopping_ HERALD_GUARDED_BY(tick_mutex_) = false;
  std::thread ticker_;
  std::atomic<bool> stopped_{false};
};

}  // namespace herald::app
