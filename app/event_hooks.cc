#include "app/event_hooks.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/log.h"
#include "common/thread_name.h"
#include "common/time.h"
#include "webhooks/signature.h"

namespace herald::app {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// What GET /v1/hooks shows of a URL: everything but its query, which may hold a credential.
std::string WithoutQuery(std::string_view url) {
  const auto query = url.find('?');
  return std::string(url.substr(0, query)) + (query == std::string_view::npos ? "" : "?…");
}

// The body of every attempt of a delivery: the same bytes each time (`data` is stored
// serialised), so a receiver may hash it.
std::string Body(const storage::HookDelivery& delivery) {
  return "{\"id\":" + std::to_string(delivery.event_id) +
         ",\"kind\":" + json::serialize(json::value(delivery.kind)) + ",\"created_at\":\"" +
         FormatRfc3339(delivery.created_at) + "\",\"data\":" + delivery.data_json + "}";
}

}  // namespace

struct HookService::Metrics {
  explicit Metrics(metrics::Registry& registry)
      : attempts(registry.AddCounter(
            "herald_hook_deliveries_total",
            "Outbound hook attempts by endpoint and result (delivered, failed, dead)")),
        pending(registry.AddGauge("herald_hook_outbox_pending",
                                  "Events waiting in the outbox for an endpoint")) {}
  metrics::CounterFamily attempts;
  metrics::GaugeFamily pending;
};

HookService::HookService(storage::Store& store, const Clock& clock,
                         std::map<std::string, config::HookEndpointConfig> endpoints,
                         metrics::Registry* metrics, HookServiceOptions options)
    : store_(store),
      clock_(clock),
      options_(options),
      random_(options.seed != 0 ? options.seed : std::random_device{}()) {
  for (auto& [name, config] : endpoints) {
    auto endpoint = std::make_unique<Endpoint>();
    endpoint->name = name;
    endpoint->config = std::move(config);
    for (const std::string& kind : endpoint->config.events) subscribers_[kind].push_back(name);
    endpoints_.push_back(std::move(endpoint));
  }
  if (metrics != nullptr) {
    metrics_ = std::make_unique<Metrics>(*metrics);
    for (const auto& endpoint : endpoints_) {
      for (const char* result : {"delivered", "failed", "dead"}) {
        metrics_->attempts.With({{"endpoint", endpoint->name}, {"result", result}});
      }
      metrics_->pending.With({{"endpoint", endpoint->name}});
    }
  }
}

HookService::~HookService() { Stop(); }

HookService::Endpoint* HookService::Find(std::string_view name) {
  for (auto& endpoint : endpoints_) {
    if (endpoint->name == name) return endpoint.get();
  }
  return nullptr;
}

Status HookService::Stage(storage::UnitOfWork& work, const OutboundEvent& event, SysTime now) {
  const auto subscribed = subscribers_.find(event.kind);
  if (subscribed == subscribers_.end()) return Status::Ok();
  auto inserted =
      work.hooks().Insert(event.kind, json::serialize(event.data), subscribed->second, now);
  if (!inserted.ok()) return inserted.error();
  return Status::Ok();
}

void HookService::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  transport_.Wakeup();
}

void HookService::Submit(storage::Store::Job job, storage::Store::Done done) {
  {
    std::lock_guard lock(mutex_);
    ++jobs_in_flight_;
  }
  auto finish = [this, done = std::move(done)](Status status) {
    if (done) done(std::move(status));
    std::lock_guard lock(mutex_);
    --jobs_in_flight_;
    jobs_done_.notify_all();
  };
  Status submitted = store_.Submit(std::move(job), finish);
  if (!submitted.ok()) finish(submitted);
}

void HookService::Publish(OutboundEvent event) {
  if (!subscribers_.contains(event.kind)) return;
  const SysTime now = clock_.Now();
  auto shared = std::make_shared<OutboundEvent>(std::move(event));
  Submit([this, shared, now](storage::UnitOfWork& work) { return Stage(work, *shared, now); },
         [this, shared](Status status) {
           if (!status.ok()) {
             log::Error("event=hook_event_not_stored kind={} error={}", log::Quoted(shared->kind),
                        log::Quoted(status.error().ToString()));
             return;
           }
           Wake();
         });
}

