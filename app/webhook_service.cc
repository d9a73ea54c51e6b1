#include "app/webhook_service.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "common/constant_time.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "storage/delivery_repository.h"
#include "webhooks/recent_bodies.h"
#include "webhooks/signature.h"

namespace herald::app {
namespace {

using std::chrono::seconds;
using storage::DeliveryState;
using storage::StatusApplied;

std::optional<DeliveryState> ReportedState(std::string_view status) {
  if (status == "sent") return DeliveryState::kSent;
  if (status == "delivered") return DeliveryState::kDelivered;
  if (status == "read") return DeliveryState::kRead;
  if (status == "failed") return DeliveryState::kFailed;
  return std::nullopt;
}

std::optional<DeliveryId> CallbackDelivery(std::string_view callback) {
  std::int64_t id = 0;
  const char* end = callback.data() + callback.size();
  auto [at, error] = std::from_chars(callback.data(), end, id);
  if (callback.empty() || error != std::errc() || at != end || id <= 0) return std::nullopt;
  return DeliveryId{id};
}

// One request of a batch, parsed, and where its status reports sit in the batch's list.
struct Parsed {
  storage::WebhookRequest request;
  std::string summary;
  std::string error;  // unusable, or events this version does not apply
  std::size_t first_report = 0;
  std::size_t reports = 0;
  bool last_chance = false;  // deferred too often: a status still in flight fails the request
};

std::string Join(const std::vector<std::string>& parts, std::size_t most) {
  std::string joined;
  for (std::size_t i = 0; i < parts.size() && i < most; ++i) {
    if (i > 0) joined += "; ";
    joined += parts[i];
  }
  if (parts.size() > most) joined += "; and " + std::to_string(parts.size() - most) + " more";
  return joined;
}

}  // namespace

struct WebhookService::Metrics {
  Metrics(metrics::Registry& registry, WebhookService& service)
      : requests(registry.AddCounter("herald_webhook_requests_total",
                                     "Webhook requests received, by result (stored, replayed, "
                                     "refused)")),
        refused(registry.AddCounter("herald_webhook_refused_total",
                                    "Webhook requests refused, by reason")),
        statuses(registry.AddCounter("herald_webhook_statuses_total",
                                     "Status events processed, by result")),
        processed(registry.AddCounter("herald_webhook_processed_total",
                                      "Stored webhook requests processed, by result (ok, failed)")),
        pending(registry.AddCallbackGauge(
            "herald_webhook_pending", "Stored webhook requests not processed yet.",
            [&service] { return static_cast<double>(service.stats().pending); })),
        lag(registry.AddCallbackGauge(
            "herald_webhook_lag_seconds",
            "Seconds since the oldest stored webhook request not processed yet was received (0: "
            "none).",
            [&service] {
              const std::optional<SysTime> oldest = service.stats().oldest_pending;
              if (!oldest) return 0.0;
              return std::max(
                  0.0, std::chrono::duration<double>(service.clock_.Now() - *oldest).count());
            })) {}
  metrics::CounterFamily requests;
  metrics::Counter stored = requests.With({{"result", "stored"}});
  metrics::Counter replayed = requests.With({{"result", "replayed"}});
  metrics::CounterFamily refused;
  metrics::CounterFamily statuses;
  metrics::CounterFamily processed;
  // Read the service's stats at scrape time (the service outlives them: metrics_ is its last
  // member).
  metrics::CallbackRegistration pending;
  metrics::CallbackRegistration lag;
};

WebhookService::WebhookService(storage::Store& store, const Clock& clock, WebhookSecrets secrets,
                               metrics::Registry* metrics)
    : store_(store), clock_(clock), secrets_(std::move(secrets)) {
  if (metrics != nullptr) metrics_ = std::make_unique<Metrics>(*metrics, *this);
}

WebhookService::~WebhookService() { Stop(); }

void WebhookService::SetHandlers(WebhookHandlers handlers) { handlers_ = std::move(handlers); }

Status WebhookService::Start() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  // The bodies of the last day, so that the platform's repeats of them are still recognised.
  const SysTime now = clock_.Now();
  auto hashes = (*reader)->webhooks().RecentHashes(now - kRecentWindow);
  if (!hashes.ok()) return hashes.error();
  for (std::int64_t hash : *hashes) recent_.Add(hash, now);
  reads_.Start(std::move(*reader));
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void WebhookService::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  reads_.Stop();
}

