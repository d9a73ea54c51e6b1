#include "app/retention_service.h"

#include <memory>
#include <utility>

#include "common/log.h"
#include "common/thread_name.h"
#include "storage/retention_repository.h"

namespace herald::app {

RetentionService::RetentionService(storage::Store& store, const Clock& clock,
                                   RetentionPolicy policy)
    : store_(store), clock_(clock), policy_(policy) {}

RetentionService::~RetentionService() { Stop(); }

void RetentionService::Start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void RetentionService::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionService::Loop() {
  NameThisThread("herald-retention");
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, policy_.interval, [this] { return stopping_; })) return;
    }
    auto removed = RunOnce();
    if (!removed.ok()) {
      log::Warn("event=retention_failed error={}", log::Quoted(removed.error().ToString()));
    } else if (removed->webhook_requests + removed->deliveries + removed->audit > 0) {
      log::Info("event=retention_purged webhook_requests={} deliveries={} audit={}",
                removed->webhook_requests, removed->deliveries, removed->audit);
    }
  }
}

Status RetentionService::Drain(
    std::int64_t& removed, const std::function<Result<std::int64_t>(storage::UnitOfWork&)>& purge) {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && thread_.joinable()) return Status::Ok();  // Stop during a pass
    }
    auto batch = std::make_shared<std::int64_t>(0);
    const Status done = store_.SubmitAndWait([&purge, batch](storage::UnitOfWork& work) -> Status {
      auto count = purge(work);
      if (!count.ok()) return count.error();
      *batch = *count;
      return Status::Ok();
    });
    if (!done.ok()) return done;
    removed += *batch;
    if (*batch < policy_.batch) return Status::Ok();
  }
}

Result<RetentionCounts> RetentionService::RunOnce() {
  RetentionCounts counts;
  const SysTime now = clock_.Now();
  const std::int64_t limit = policy_.batch;
  if (policy_.webhook_requests.count() > 0) {
    const SysTime before = now - policy_.webhook_requests;
    Status done = Drain(counts.webhook_requests, [before, limit](storage::UnitOfWork& work) {
      return work.retention().PurgeWebhookRequests(before, limit);
    });
    if (!done.ok()) return done.error();
  }
  if (policy_.deliveries.count() > 0) {
    const SysTime before = now - policy_.deliveries;
    Status done = Drain(counts.deliveries, [before, limit](storage::UnitOfWork& work) {
      return work.retention().SummariseDeliveries(before, limit);
    });
    if (!done.ok()) return done.error();
  }
  if (policy_.audit.count() > 0) {
    const SysTime before = now - policy_.audit;
    Status done = Drain(counts.audit, [before, limit](storage::UnitOfWork& work) {
      return work.retention().PurgeAudit(before, limit);
    });
    if (!done.ok()) return done.error();
  }
  return counts;
}

}  // namespace herald::app