Status HookService::Start(const std::map<std::string, std::string>& secrets) {
  std::vector<std::string> names;
  for (auto& endpoint : endpoints_) {
    const auto secret = secrets.find(endpoint->name);
    if (secret == secrets.end() || secret->second.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "hook endpoint \"" + endpoint->name + "\" has no signing secret",
                       "hooks." + endpoint->name + ".secret_file");
    }
    endpoint->secret = secret->second;
    names.push_back(endpoint->name);
  }
  auto buried = std::make_shared<std::size_t>(0);
  const SysTime now = clock_.Now();
  Status swept = store_.SubmitAndWait([&names, buried, now](storage::UnitOfWork& work) -> Status {
    auto count = work.hooks().BuryUnconfigured(names, "the endpoint is no longer configured", now);
    if (!count.ok()) return count.error();
    *buried = *count;
    return Status::Ok();
  });
  if (!swept.ok()) return swept;
  if (*buried > 0) {
    log::Warn("event=hook_deliveries_buried count={} reason={}", *buried,
              log::Quoted("their endpoint is no longer configured; see GET /v1/hooks/dead"));
  }
  auto api_reader = store_.OpenReader();
  if (!api_reader.ok()) return api_reader.error();
  reads_.Start(std::move(*api_reader));
  if (endpoints_.empty()) return Status::Ok();
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  thread_ = std::thread([this, reader = std::move(*reader)]() mutable { Run(std::move(reader)); });
  log::Info("event=hooks_started endpoints={}", endpoints_.size());
  return Status::Ok();
}

void HookService::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  transport_.Wakeup();
  if (thread_.joinable()) thread_.join();
  reads_.Stop();
  std::unique_lock lock(mutex_);
  jobs_done_.wait(lock, [this] { return jobs_in_flight_ == 0; });
}

void HookService::Run(std::unique_ptr<storage::UnitOfWork> reader) {
  NameThisThread("herald-hooks");
  auto next_scan = SteadyClock::now();
  bool answered = false;
  for (;;) {
    bool woken = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      woken = woken_;
      woken_ = false;
    }
    const auto now = SteadyClock::now();
    if (woken || answered || now >= next_scan) {
      Scan(*reader);
      next_scan = now + options_.poll_interval;
    }
    const auto wait = std::clamp(std::chrono::duration_cast<milliseconds>(next_scan - now),
                                 milliseconds(1), options_.poll_interval);
    const std::vector<HookResponse> responses = transport_.Poll(wait);
    answered = !responses.empty();
    if (answered) Record(responses);
  }
  // Abandoned: still pending in the outbox, sent again after the next start.
  in_flight_.clear();
}

void HookService::Scan(storage::UnitOfWork& reader) {
  const SysTime now = clock_.Now();
  const auto steady_now = SteadyClock::now();
  std::vector<std::int64_t> busy;
  {
    std::lock_guard lock(mutex_);
    busy.assign(busy_.begin(), busy_.end());
  }
  for (auto& endpoint : endpoints_) {
    if (metrics_) {
      if (auto depth = reader.hooks().PendingCount(endpoint->name); depth.ok()) {
        metrics_->pending.With({{"endpoint", endpoint->name}}).Set(static_cast<double>(*depth));
      }
    }
    if (endpoint->in_flight >= kInFlightPerEndpoint || steady_now < endpoint->held_until) continue;
    auto due =
        reader.hooks().Due(endpoint->name, now, busy, kInFlightPerEndpoint - endpoint->in_flight);
    if (!due.ok()) {
      log::Warn("event=hook_scan_failed endpoint={} error={}", log::Quoted(endpoint->name),
                log::Quoted(due.error().message));
      continue;
    }
    for (storage::HookDelivery& delivery : *due) Send(*endpoint, std::move(delivery));
  }
}

void HookService::Send(Endpoint& endpoint, storage::HookDelivery delivery) {
  const std::string body = Body(delivery);
  const std::string timestamp =
      std::to_string(std::chrono::duration_cast<seconds>(clock_.Now().time_since_epoch()).count());
  HookRequest request;
  request.id = delivery.id;
  request.url = endpoint.config.url;
  request.timeout = endpoint.config.timeout;
  request.headers = {
      "Content-Type: application/json",
      "Expect:",  // no 100-continue round trip
      "X-Herald-Event: " + delivery.kind,
      "X-Herald-Event-Id: " + std::to_string(delivery.event_id),
      "X-Herald-Delivery: " + std::to_string(delivery.id),
      "X-Herald-Attempt: " + std::to_string(delivery.attempts + 1),
      "X-Herald-Timestamp: " + timestamp,
      "X-Herald-Signature: " + webhooks::SignBody(endpoint.secret, timestamp + "." + body),
  };
  request.body = body;
  {
    std::lock_guard lock(mutex_);
    busy_.insert(delivery.id);
  }
  ++endpoint.in_flight;
  in_flight_.emplace(delivery.id, InFlight{std::move(delivery), &endpoint});
  transport_.Add(std::move(request));
}