std::optional<std::string> WebhookService::Handshake(std::string_view mode, std::string_view token,
                                                     std::string_view challenge) const {
  if (mode != "subscribe" || secrets_.verify_token.empty()) return std::nullopt;
  if (!ConstantTimeEquals(token, secrets_.verify_token)) return std::nullopt;
  return std::string(challenge);
}

void WebhookService::Count(std::uint64_t WebhookStats::*field, std::uint64_t by) {
  std::lock_guard lock(mutex_);
  stats_.*field += by;
}

void WebhookService::Receive(std::string body, std::optional<std::string> signature,
                             Reply<bool> reply) {
  std::string_view reason;
  if (secrets_.app_secret.empty()) {
    reason = "not_configured";
  } else {
    const webhooks::SignatureCheck check = webhooks::CheckSignature(
        secrets_.app_secret, body,
        signature ? std::optional<std::string_view>(*signature) : std::nullopt);
    if (check != webhooks::SignatureCheck::kValid) reason = webhooks::SignatureCheckName(check);
  }
  if (!reason.empty()) {
    Count(&WebhookStats::refused);
    if (metrics_) {
      metrics_->requests.With({{"result", "refused"}}).Increment();
      metrics_->refused.With({{"reason", std::string(reason)}}).Increment();
    }
    return reply(MakeError(ErrorCode::kUnauthenticated,
                           reason == "not_configured"
                               ? "webhooks are not configured: no app secret (set "
                                 "webhooks.app_secret_file or HERALD_WEBHOOK_APP_SECRET)"
                               : "the X-Hub-Signature-256 header is " + std::string(reason),
                           std::string(reason)));
  }
  Store(std::move(body), "platform", std::move(reply));
}

void WebhookService::ReceiveTrusted(std::string body) {
  Store(std::move(body), "sandbox", [](Result<bool> stored) {
    if (!stored.ok()) {
      log::Warn("event=webhook_not_stored source=\"sandbox\" error={}",
                log::Quoted(stored.error().message));
    }
  });
}

void WebhookService::Store(std::string body, std::string source, Reply<bool> reply) {
  // Requests that arrive while a store job waits for the writer join it: one job (one prepared
  // insert) takes every request queued when it runs, so a burst costs one job, not one each.
  const std::int64_t hash = webhooks::BodyHash(body);
  bool submit = false;
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back({hash, std::move(body), std::move(source), std::move(reply)});
    submit = !store_queued_;
    store_queued_ = true;
  }
  if (!submit) return;
  auto batch = std::make_shared<std::vector<Incoming>>();
  Status submitted = store_.Submit(
      [this, batch](storage::UnitOfWork& work) -> Status {
        {
          std::lock_guard lock(inbox_mutex_);
          batch->swap(inbox_);
          store_queued_ = false;
        }
        // On the writer's thread: recent_ is touched only here (and before Start's thread).
        const SysTime now = clock_.Now();
        for (Incoming& incoming : *batch) {
          incoming.stored = recent_.Add(incoming.hash, now);
          if (!incoming.stored) continue;
          auto inserted =
              work.webhooks().Insert(incoming.hash, incoming.source, incoming.body, now);
          if (!inserted.ok()) {
            Forget(*batch);
            return inserted.error();
          }
        }
        return Status::Ok();
      },
      [this, batch](Status status) {
        if (!status.ok()) Forget(*batch);  // rolled back: a repeat must be stored after all
        Stored(*batch, status);
      });
  if (!submitted.ok()) {
    std::vector<Incoming> refused;
    {
      std::lock_guard lock(inbox_mutex_);
      refused.swap(inbox_);
      store_queued_ = false;
    }
    Stored(refused, submitted);
  }
}

