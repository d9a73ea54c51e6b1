#include "storage/sqlite/writer.h"

#include <sqlite3.h>

#include <future>
#include <utility>
#include <vector>

#include "common/log.h"
#include "common/thread_name.h"

namespace herald::storage {
namespace {

std::int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Runs one job inside a savepoint so that its failure undoes only its own writes.
Status RunInSavepoint(Connection& connection, const Writer::Job& job) {
  if (Status status = connection.Execute("SAVEPOINT job"); !status.ok()) return status;
  Status status = job(connection);
  if (!status.ok()) (void)connection.Execute("ROLLBACK TO job");
  (void)connection.Execute("RELEASE job");
  return status;
}

// A job's own refusal of its input, as opposed to a storage failure (Stats::jobs_rejected).
bool IsRejection(const Status& status) {
  switch (status.error().code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

// A failure of the storage itself, as opposed to a job refusing its input.
bool IsStorageFault(const Status& status) {
  switch (status.error().code) {
    case ErrorCode::kStorageFull:
    case ErrorCode::kIoError:
    case ErrorCode::kCorruption:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string Writer::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void Writer::NoteHealth(const Status& fault) {
  const std::string file = connection_->path().string();
  if (fault.ok()) {
    if (!healthy_.exchange(true)) log::Info("event=storage_recovered file={}", log::Quoted(file));
    return;
  }
  {
    std::lock_guard lock(mutex_);
    failure_ = fault.error().message;
  }
  if (healthy_.exchange(false)) {
    const bool full = fault.error().code == ErrorCode::kStorageFull;
    log::Error("event=storage_write_failed code={} file={} error={} hint={}",
               log::Quoted(ErrorCodeName(fault.error().code)), log::Quoted(file),
               log::Quoted(fault.error().message),
               log::Quoted(full ? "free space on the database's file system; writes resume by "
                                  "themselves"
                                : "see the error; writes are retried once a second"));
  }
}

void Writer::Probe() {
  // Rewriting the schema version with its own value dirties the database's first page, so the
  // commit appends a page to the WAL: it needs the space any write needs.
  auto version = connection_->PragmaInteger("user_version");
  Status probed = version.ok() ? connection_->Execute("BEGIN IMMEDIATE") : Status(version.error());
  if (probed.ok()) {
    probed = connection_->Execute("PRAGMA user_version=" + std::to_string(*version));
    if (probed.ok()) probed = connection_->Execute("COMMIT");
    if (!probed.ok()) (void)connection_->Execute("ROLLBACK");
  }
  NoteHealth(probed);
}

Writer::Writer(std::unique_ptr<Connection> connection, std::size_t max_batch,
               CommitObserver on_commit)
    : connection_(std::move(connection)),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      on_commit_(std::move(on_commit)),
      heartbeat_ns_(SteadyNowNs()) {
  thread_ = std::thread([this] {
    NameThisThread("herald-writer");
    Run();
  });
}

Writer::~Writer() { Stop(); }

Status Writer::Submit(Job job, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return MakeError(ErrorCode::kUnavailable, "storage writer is stopped");
    }
    queue_.push_back(Pending{std::move(job), std::move(done)});
  }
  wake_.notify_one();
  return Status::Ok();
}

Status Writer::SubmitAndWait(Job job) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  Status queued = Submit(std::move(job), [promise](Status status) { promise->set_value(status); });
  if (!queued.ok()) return queued;
  return future.get();
}

void Writer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  healthy_ = false;
}

std::chrono::steady_clock::time_point Writer::LastHeartbeat() const {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(heartbeat_ns_.load()));
}

Writer::Stats Writer::stats() const {
  std::lock_guard lock(mutex_);
  Stats stats = stats_;
  stats.jobs_queued = queue_.size();
  return stats;
}

void Writer::Run() {
  for (;;) {
    std::deque<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      // Wake at least once a second so the heartbeat shows the thread is alive while idle.
      wake_.wait_for(lock, std::chrono::seconds(1),
                     [this] { return stopping_ || !queue_.empty(); });
      heartbeat_ns_ = SteadyNowNs();
      if (queue_.empty()) {
        if (stopping_) return;
        lock.unlock();
        if (!healthy_) Probe();
        continue;
      }
      std::size_t take = std::min(max_batch_, queue_.size());
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    heartbeat_ns_ = SteadyNowNs();
  }
}

void Writer::RunBatch(std::deque<Pending>& batch) {
  std::vector<Status> results;
  results.reserve(batch.size());
  Status begun = connection_->Execute("BEGIN IMMEDIATE");
  if (begun.ok()) {
    for (Pending& pending : batch) {
      // After a fault that made SQLite roll the transaction back (see below), a job would run
      // in autocommit mode and be committed alone: the rest of the batch is not run.
      if (!results.empty() && sqlite3_get_autocommit(connection_->handle()) != 0) {
        results.push_back(results.back().ok() ? Status(MakeError(ErrorCode::kIoError,
                                                                 "the transaction was rolled back"))
                                              : results.back());
        continue;
      }
      results.push_back(RunInSavepoint(*connection_, pending.job));
    }
  }
  const auto commit_started = std::chrono::steady_clock::now();
  Status committed = begun.ok() ? connection_->Execute("COMMIT") : begun;
  if (begun.ok() && committed.ok() && on_commit_) {
    on_commit_(std::chrono::steady_clock::now() - commit_started);
  }
  if (begun.ok() && !committed.ok()) (void)connection_->Execute("ROLLBACK");
  Status job_fault = Status::Ok();
  for (std::size_t i = 0; job_fault.ok() && i < results.size(); ++i) {
    if (!results[i].ok() && IsStorageFault(results[i])) job_fault = results[i];
  }
  // SQLite rolls the whole transaction back by itself after some faults (SQLITE_FULL, most I/O
  // errors): COMMIT then fails with "no transaction is active", and the job's fault is the cause
  // every job of the batch is told.
  if (!committed.ok() && !job_fault.ok()) committed = job_fault;
  NoteHealth(committed.ok() ? job_fault : committed);

  std::vector<Status> outcomes;
  outcomes.reserve(batch.size());
  std::uint64_t ok_jobs = 0;
  std::uint64_t rejected_jobs = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    outcomes.push_back(committed.ok() ? results[i] : committed);
    if (outcomes.back().ok()) ++ok_jobs;
    if (committed.ok() && !results[i].ok() && IsRejection(results[i])) ++rejected_jobs;
  }
  {
    // Counted before the completions run, so that a caller woken by one sees its job counted.
    std::lock_guard lock(mutex_);
    if (committed.ok()) ++stats_.batches_committed;
    if (!committed.ok()) ++stats_.commits_failed;
    stats_.jobs_committed += ok_jobs;
    stats_.jobs_rejected += rejected_jobs;
    stats_.jobs_failed += batch.size() - ok_jobs - rejected_jobs;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(std::move(outcomes[i]));
  }
}

}  // namespace herald::storage
