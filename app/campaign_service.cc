#include "app/campaign_service.h"

#include <boost/json.hpp>

#include "campaign/local_time.h"
#include "campaign/segment.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "common/time.h"
#include "common/utf8.h"

namespace herald::app {
namespace {

namespace json = boost::json;

// Audience batches: each commit of the writer costs a WAL sync (and often a checkpoint), and
// the writer puts every queued job in one transaction, so larger jobs mean fewer commits per
// recipient: 1M recipients took 11-13 s in jobs of 5,000 and 6.5-7.5 s in jobs of 25,000 beside
// a running send (bench/RESULTS.md, "Audience of 1M recipients"). 4 x 25,000 x 16 bytes queued.
constexpr std::size_t kAudienceBatch = 25000;
constexpr std::size_t kAudienceJobsInFlight = 4;
constexpr std::string_view kSystemActor = "herald";

Error Invalid(std::string message, std::string field) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}

bool IsFinal(std::string_view state) {
  return state == "completed" || state == "cancelled" || state == "expired";
}

Status CheckName(std::string_view name) {
  if (name.empty() || name.size() > 200) return Invalid("expected 1-200 bytes", "name");
  if (!IsValidUtf8(name)) return Invalid("not valid UTF-8", "name");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return Invalid("no control characters", "name");
  }
  return Status::Ok();
}

}  // namespace

Result<campaign::SegmentExpr> ResolveSegment(storage::UnitOfWork& reader,
                                             std::string_view segment) {
  auto expr = campaign::ParseSegment(std::string(segment));
  if (expr.ok()) return expr;
  auto saved = reader.segments().Find(segment);
  if (!saved.ok()) return saved.error();
  if (!*saved) {
    return Invalid("neither a segment expression (" + expr.error().message +
                       ") nor the name of a saved segment",
                   "segment");
  }
  auto stored = campaign::ParseSegment((*saved)->expression);
  if (!stored.ok()) return Invalid(stored.error().message, "segment");
  return stored;
}

Result<SysTime> ParseStartAt(std::string_view text, std::string_view timezone) {
  if (auto instant = ParseRfc3339(text)) return *instant;
  if (timezone.empty()) {
    return Invalid(
        "expected an RFC 3339 time with an offset (2026-12-05T10:00:00+01:00), or a "
        "local time with timezone",
        "start_at");
  }
  auto local = campaign::LocalToInstant(text, timezone, "start_at");
  if (!local.ok() && local.error().code == ErrorCode::kNotFound) {
    return Invalid(local.error().message, "timezone");
  }
  return local;
}

CampaignService::CampaignService(storage::Store& store, const Clock& clock,
                                 ContactService& contacts, SenderService& senders,
                                 SendMetrics* sends)
    : store_(store), clock_(clock), contacts_(contacts), senders_(senders), sends_(sends) {}

CampaignService::~CampaignService() { Stop(); }

Status CampaignService::Start(std::chrono::milliseconds tick) {
  auto zones = compliance::LoadCountryZoneTable(std::string(compliance::kSystemZoneTablePath));
  zones_ = std::make_shared<const compliance::CountryZoneTable>(
      zones.ok() ? std::move(*zones) : compliance::CountryZoneTable{});
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  std::vector<CampaignId> unfinished_audiences;
  for (std::string_view state : {"draft", "scheduled", "running", "paused"}) {
    auto campaigns = (*reader)->campaigns().List(state);
    if (!campaigns.ok()) return campaigns.error();
    for (const CampaignRecord& record : *campaigns) {
      Remember(record);
      if ((state == "running" || state == "paused") && !record.audience_size) {
        unfinished_audiences.push_back(record.id);
      }
    }
  }
  for (const char* role : {"reads", "builds"}) {
    auto session = store_.OpenReader();
    if (!session.ok()) return session.error();
    (std::string_view(role) == "reads" ? reads_ : builds_).Start(std::move(*session));
  }
  for (CampaignId id : unfinished_audiences) {
    log::Info("event=campaign_audience_resume campaign={}", id.value);
    BeginAudience(id);
  }
  ticker_ = std::thread([this, tick] {
    NameThisThread("herald-ticker");
    TickLoop(tick);
  });
  return Status::Ok();
}

