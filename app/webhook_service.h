// app/webhook_service.h: the platform's webhooks (issue 17): trust none that is unsigned, lose none
// that is signed, apply each exactly once in any order.
//
// Receiving (Receive, on the network thread): the X-Hub-Signature-256 header is checked on the raw
// body before anything parses it (webhooks/signature.h); a refused request answers with the
// reason and is counted by it. A verified request is appended (storage::WebhookRepository) by a
// store job that takes every request queued when it runs, unless its body was stored lately
// (webhooks/recent_bodies.h: the platform's retries of a request it got no answer to are answered
// without storing them again), and the reply comes only once it is durable: a crash after the 200
// loses nothing, a crash before it lets the platform retry. The sandbox provider's statuses and
// replies come in through ReceiveTrusted and take the same path from there.
//
// Processing (the service's own thread, herald-webhooks): stored requests in id order, in batches.
// Each is parsed (webhooks/notification.h) and its events applied:
//   - statuses → deliveries (storage::DeliveryRepository::ApplyStatuses: forward only, uncertain
//     ones settled by the callback id Herald put in biz_opaque_callback_data), in one writer job
//     with the marks of the requests it finished, so a batch is applied and marked at once;
//   - inbound messages, template, number and account events → the handlers (WebhookHandlers: the
//     daemon wires them to the contact, compliance, campaign and sender services), before the
//     statuses' job;
// A request whose status belongs to a delivery still 'sending' (its send answer not recorded yet)
// is put off and tried again a second later; after kMaxDeferrals it is marked failed. A batch that
// fails is processed again one request at a time, so that one request that cannot be applied
// never holds up the others (it is retried with a backoff, then marked failed). A request
// that cannot be parsed, or that holds events this version does not apply, is marked processed
// with an error naming them (it stays stored, listed by List).
//
// Idempotence: every application is a forward-only change (a status never moves a delivery back;
// a window only grows; an opt-out of an opted-out contact changes nothing), so a request applied
// twice (a crash between applying and marking, or a replay with a different body) changes nothing
// the second time.
//
// Metrics: herald_webhook_requests_total{result}, herald_webhook_refused_total{reason},
// herald_webhook_statuses_total{result}, herald_webhook_processed_total{result}, and from the
// backlog the processing thread reads (at most once a second; an indexed count of the requests
// not processed yet) herald_webhook_pending and herald_webhook_lag_seconds (how long ago the
// oldest of them was received; 0 when none waits).
//
// Thread rules: Receive, ReceiveTrusted, Handshake, List, Counts and stats from any thread; Start
// and Stop on the owning thread. Replies run on the storage writer's thread (Receive) or the
// service's read worker (List, Counts).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/read_worker.h"
#include "app/reply.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "storage/delivery_repository.h"
#include "storage/store.h"
#include "storage/webhook_repository.h"
#include "webhooks/notification.h"
#include "webhooks/recent_bodies.h"

namespace herald::app {

using WebhookRecord = storage::WebhookRecord;
using WebhookCounts = storage::WebhookCounts;

struct WebhookSecrets {
  std::string app_secret;    // empty: signed requests are refused (reason "not_configured")
  std::string verify_token;  // empty: every handshake is refused
};

// What applies each kind of event (app/webhook_inbound.h, app/webhook_events.h): blocking, called
// on the processing thread; an error leaves the request to be processed again.
using InboundHandler = std::function<Status(const std::vector<webhooks::InboundMessage>&)>;
using TemplateEventHandler = std::function<Status(const std::vector<webhooks::TemplateEvent>&)>;
using NumberEventHandler = std::function<Status(const std::vector<webhooks::NumberQualityEvent>&)>;
using AccountEventHandler = std::function<Status(const std::vector<webhooks::AccountEvent>&)>;

// Without a handler, a request holding that kind of event is marked processed with an error
// naming it.
struct WebhookHandlers {
  // The actual cost of billed messages, asked once per batch (PricingService::BilledRates);
  // without it, billed messages keep an unknown cost.
  std::function<storage::BilledRate()> billed_rates;
  InboundHandler inbound;
  TemplateEventHandler templates;
  NumberEventHandler numbers;
  AccountEventHandler accounts;
};

struct WebhookStats {
  std::uint64_t stored = 0;
  std::uint64_t replayed = 0;  // verified, but the same body was stored already
  std::uint64_t refused = 0;
  std::uint64_t processed = 0;
  std::uint64_t failed = 0;  // processed with an error
  std::uint64_t statuses_applied = 0;
  std::uint64_t statuses_unchanged = 0;
  std::uint64_t statuses_unmatched = 0;
  std::uint64_t deferrals = 0;
  // Stored and not processed yet, as the processing thread last looked (at most about a second
  // ago, unless a batch takes longer): herald_webhook_pending and herald_webhook_lag_seconds.
  std::int64_t pending = 0;
  std::optional<SysTime> oldest_pending{};  // when the oldest of them was received
};

class WebhookService {
 public:
  static constexpr std::size_t kBatch = 64;
  static constexpr int kMaxDeferrals = 600;  // a second apart: ten minutes
  // A request whose processing fails (storage, or an event that cannot be applied) is tried
  // again after 2, 4, … 60 s, alone; after this many failures it is marked failed (kept stored).
  static constexpr int kMaxFailures = 8;
  // Repeats of a body are recognised for a day, among the last 250,000 bodies (about 14 MB).
  static constexpr std::chrono::hours kRecentWindow{24};
  static constexpr std::size_t kRecentCapacity = 250'000;