void WebhookService::Forget(std::vector<Incoming>& batch) {
  for (Incoming& incoming : batch) {
    if (incoming.stored) recent_.Remove(incoming.hash);
    incoming.stored = false;
  }
}

void WebhookService::Stored(std::vector<Incoming>& batch, const Status& status) {
  std::uint64_t stored = 0;
  for (const Incoming& incoming : batch) stored += incoming.stored ? 1 : 0;
  if (status.ok()) {
    {
      std::lock_guard lock(mutex_);
      stats_.stored += stored;
      stats_.replayed += batch.size() - stored;
      if (stored > 0) new_requests_ = true;
    }
    if (stored > 0) wake_.notify_one();
    if (metrics_) {
      metrics_->stored.Increment(static_cast<double>(stored));
      metrics_->replayed.Increment(static_cast<double>(batch.size() - stored));
    }
  }
  for (Incoming& incoming : batch) {
    if (status.ok()) {
      incoming.reply(incoming.stored);
    } else {
      incoming.reply(status.error());
    }
  }
}

void WebhookService::List(std::int64_t before, std::size_t limit, bool failed_only,
                          Reply<std::vector<WebhookRecord>> reply) {
  reads_.Post([before, limit, failed_only, reply = std::move(reply)](storage::UnitOfWork& reader) {
    reply(reader.webhooks().List(before, limit, failed_only));
  });
}

void WebhookService::Counts(Reply<WebhookCounts> reply) {
  reads_.Post([reply = std::move(reply)](storage::UnitOfWork& reader) {
    reply(reader.webhooks().Counts());
  });
}

WebhookStats WebhookService::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void WebhookService::Run() {
  NameThisThread("herald-webhooks");
  std::unique_ptr<storage::UnitOfWork> reader;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, seconds(1), [this] { return stopping_ || new_requests_; });
      if (stopping_) return;
      new_requests_ = false;
    }
    if (!reader) {
      auto opened = store_.OpenReader();
      if (!opened.ok()) {
        log::Warn("event=webhook_processing_failed error={}", log::Quoted(opened.error().message));
        continue;
      }
      reader = std::move(*opened);
    }
    for (;;) {
      auto pending = reader->webhooks().Pending(last_id_, kBatch);
      if (!pending.ok()) {
        log::Warn("event=webhook_processing_failed error={}", log::Quoted(pending.error().message));
        break;
      }
      std::vector<storage::WebhookRequest> batch = std::move(*pending);
      if (!batch.empty()) last_id_ = batch.back().id;
      for (storage::WebhookRequest& again : DueDeferred(*reader)) batch.push_back(std::move(again));
      if (batch.empty()) {
        LookAtBacklog(*reader, true);  // caught up: what is left waits (put off, or failing)
        break;
      }
      LookAtBacklog(*reader, false);
      if (Status processed = Process(batch); !processed.ok()) {
        // One request must not hold up the others: each is tried alone, and one that still
        // fails waits, longer each time, until it is marked failed.
        if (batch.size() == 1) {
          Failed(batch.front(), processed);
        } else {
          for (const storage::WebhookRequest& request : batch) {
            if (Status alone = Process({request}); !alone.ok()) Failed(request, alone);
          }
        }
      }

      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
  }
}

std::vector<storage::WebhookRequest> WebhookService::DueDeferred(storage::UnitOfWork& reader) {
  std::vector<storage::WebhookRequest> due;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, deferred] : deferred_) {
    if (deferred.retry_at > now) continue;
    auto request = reader.webhooks().Find(id);
    if (request.ok() && request->has_value()) due.push_back(std::move(**request));
  }
  return due;
}

void WebhookService::LookAtBacklog(storage::UnitOfWork& reader, bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - backlog_seen_ < seconds(1)) return;
  backlog_seen_ = now;
  auto backlog = reader.webhooks().Backlog();
  if (!backlog.ok()) return;  // the next look tries again; Pending reports the failure
  std::lock_guard lock(mutex_);
  stats_.pending = backlog->pending;
  stats_.oldest_pending = backlog->oldest_received_at;
}