std::chrono::milliseconds HookService::Backoff(const config::HookEndpointConfig& config,
                                               std::int64_t attempts) {
  milliseconds backoff = config.retry_base;
  for (std::int64_t i = 1; i < attempts && backoff < config.retry_max; ++i) backoff *= 2;
  backoff = std::min(backoff, config.retry_max);
  // Jitter: between half and all of it, so endpoints that failed together retry apart.
  std::uniform_int_distribution<std::int64_t> jitter(backoff.count() / 2, backoff.count());
  return milliseconds(jitter(random_));
}

void HookService::Record(const std::vector<HookResponse>& responses) {
  const SysTime now = clock_.Now();
  const auto steady_now = SteadyClock::now();
  auto attempts = std::make_shared<std::vector<storage::HookAttempt>>();
  HookStats counted;
  std::map<std::string, bool> failing;
  for (const HookResponse& response : responses) {
    auto found = in_flight_.find(response.id);
    if (found == in_flight_.end()) continue;
    InFlight flight = std::move(found->second);
    in_flight_.erase(found);
    Endpoint& endpoint = *flight.endpoint;
    --endpoint.in_flight;
    const storage::HookDelivery& delivery = flight.delivery;
    storage::HookAttempt attempt{.id = delivery.id, .at = now, .next_attempt_at = now};
    std::string_view result = "delivered";
    if (response.ok()) {
      attempt.state = HookDeliveryState::kDelivered;
      endpoint.held_until = {};
      failing[endpoint.name] = false;
      ++counted.delivered;
    } else {
      const std::int64_t made = delivery.attempts + 1;
      const bool too_many = made >= static_cast<std::int64_t>(endpoint.config.max_attempts);
      const bool too_old = now - delivery.since >= endpoint.config.max_age;
      attempt.error = response.error;
      failing[endpoint.name] = true;
      if (too_many || too_old) {
        attempt.state = HookDeliveryState::kDead;
        result = "dead";
        ++counted.dead;
        log::Warn("event=hook_dead endpoint={} event_id={} kind={} attempts={} error={}",
                  log::Quoted(endpoint.name), delivery.event_id, log::Quoted(delivery.kind), made,
                  log::Quoted(response.error));
      } else {
        const milliseconds backoff = Backoff(endpoint.config, made);
        attempt.state = HookDeliveryState::kPending;
        attempt.next_attempt_at = now + backoff;
        endpoint.held_until = std::max(endpoint.held_until, steady_now + backoff);
        result = "failed";
        log::Warn(
            "event=hook_attempt_failed endpoint={} event_id={} attempt={} retry_ms={} "
            "error={}",
            log::Quoted(endpoint.name), delivery.event_id, made, backoff.count(),
            log::Quoted(response.error));
      }
      ++counted.failed;
    }
    if (metrics_) {
      metrics_->attempts.With({{"endpoint", endpoint.name}, {"result", std::string(result)}})
          .Increment();
      if (result == "dead") {
        metrics_->attempts.With({{"endpoint", endpoint.name}, {"result", "failed"}}).Increment();
      }
    }
    attempts->push_back(std::move(attempt));
  }
  {
    std::lock_guard lock(mutex_);
    stats_.delivered += counted.delivered;
    stats_.failed += counted.failed;
    stats_.dead += counted.dead;
    for (const auto& [name, is_failing] : failing) failing_[name] = is_failing;
  }
  if (attempts->empty()) return;
  // Recorded asynchronously: until the job is done the deliveries stay busy (not fetched again);
  // if it fails they are pending as before and are sent again (at least once).
  const auto release = [this, attempts](Status status) {
    if (!status.ok()) {
      log::Error("event=hook_attempts_not_recorded count={} error={}", attempts->size(),
                 log::Quoted(status.error().ToString()));
    }
    {
      std::lock_guard lock(mutex_);
      for (const storage::HookAttempt& attempt : *attempts) busy_.erase(attempt.id);
    }
    Wake();
  };
  Submit([attempts](storage::UnitOfWork& work) { return work.hooks().RecordAttempts(*attempts); },
         release);
}