  WebhookService(storage::Store& store, const Clock& clock, WebhookSecrets secrets,
                 metrics::Registry* metrics = nullptr);
  ~WebhookService();  // Stop()
  WebhookService(const WebhookService&) = delete;
  WebhookService& operator=(const WebhookService&) = delete;

  // Where each kind of event goes; set before Start.
  void SetHandlers(WebhookHandlers handlers);

  // Starts the processing thread; requests stored before (a crash, a restart) are processed first.
  Status Start();
  // Ends the processing thread after the batch in hand; what is left stays stored. Idempotent.
  void Stop();

  // The subscription handshake (GET /webhooks/whatsapp): the challenge to answer with when `mode`
  // is "subscribe" and `token` is the configured verify token (compared in constant time).
  std::optional<std::string> Handshake(std::string_view mode, std::string_view token,
                                       std::string_view challenge) const;

  // A POST: `signature` is the X-Hub-Signature-256 header (nullopt when absent). Replies true once
  // stored, false when the same body was stored before, or kUnauthenticated with the reason in
  // the error's field ("not_configured", "missing", "malformed", "mismatch").
  void Receive(std::string body, std::optional<std::string> signature, Reply<bool> reply);
  // From the sandbox provider: stored and processed like a verified request.
  void ReceiveTrusted(std::string body);

  // Stored requests, newest first (see storage::WebhookRepository::List), and the counts.
  void List(std::int64_t before, std::size_t limit, bool failed_only,
            Reply<std::vector<WebhookRecord>> reply);
  void Counts(Reply<WebhookCounts> reply);

  WebhookStats stats() const;
  bool configured() const { return !secrets_.app_secret.empty(); }

 private:
  struct Deferred {
    std::chrono::steady_clock::time_point retry_at;
    int deferrals = 0;  // put off: a status's delivery still sending
    int failures = 0;   // processing failed
  };

  struct Incoming {
    std::int64_t hash;  // webhooks::BodyHash
    std::string body;
    std::string source;
    Reply<bool> reply;
    bool stored = false;
  };
  void Store(std::string body, std::string source, Reply<bool> reply);
  void Stored(std::vector<Incoming>& batch, const Status& status);
  void Forget(std::vector<Incoming>& batch);
  void Run();
  // Processes a batch: applies its events and marks (or puts off) each request. An error means
  // nothing of the batch was marked.
  Status Process(const std::vector<storage::WebhookRequest>& requests);
  void Failed(const storage::WebhookRequest& request, const Status& error);
  std::vector<storage::WebhookRequest> DueDeferred(storage::UnitOfWork& reader);
  // Reads the backlog into stats_ when `force` or a second has passed since the last look.
  void LookAtBacklog(storage::UnitOfWork& reader, bool force);
  void Count(std::uint64_t WebhookStats::*field, std::uint64_t by = 1);

  storage::Store& store_;
  const Clock& clock_;
  const WebhookSecrets secrets_;
  WebhookHandlers handlers_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ HERALD_GUARDED_BY(mutex_) = false;
  bool new_requests_ HERALD_GUARDED_BY(mutex_) = false;
  WebhookStats stats_ HERALD_GUARDED_BY(mutex_);
  std::thread thread_;
  ReadWorker reads_;  // List and Counts

  // Verified requests waiting for the store job that will take them (see Store).
  std::mutex inbox_mutex_;
  std::vector<Incoming> inbox_ HERALD_GUARDED_BY(inbox_mutex_);
  bool store_queued_ HERALD_GUARDED_BY(inbox_mutex_) = false;
  // The bodies stored lately (their repeats are answered without storing them again): owned by
  // the storage writer's thread (the store jobs), filled by Start before anything is received.
  webhooks::RecentBodies recent_{kRecentWindow, kRecentCapacity};

  // The processing thread's own.
  std::int64_t last_id_ = 0;
  std::map<std::int64_t, Deferred> deferred_;
  std::chrono::steady_clock::time_point backlog_seen_{};

  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace herald::app
