// app/event_hooks.h: the outbound event hooks (issue 17, item 5; docs/hooks.md). Configured
// endpoints ([hooks.<name>]) receive Herald's events (app/event_publisher.h) as signed JSON POSTs.
//
// The outbox: HookService is the EventPublisher. Stage writes the event and one pending delivery
// per endpoint that subscribes to its kind (storage::HookRepository) inside the caller's write job.
// Nothing is sent from the caller's thread.
//
// Delivery (the service's own thread, herald-hooks): due deliveries per endpoint, at most
// kInFlightPerEndpoint at once, POSTed through a libcurl multi handle (app/hook_transport.h).
// Every attempt is signed anew: X-Herald-Timestamp is the attempt's Unix time in seconds and
// X-Herald-Signature is "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body). The body is
// the same bytes on every attempt: {"id":…,"kind":…,"created_at":…,"data":{…}}.
//   - a 2xx: delivered;
//   - anything else (another status, a timeout, a refused connection): tried again after
//     retry_base × 2^(attempts−1), at most retry_max, jittered down by up to half; the endpoint's
//     other deliveries wait for that retry too (one probe at a time to an endpoint that fails);
//   - after max_attempts failed attempts, or a failed attempt max_age after the event was stored
//     or replayed: dead, a dead letter, until replayed (Replay, ReplayEndpoint).
// At least once: a delivery stays pending until its 2xx is recorded, so a crash or stop between
// the answer and the record sends it again; receivers dedupe by the body's "id". No order is
// guaranteed, not even per endpoint (retries and parallel attempts reorder): receivers order by
// created_at or id.
//
// Thread rules: Stage on the writer's thread (inside a job); Wake, Publish, the API calls and
// stats from any thread; Start and Stop on the owning thread. Replies run on the service's read
// worker or the writer's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/event_publisher.h"
#include "app/hook_transport.h"
#include "app/read_worker.h"
#include "app/reply.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "config/config.h"
#include "storage/hook_repository.h"
#include "storage/store.h"

namespace herald::app {

using HookDeliveryRecord = storage::HookDeliveryRecord;
using HookDeliveryState = storage::HookDeliveryState;
using storage::HookDeliveryStateName;

// One configured endpoint and what its outbox holds.
struct HookEndpointView {
  std::string name;
  std::string url;  // without its query (which may hold a credential)
  std::vector<std::string> events;
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t dead = 0;
  std::optional<SysTime> last_delivered_at;
  std::optional<SysTime> last_error_at;
  std::string last_error;
  bool failing = false;  // its last attempt failed: its deliveries wait for the retry
};

struct HookStats {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;  // attempts that failed (each retried or dead)
  std::uint64_t dead = 0;
};

struct HookServiceOptions {
  // How often the delivery thread looks for due deliveries when nothing woke it.
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  std::uint64_t seed = 0;  // the jitter's; 0: random
};

class HookService final : public EventPublisher {
 public:
  static constexpr std::size_t kInFlightPerEndpoint = 4;

  HookService(storage::Store& store, const Clock& clock,
              std::map<std::string, config::HookEndpointConfig> endpoints,
              metrics::Registry* metrics = nullptr, HookServiceOptions options = {});
  ~HookService() override;  // Stop()
  HookService(const HookService&) = delete;
  HookService& operator=(const HookService&) = delete;

  // EventPublisher. Usable before Start: what is staged waits in the outbox.
  Status Stage(storage::UnitOfWork& work, const OutboundEvent& event, SysTime now) override;
  void Wake() override;
  void Publish(OutboundEvent event) override;

  // `secrets`: each endpoint's signing secret by name (config::Secrets::hook_secrets); one
  // missing is an error. Deliveries pending for endpoints no longer configured become dead
  // letters; then the delivery thread starts, with what was pending before (a crash, a stop).
  Status Start(const std::map<std::string, std::string>& secrets);
  // Ends the delivery thread; transfers still running are abandoned (their deliveries stay
  // pending and are sent again after the next start). Waits for the write jobs it submitted
  // (their `done` uses the service), so the store must still run. Idempotent.
  void Stop();

  // GET /v1/hooks: every configured endpoint with its counts, by name.
  void Endpoints(Reply<std::vector<HookEndpointView>> reply);
  // Dead letters, newest first, below `before` (0: from the newest); `endpoint` empty: all.
  void DeadLetters(std::string endpoint, std::int64_t before, std::size_t limit,
                   Reply<std::vector<HookDeliveryRecord>> reply);
  // A dead letter → pending, sent again soon (kNotFound: no such delivery; kFailedPrecondition:
  // not dead, or its endpoint is no longer configured). Replies with the delivery.
  void Replay(std::int64_t id, Reply<HookDeliveryRecord> reply);
  // Every dead letter of `endpoint` → pending; replies how many.
  void ReplayEndpoint(std::string endpoint, Reply<std::size_t> reply);

  HookStats stats() const;
  bool configured() const { return !endpoints_.empty(); }

 private:
  struct Endpoint {
    std::string name;
    config::HookEndpointConfig config;
    std::string secret;
    std::size_t in_flight = 0;
    std::chrono::steady_clock::time_point held_until{};  // after a failure: the retry's time
  };
  struct InFlight {
    storage::HookDelivery delivery;
    Endpoint* endpoint = nullptr;
  };

  void Run(std::unique_ptr<storage::UnitOfWork> reader);
  void Scan(storage::UnitOfWork& reader);
  void Send(Endpoint& endpoint, storage::HookDelivery delivery);
  void Record(const std::vector<HookResponse>& responses);
  std::chrono::milliseconds Backoff(const config::HookEndpointConfig& config,
                                    std::int64_t attempts);
  Endpoint* Find(std::string_view name);
  // store_.Submit, counting the job until its `done` ran (Stop waits for them).
  void Submit(storage::Store::Job job, storage::Store::Done done);

  storage::Store& store_;
  const Clock& clock_;
  const HookServiceOptions options_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;  // by name; fixed after construction
  std::map<std::string, std::vector<std::string>> subscribers_;  // kind → endpoint names

  mutable std::mutex mutex_;
  bool stopping_ HERALD_GUARDED_BY(mutex_) = false;
  bool woken_ HERALD_GUARDED_BY(mutex_) = false;
  // Deliveries being sent or whose attempt is being recorded: never fetched twice at once.
  std::set<std::int64_t> busy_ HERALD_GUARDED_BY(mutex_);
  HookStats stats_ HERALD_GUARDED_BY(mutex_);
  std::map<std::string, bool> failing_ HERALD_GUARDED_BY(mutex_);
  std::size_t jobs_in_flight_ HERALD_GUARDED_BY(mutex_) = 0;
  std::condition_variable jobs_done_;

  // The delivery thread's own.
  HookTransport transport_;
  std::map<std::int64_t, InFlight> in_flight_;
  std::mt19937_64 random_;
  std::thread thread_;
  ReadWorker reads_;  // the API's reads

  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace herald::app