void WebhookService::Failed(const storage::WebhookRequest& request, const Status& error) {
  Deferred& deferred = deferred_[request.id];
  ++deferred.failures;
  log::Warn("event=webhook_processing_failed request={} failures={} error={}", request.id,
            deferred.failures, log::Quoted(error.error().message));
  if (deferred.failures < kMaxFailures) {
    deferred.retry_at = std::chrono::steady_clock::now() +
                        std::min(seconds(std::int64_t{1} << deferred.failures), seconds(60));
    return;
  }
  const std::string reason = "could not be applied after " + std::to_string(kMaxFailures) +
                             " tries: " + error.error().message;
  const Status marked = store_.SubmitAndWait([&](storage::UnitOfWork& work) {
    return work.webhooks().MarkProcessed(request.id, "unapplied", reason, clock_.Now());
  });
  if (!marked.ok()) {
    deferred.retry_at = std::chrono::steady_clock::now() + seconds(60);
    return;
  }
  deferred_.erase(request.id);
  std::lock_guard lock(mutex_);
  ++stats_.processed;
  ++stats_.failed;
}

Status WebhookService::Process(const std::vector<storage::WebhookRequest>& requests) {
  std::vector<Parsed> parsed;
  std::vector<storage::StatusReport> reports;
  std::vector<webhooks::InboundMessage> inbound;
  std::vector<webhooks::TemplateEvent> templates;
  std::vector<webhooks::NumberQualityEvent> numbers;
  std::vector<webhooks::AccountEvent> accounts;
  for (const storage::WebhookRequest& request : requests) {
    Parsed item;
    item.request = request;
    const auto deferred = deferred_.find(item.request.id);
    item.last_chance = deferred != deferred_.end() && deferred->second.deferrals >= kMaxDeferrals;
    auto notification = webhooks::ParseNotification(item.request.payload);
    if (!notification.ok()) {
      item.summary = "unusable";
      item.error = notification.error().message;
      parsed.push_back(std::move(item));
      continue;
    }
    item.summary = webhooks::Summarise(*notification);
    item.first_report = reports.size();
    std::vector<std::string> problems = notification->problems;
    for (const webhooks::StatusEvent& status : notification->statuses) {
      const auto state = ReportedState(status.status);
      if (!state) {
        // A status this version does not know ("played", …): stored with the request, skipped.
        problems.push_back("status " + status.message_id + " is \"" + status.status +
                           "\", not applied");
        continue;
      }
      storage::StatusReport report;
      report.provider_message_id = status.message_id;
      report.delivery = CallbackDelivery(status.callback_data);
      report.state = *state;
      report.at = status.timestamp;
      report.error_code = status.error_code;
      report.error_details = status.error_details;
      report.pricing_json = status.pricing_json;
      report.billable = status.billable;
      report.pricing_category = status.pricing_category;
      report.pricing_type = status.pricing_type;
      reports.push_back(std::move(report));
    }
    item.reports = reports.size() - item.first_report;
    std::vector<std::string> not_applied;
    const auto take = [&not_applied](auto& handler, auto& from, auto& into, const char* what) {
      if (from.empty()) return;
      if (!handler) {
        not_applied.push_back(what);
        return;
      }
      for (auto& event : from) into.push_back(std::move(event));
    };
    take(handlers_.inbound, notification->messages, inbound, "inbound messages");
    take(handlers_.templates, notification->templates, templates, "template events");
    take(handlers_.numbers, notification->number_quality, numbers, "number quality events");
    take(handlers_.accounts, notification->accounts, accounts, "account events");
    if (!not_applied.empty()) {
      problems.push_back("not applied by this version: " + Join(not_applied, 4));
    }
    if (!problems.empty()) item.error = Join(problems, 5);
    parsed.push_back(std::move(item));
  }

  // Account and number events first: a restriction or a lower tier should bind before anything
  // else of the batch moves on; then templates (which may pause campaigns), then what users wrote.
  if (!accounts.empty()) {
    if (Status applied = handlers_.accounts(accounts); !applied.ok()) return applied;
  }
  if (!numbers.empty()) {
    if (Status applied = handlers_.numbers(numbers); !applied.ok()) return applied;
  }
  if (!templates.empty()) {
    if (Status applied = handlers_.templates(templates); !applied.ok()) return applied;
  }
  if (!inbound.empty()) {
    if (Status applied = handlers_.inbound(inbound); !applied.ok()) return applied;
  }

  auto results = std::make_shared<std::vector<StatusApplied>>();
  const SysTime now = clock_.Now();
  const storage::BilledRate rates =
      handlers_.billed_rates && !reports.empty() ? handlers_.billed_rates() : storage::BilledRate();
  const Status committed = store_.SubmitAndWait([&](storage::UnitOfWork& work) -> Status {
    auto applied = work.deliveries().ApplyStatuses(reports, now, rates);
    if (!applied.ok()) return applied.error();
    *results = std::move(*applied);
    for (const Parsed& item : parsed) {
      bool in_flight = false;
      for (std::size_t i = 0; i < item.reports; ++i) {
        in_flight = in_flight || (*results)[item.first_report + i] == StatusApplied::kInFlight;
      }
      Status marked = Status::Ok();
      if (in_flight && !item.last_chance) {
        marked = work.webhooks().CountAttempt(item.request.id);
      } else {
        std::string error = item.error;
        if (in_flight) {
          error += std::string(error.empty() ? "" : "; ") +
                   "a status's delivery was still sending after " + std::to_string(kMaxDeferrals) +
                   " tries";
        }
        marked = work.webhooks().MarkProcessed(item.request.id, item.summary, error, now);
      }
      if (!marked.ok()) return marked;
    }
    return Status::Ok();
  });
  if (!committed.ok()) return committed;

  WebhookStats counted;
  for (const Parsed& item : parsed) {
    bool in_flight = false;
    for (std::size_t i = 0; i < item.reports; ++i) {
      const StatusApplied result = (*results)[item.first_report + i];
      in_flight = in_flight || result == StatusApplied::kInFlight;
      if (result == StatusApplied::kApplied) ++counted.statuses_applied;
      if (result == StatusApplied::kUnchanged) ++counted.statuses_unchanged;
      if (result == StatusApplied::kNoDelivery) ++counted.statuses_unmatched;
    }
    if (in_flight && !item.last_chance) {
      Deferred& deferred = deferred_[item.request.id];
      deferred.retry_at = std::chrono::steady_clock::now() + seconds(1);
      ++deferred.deferrals;
      ++counted.deferrals;
      continue;
    }
    deferred_.erase(item.request.id);
    ++counted.processed;
    if (!item.error.empty() || in_flight) {
      ++counted.failed;
      log::Warn("event=webhook_not_fully_applied request={} summary={} error={}", item.request.id,
                log::Quoted(item.summary), log::Quoted(item.error));
    }
  }
  {
    std::lock_guard lock(mutex_);
    stats_.processed += counted.processed;
    stats_.failed += counted.failed;
    stats_.statuses_applied += counted.statuses_applied;
    stats_.statuses_unchanged += counted.statuses_unchanged;
    stats_.statuses_unmatched += counted.statuses_unmatched;
    stats_.deferrals += counted.deferrals;
  }
  if (metrics_) {
    metrics_->statuses.With({{"result", "applied"}}).Increment(counted.statuses_applied);
    metrics_->statuses.With({{"result", "unchanged"}}).Increment(counted.statuses_unchanged);
    metrics_->statuses.With({{"result", "no_delivery"}}).Increment(counted.statuses_unmatched);
    metrics_->statuses.With({{"result", "deferred"}}).Increment(counted.deferrals);
    metrics_->processed.With({{"result", "ok"}}).Increment(counted.processed - counted.failed);
    metrics_->processed.With({{"result", "failed"}}).Increment(counted.failed);
  }
  return Status::Ok();
}

}  // namespace herald::app
