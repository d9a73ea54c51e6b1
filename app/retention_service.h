// app/retention_service.h: removes data older than its retention ([retention]; issue 18, item 8;
// docs/operations.md, "Retention"): processed webhook requests (the raw payloads), finished
// deliveries (summed into the report aggregates first, so reports of older months keep working)
// and audit entries. A pass runs every `interval`, the first one `interval` after the start; each
// kind is removed in batches of `batch` rows, one write job per batch, until a batch comes back
// short, so the writer serves sending between batches.
//
// Thread rules: one thread of its own (herald-retention) runs the passes and waits for each job;
// Start, Stop and RunOnce may be called from any thread (RunOnce runs on the caller's).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "storage/store.h"

namespace herald::app {

struct RetentionPolicy {
  std::chrono::milliseconds webhook_requests{0};  // 0: kept forever
  std::chrono::milliseconds deliveries{0};
  std::chrono::milliseconds audit{0};
  std::chrono::milliseconds interval{std::chrono::hours(1)};
  std::int64_t batch = 1000;
};

struct RetentionCounts {
  std::int64_t webhook_requests = 0;
  std::int64_t deliveries = 0;
  std::int64_t audit = 0;
};

class RetentionService {
 public:
  RetentionService(storage::Store& store, const Clock& clock, RetentionPolicy policy);
  ~RetentionService();  // Stop()
  RetentionService(const RetentionService&) = delete;
  RetentionService& operator=(const RetentionService&) = delete;

  void Start();
  // Ends the thread after the batch in hand. Idempotent.
  void Stop();

  // One pass now: every kind, batch after batch, until a batch comes back short.
  Result<RetentionCounts> RunOnce();

 private:
  void Loop();
  // Runs `purge` batch after batch; adds what it removed to `removed`.
  Status Drain(std::int64_t& removed,
               const std::function<Result<std::int64_t>(storage::UnitOfWork&)>& purge);

  storage::Store& store_;
  const Clock& clock_;
  const RetentionPolicy policy_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ HERALD_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace herald::app