void CampaignService::Stop() {
  if (stopped_.exchange(true)) return;
  {
    std::lock_guard lock(tick_mutex_);
    stopping_ = true;
  }
  tick_wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  builds_.Stop();
  reads_.Stop();
}

void CampaignService::TickLoop(std::chrono::milliseconds tick) {
  std::unique_lock lock(tick_mutex_);
  while (!stopping_) {
    tick_wake_.wait_for(lock, tick, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Tick();
    lock.lock();
  }
}

void CampaignService::Remember(const CampaignRecord& record) {
  std::lock_guard lock(mutex_);
  if (IsFinal(record.state)) {
    live_.erase(record.id);
    active_.erase(record.id);
    return;
  }
  live_[record.id] = record;
  if (record.state != "running" && record.state != "paused") {
    active_.erase(record.id);
    return;
  }
  auto content = ParseCampaignContent(json::parse(record.content_json));
  if (!content.ok()) {
    log::Error("event=campaign_content_unreadable campaign={} error={}", record.id.value,
               log::Quoted(content.error().ToString()));
    active_.erase(record.id);
    return;
  }
  active_[record.id] = ActiveCampaign{record.id,
                                      record.name,
                                      std::move(*content),
                                      record.senders,
                                      record.end_by,
                                      record.state == "running",
                                      record.spend_cap_micros,
                                      record.currency};
}

void CampaignService::Notify(CampaignId id) {
  std::vector<Listener> listeners;
  std::optional<ActiveCampaign> campaign;
  {
    std::lock_guard lock(mutex_);
    listeners = listeners_;
    if (auto found = active_.find(id); found != active_.end()) campaign = found->second;
  }
  if (!campaign) campaign = ActiveCampaign{.id = id};  // final or not started: running false
  for (const Listener& listener : listeners) listener(*campaign);
}

std::vector<ActiveCampaign> CampaignService::Active() const {
  std::lock_guard lock(mutex_);
  std::vector<ActiveCampaign> out;
  for (const auto& [id, campaign] : active_) out.push_back(campaign);
  return out;
}

void CampaignService::AddListener(Listener listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

void CampaignService::SetProgressSource(ProgressSource source) {
  std::lock_guard lock(mutex_);
  progress_ = std::move(source);
}

Result<CampaignView> CampaignService::ReadView(storage::UnitOfWork& reader, CampaignId id) const {
  auto record = reader.campaigns().Find(id);
  if (!record.ok()) return record.error();
  if (!*record) {
    return MakeError(ErrorCode::kNotFound, "no campaign " + std::to_string(id.value), "id");
  }
  CampaignView view;
  view.record = std::move(**record);
  auto counts = reader.deliveries().CountByState(id);
  if (!counts.ok()) return counts.error();
  view.counts = *counts;
  view.audience_complete = view.record.audience_size.has_value();
  for (SenderId sender : view.record.senders) {
    if (auto found = senders_.FindById(sender)) view.senders.push_back(found->phone_number_id);
  }
  ProgressSource progress;
  {
    std::lock_guard lock(mutex_);
    progress = progress_;
  }
  if (progress && view.record.state == "running") {
    view.progress = progress(id);
    const auto remaining = view.counts[static_cast<std::size_t>(DeliveryState::kQueued)] +
                           view.counts[static_cast<std::size_t>(DeliveryState::kSending)];
    if (view.progress.allowed_rate > 0 && view.audience_complete) {
      view.progress.eta =
          clock_.Now() + std::chrono::milliseconds(static_cast<std::int64_t>(
                             1000.0 * static_cast<double>(remaining) / view.progress.allowed_rate));
    }
  }
  return view;
}

void CampaignService::Create(CampaignSpec spec, std::string actor, Reply<CampaignView> reply) {
  if (Status valid = CheckName(spec.name); !valid.ok()) return reply(valid.error());
  if (spec.segment.empty()) return reply(Invalid("expected a segment", "segment"));
  const SysTime now = clock_.Now();
  if (!spec.local_time.empty()) {
    auto time_of_day = campaign::ParseTimeOfDay(spec.local_time, "local_time");
    if (!time_of_day.ok()) return reply(time_of_day.error());
  }
  if (spec.end_by) {
    if (*spec.end_by <= now) return reply(Invalid("end_by is in the past", "end_by"));
    if (spec.start_at && *spec.end_by <= *spec.start_at) {
      return reply(Invalid("end_by must come after start_at", "end_by"));
    }
  }
  if (spec.spend_cap_micros && *spec.spend_cap_micros <= 0) {
    return reply(Invalid("expected an amount above 0", "spend_cap"));
  }
  CampaignRecord record;
  for (std::size_t i = 0; i < spec.senders.size(); ++i) {
    auto sender = senders_.Get(spec.senders[i]);
    if (!sender.ok()) {
      return reply(MakeError(ErrorCode::kInvalidArgument,
                             "no sender with phone_number_id " + spec.senders[i],
                             "senders[" + std::to_string(i) + "]"));
    }
    record.senders.push_back(sender->sender.id);
  }
  record.name = spec.name;
  record.segment = spec.segment;
  record.content_json = CampaignContentJson(spec.content);
  record.state = spec.start_at ? "scheduled" : "draft";
  record.start_at = spec.start_at;
  record.timezone = spec.timezone;
  record.local_time = spec.local_time;
  record.end_by = spec.end_by;
  record.spend_cap_micros = spec.spend_cap_micros;
  record.currency = spec.currency;
  record.created_by = actor;
  // The segment must make sense now: an expression, or a saved segment (read on the worker).
  reads_.Post([this, record = std::move(record), actor = std::move(actor), now,
               reply](storage::UnitOfWork& reader) mutable {
    auto expr = ResolveSegment(reader, record.segment);
    if (!expr.ok()) return reply(expr.error());
    auto stored = std::make_shared<CampaignRecord>(std::move(record));
    auto who = std::make_shared<std::string>(std::move(actor));
    Status queued = store_.Submit(
        [stored, who, now](storage::UnitOfWork& work) -> Status {
          auto id = work.campaigns().Insert(*stored, {*who, "", now});
          if (!id.ok()) return id.error();
          stored->id = *id;
          stored->created_at = stored->updated_at = now;
          return Status::Ok();
        },
        [this, stored, reply](Status status) {
          if (!status.ok()) return reply(status.error());
          Remember(*stored);
          reads_.Post([this, id = stored->id, reply](storage::UnitOfWork& reader) {
            reply(ReadView(reader, id));
          });
        });
    if (!queued.ok()) reply(queued.error());
  });
}

void CampaignService::Get(CampaignId id, Reply<CampaignView> reply) {
  reads_.Post([this, id, reply](storage::UnitOfWork& reader) { reply(ReadView(reader, id)); });
}

void CampaignService::List(std::string state, Reply<std::vector<CampaignView>> reply) {
  reads_.Post([this, state = std::move(state), reply](storage::UnitOfWork& reader) {
    auto records = reader.campaigns().List(state);
    if (!records.ok()) return reply(records.error());
    std::vector<CampaignView> views;
    for (const CampaignRecord& record : *records) {
      auto view = ReadView(reader, record.id);
      if (!view.ok()) return reply(view.error());
      views.push_back(std::move(*view));
    }
    reply(std::move(views));
  });
}

void CampaignService::Transition(CampaignId id, std::vector<std::string_view> from, std::string to,
                                 std::string actor, std::string reason,
                                 std::optional<DeliveryState> finish_queued,
                                 Reply<CampaignView> reply) {
  const SysTime now = clock_.Now();
  auto after = std::make_shared<std::optional<CampaignRecord>>();
  auto finished = std::make_shared<std::size_t>(0);  // queued deliveries ended with it
  auto strings = std::make_shared<std::vector<std::string>>(
      std::vector<std::string>{std::move(to), std::move(actor), std::move(reason)});
  EventPublisher* events = events_;
  Status queued = store_.Submit(
      [id, from, strings, now, finish_queued, after, finished,
       events](storage::UnitOfWork& work) -> Status {
        const std::string& to = (*strings)[0];
        std::string previous;
        if (events != nullptr) {
          auto before = work.campaigns().Find(id);
          if (!before.ok()) return before.error();
          if (*before) previous = (*before)->state;
        }
        if (Status moved =
                work.campaigns().Transition(id, from, to, {(*strings)[1], (*strings)[2], now});
            !moved.ok()) {
          return moved;
        }
        if (finish_queued) {
          auto ended = work.deliveries().FinishQueued(
              id, *finish_queued, to == "expired" ? "expired:end_by" : "cancelled", now);
          if (!ended.ok()) return ended.error();
          *finished = *ended;
        }
        auto record = work.campaigns().Find(id);
        if (!record.ok()) return record.error();
        *after = std::move(*record);
        if (events != nullptr && *after) {
          return events->Stage(work,
                               CampaignStateEvent(id, (*after)->name, to, previous, (*strings)[2],
                                                  (*strings)[1], now),
                               now);
        }
        return Status::Ok();
      },
      [this, id, strings, after, finished, finish_queued, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        if (events_ != nullptr) events_->Wake();
        if (sends_ != nullptr && finish_queued) {
          if (auto outcome = SendMetrics::OutcomeOf(*finish_queued)) {
            sends_->NoSender().Count(*outcome, *finished);
          }
        }
        if (*after) Remember(**after);
        Notify(id);
        log::Info("event=campaign_state campaign={} state={} actor={} reason={}", id.value,
                  log::Quoted((*strings)[0]), log::Quoted((*strings)[1]),
                  log::Quoted((*strings)[2]));
        if ((*strings)[0] == "running" && *after && !(*after)->audience_size) BeginAudience(id);
        if (reply) {
          reads_.Post(
              [this, id, reply](storage::UnitOfWork& reader) { reply(ReadView(reader, id)); });
        }
      });
  if (!queued.ok() && reply) reply(queued.error());
}

void CampaignService::StartCampaign(CampaignId id, std::string actor, std::string reason,
                                    Reply<CampaignView> reply) {
  Transition(id, {"draft", "scheduled"}, "running", std::move(actor), std::move(reason),
             std::nullopt, std::move(reply));
}

void CampaignService::Pause(CampaignId id, std::string actor, std::string reason,
                            Reply<CampaignView> reply) {
  Transition(id, {"running"}, "paused", std::move(actor), std::move(reason), std::nullopt,
             std::move(reply));
}

void CampaignService::Resume(CampaignId id, std::string actor, std::string reason,
                             Reply<CampaignView> reply) {
  Transition(id, {"paused"}, "running", std::move(actor), std::move(reason), std::nullopt,
             std::move(reply));
}

void CampaignService::Cancel(CampaignId id, std::string actor, std::string reason,
                             Reply<CampaignView> reply) {
  Transition(id, {"draft", "scheduled", "running", "paused"}, "cancelled", std::move(actor),
             std::move(reason), DeliveryState::kCancelled, std::move(reply));
}

void CampaignService::ResendUncertain(CampaignId id, bool confirmed, std::string actor,
                                      std::string reason, Reply<CampaignView> reply) {
  if (!confirmed) {
    return reply(
        Invalid("an uncertain delivery may have reached its recipient; sending it again "
                "may deliver it twice: confirm with \"confirm\": true",
                "confirm"));
  }
  const SysTime now = clock_.Now();
  auto after = std::make_shared<std::optional<CampaignRecord>>();
  auto strings =
      std::make_shared<std::pair<std::string, std::string>>(std::move(actor), std::move(reason));
  EventPublisher* events = events_;
  Status queued = store_.Submit(
      [id, now, after, strings, events](storage::UnitOfWork& work) -> Status {
        auto record = work.campaigns().Find(id);
        if (!record.ok()) return record.error();
        if (!*record) {
          return MakeError(ErrorCode::kNotFound, "no campaign " + std::to_string(id.value), "id");
        }
        const std::string state = (*record)->state;
        if (state != "running" && state != "paused" && state != "completed") {
          return MakeError(ErrorCode::kFailedPrecondition,
                           "campaign " + std::to_string(id.value) + " is " + state, "state");
        }
        auto count = work.deliveries().RequeueUncertain(id, "resend:confirmed", now);
        if (!count.ok()) return count.error();
        if (state == "completed" && *count > 0) {
          const std::vector<std::string_view> from{"completed"};
          if (Status reopened = work.campaigns().Transition(
                  id, from, "running", {strings->first, "resend uncertain", now});
              !reopened.ok()) {
            return reopened;
          }
          if (events != nullptr) {
            if (Status staged =
                    events->Stage(work,
                                  CampaignStateEvent(id, (*record)->name, "running", state,
                                                     "resend uncertain", strings->first, now),
                                  now);
                !staged.ok()) {
              return staged;
            }
          }
        }
        auto refreshed = work.campaigns().Find(id);
        if (!refreshed.ok()) return refreshed.error();
        *after = std::move(*refreshed);
        return Status::Ok();
      },
      [this, id, after, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        if (events_ != nullptr) events_->Wake();
        if (*after) Remember(**after);
        Notify(id);
        reads_.Post(
            [this, id, reply](storage::UnitOfWork& reader) { reply(ReadView(reader, id)); });
      });
  if (!queued.ok()) reply(queued.error());
}

void CampaignService::BeginAudience(CampaignId id) {
  {
    std::lock_guard lock(mutex_);
    if (building_[id]) return;
    building_[id] = true;
  }
  builds_.Post([this, id](storage::UnitOfWork& reader) {
    RunAudience(reader, id);
    std::lock_guard lock(mutex_);
    building_.erase(id);
  });
}

AudienceCoster CampaignService::CosterFor(const CampaignRecord& record) const {
  if (!cost_model_.pricing || !cost_model_.category) return AudienceCoster(nullptr, {}, 1);
  boost::system::error_code ec;
  const boost::json::value stored = boost::json::parse(record.content_json, ec);
  auto content = ec ? Result<CampaignContent>(MakeError(ErrorCode::kCorruption, "content"))
                    : ParseCampaignContent(stored);
  if (!content.ok()) return AudienceCoster(nullptr, {}, 1);
  std::size_t senders = record.senders.size();
  if (senders == 0) {
    for (const SenderView& view : senders_.List()) senders += view.sender.state == "active";
  }
  return AudienceCoster(cost_model_.pricing(), cost_model_.category(*content), senders);
}

// Writes one delivery per member of the segment, in batches of kAudienceBatch with at most
// kAudienceJobsInFlight batches queued at the writer; then the audience size.
void CampaignService::RunAudience(storage::UnitOfWork& reader, CampaignId id) {
  auto found = reader.campaigns().Find(id);
  if (!found.ok() || !*found) return;
  const CampaignRecord record = std::move(**found);
  auto expr = ResolveSegment(reader, record.segment);
  if (!expr.ok()) {
    log::Error("event=campaign_audience_failed campaign={} error={}", id.value,
               log::Quoted(expr.error().ToString()));
    Transition(id, {"running", "paused"}, "cancelled", std::string(kSystemActor),
               "audience: " + expr.error().message, DeliveryState::kCancelled, nullptr);
    return;
  }
  const campaign::ContactSet members = contacts_.Evaluate(*expr);
  const SysTime start = record.started_at.value_or(clock_.Now());
  std::optional<std::chrono::minutes> local_time;
  if (!record.local_time.empty()) {
    if (auto parsed = campaign::ParseTimeOfDay(record.local_time, "local_time"); parsed.ok()) {
      local_time = *parsed;
    }
  }
  struct InFlight {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t jobs = 0;
    Status failure = Status::Ok();
  };
  auto in_flight = std::make_shared<InFlight>();
  AudienceCoster coster = CosterFor(record);
  if (coster.needs_windows()) {
    // A window lasts a day after the user's message: older ones cannot be open at the start.
    auto windows = reader.recipients().WindowsSince(start - std::chrono::hours(24));
    if (windows.ok()) coster.SetWindows(std::move(*windows));
  }
  std::optional<ContactId> after;
  for (;;) {
    if (stopped_) return;  // a restart resumes it
    const std::vector<ContactId> page = members.Page(after, kAudienceBatch);
    if (page.empty()) break;
    after = page.back();
    auto batch = std::make_shared<std::vector<storage::AudienceMember>>();
    batch->reserve(page.size());
    std::vector<storage::ContactLocation> locations;
    if (local_time || coster.active()) {
      auto read = reader.contacts().Locations(page);
      if (read.ok()) locations = std::move(*read);
    }
    std::size_t next_location = 0;
    for (ContactId contact : page) {
      // In the page's order, with the contacts it has nothing for left out.
      const storage::ContactLocation* where = nullptr;
      while (next_location < locations.size() && locations[next_location].id < contact) {
        ++next_location;
      }
      if (next_location < locations.size() && locations[next_location].id == contact) {
        where = &locations[next_location];
      }
      SysTime not_before = start;
      if (local_time && where != nullptr) {
        std::vector<std::string> zones;
        if (!where->timezone.empty()) {
          zones.push_back(where->timezone);
        } else if (auto country = zones_->find(where->country); country != zones_->end()) {
          zones = country->second;
        }
        if (!zones.empty()) {
          auto at = campaign::NextLocalTime(start, *local_time, zones);
          if (at.ok()) not_before = *at;
        }
      }
      storage::AudienceMember member{.contact = contact, .not_before = not_before};
      coster.Estimate(member, where != nullptr ? std::string_view(where->country) : "");
      batch->push_back(std::move(member));
    }
    {
      std::unique_lock lock(in_flight->mutex);
      in_flight->done.wait(lock, [&] { return in_flight->jobs < kAudienceJobsInFlight; });
      if (!in_flight->failure.ok()) break;
      ++in_flight->jobs;
    }
    const SysTime now = clock_.Now();
    Status queued = store_.Submit(
        [id, batch, now](storage::UnitOfWork& work) -> Status {
          auto inserted = work.deliveries().InsertAudience(id, *batch, now);
          return inserted.ok() ? Status::Ok() : Status(inserted.error());
        },
        [in_flight](Status status) {
          std::lock_guard lock(in_flight->mutex);
          --in_flight->jobs;
          if (!status.ok()) in_flight->failure = status;
          in_flight->done.notify_all();
        });
    if (!queued.ok()) {
      std::lock_guard lock(in_flight->mutex);
      --in_flight->jobs;
      in_flight->failure = queued;
      break;
    }
  }
  std::unique_lock lock(in_flight->mutex);
  in_flight->done.wait(lock, [&] { return in_flight->jobs == 0; });
  if (!in_flight->failure.ok()) {
    log::Error("event=campaign_audience_failed campaign={} error={}", id.value,
               log::Quoted(in_flight->failure.error().ToString()));
    return;  // retried at the next start; the rows written stay
  }
  lock.unlock();
  const SysTime now = clock_.Now();
  auto size = std::make_shared<std::int64_t>(0);
  Status done = store_.SubmitAndWait([id, now, size](storage::UnitOfWork& work) -> Status {
    auto counts = work.deliveries().CountByState(id);
    if (!counts.ok()) return counts.error();
    for (std::int64_t count : *counts) *size += count;
    return work.campaigns().SetAudienceSize(id, *size, now);
  });
  if (!done.ok()) return;
  {
    std::lock_guard guard(mutex_);
    if (auto live = live_.find(id); live != live_.end()) live->second.audience_size = *size;
  }
  log::Info("event=campaign_audience_written campaign={} deliveries={}", id.value, *size);
  Notify(id);
}

void CampaignService::Tick() {
  const SysTime now = clock_.Now();
  std::vector<CampaignRecord> live;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, record] : live_) {
      if (!building_.contains(id)) live.push_back(record);
    }
  }
  for (const CampaignRecord& record : live) {
    if (record.end_by && *record.end_by <= now) {
      Transition(record.id, {"scheduled", "running", "paused"}, "expired",
                 std::string(kSystemActor), "end_by passed", DeliveryState::kExpired, nullptr);
    } else if (record.state == "scheduled" && record.start_at && *record.start_at <= now) {
      Transition(record.id, {"scheduled"}, "running", std::string(kSystemActor), "start_at reached",
                 std::nullopt, nullptr);
    } else if (record.state == "running" && record.audience_size) {
      reads_.Post([this, id = record.id](storage::UnitOfWork& reader) {
        auto unfinished = reader.deliveries().HasUnfinished(id);
        if (unfinished.ok() && !*unfinished) {
          Transition(id, {"running"}, "completed", std::string(kSystemActor),
                     "every delivery is final", std::nullopt, nullptr);
        }
      });
    }
  }
}

}  // namespace herald::app