void HookService::Endpoints(Reply<std::vector<HookEndpointView>> reply) {
  std::vector<HookEndpointView> views;
  {
    std::lock_guard lock(mutex_);
    for (const auto& endpoint : endpoints_) {
      HookEndpointView view;
      view.name = endpoint->name;
      view.url = WithoutQuery(endpoint->config.url);
      view.events = endpoint->config.events;
      const auto failing = failing_.find(endpoint->name);
      view.failing = failing != failing_.end() && failing->second;
      views.push_back(std::move(view));
    }
  }
  reads_.Post([views = std::move(views), reply](storage::UnitOfWork& reader) mutable {
    auto counts = reader.hooks().Counts();
    if (!counts.ok()) return reply(counts.error());
    for (HookEndpointView& view : views) {
      for (const storage::HookEndpointCounts& count : *counts) {
        if (count.endpoint != view.name) continue;
        view.pending = count.pending;
        view.delivered = count.delivered;
        view.dead = count.dead;
        view.last_delivered_at = count.last_delivered_at;
        view.last_error_at = count.last_error_at;
        view.last_error = count.last_error;
      }
    }
    reply(std::move(views));
  });
}

void HookService::DeadLetters(std::string endpoint, std::int64_t before, std::size_t limit,
                              Reply<std::vector<HookDeliveryRecord>> reply) {
  reads_.Post([endpoint = std::move(endpoint), before, limit, reply](storage::UnitOfWork& reader) {
    reply(reader.hooks().Dead(endpoint, before, limit));
  });
}

void HookService::Replay(std::int64_t id, Reply<HookDeliveryRecord> reply) {
  std::vector<std::string> names;
  for (const auto& endpoint : endpoints_) names.push_back(endpoint->name);
  const SysTime now = clock_.Now();
  auto replayed = std::make_shared<HookDeliveryRecord>();
  Submit(
      [id, names, now, replayed](storage::UnitOfWork& work) -> Status {
        auto found = work.hooks().Find(id);
        if (!found.ok()) return found.error();
        if (!*found) {
          return MakeError(ErrorCode::kNotFound, "no hook delivery " + std::to_string(id), "id");
        }
        if ((*found)->state != HookDeliveryState::kDead) {
          return MakeError(ErrorCode::kFailedPrecondition,
                           "hook delivery " + std::to_string(id) + " is " +
                               std::string(HookDeliveryStateName((*found)->state)) + ", not dead",
                           "state");
        }
        if (std::find(names.begin(), names.end(), (*found)->endpoint) == names.end()) {
          return MakeError(ErrorCode::kFailedPrecondition,
                           "endpoint \"" + (*found)->endpoint + "\" is not configured", "endpoint");
        }
        auto count = work.hooks().Replay(id, "", now);
        if (!count.ok()) return count.error();
        auto after = work.hooks().Find(id);
        if (!after.ok()) return after.error();
        *replayed = std::move(**after);
        return Status::Ok();
      },
      [this, replayed, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        log::Info("event=hook_replayed endpoint={} delivery={}", log::Quoted(replayed->endpoint),
                  replayed->id);
        Wake();
        reply(std::move(*replayed));
      });
}

void HookService::ReplayEndpoint(std::string endpoint, Reply<std::size_t> reply) {
  if (Find(endpoint) == nullptr) {
    return reply(MakeError(ErrorCode::kNotFound,
                           "no hook endpoint \"" + endpoint + "\" is configured", "endpoint"));
  }
  const SysTime now = clock_.Now();
  auto count = std::make_shared<std::size_t>(0);
  Submit(
      [endpoint, now, count](storage::UnitOfWork& work) -> Status {
        auto replayed = work.hooks().Replay(0, endpoint, now);
        if (!replayed.ok()) return replayed.error();
        *count = *replayed;
        return Status::Ok();
      },
      [this, endpoint, count, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        log::Info("event=hook_replayed endpoint={} count={}", log::Quoted(endpoint), *count);
        Wake();
        reply(*count);
      });
}

HookStats HookService::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace herald::app
