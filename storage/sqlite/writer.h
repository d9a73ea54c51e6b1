// storage/sqlite/writer.h: the single SQLite writer. Every write in Herald goes through it.
//
// A dedicated thread owns the write connection. Jobs are queued from any thread and run in
// batches: one BEGIN IMMEDIATE … COMMIT per batch (group commit, one fsync for many writes), each
// job inside its own SAVEPOINT so that a failing job rolls back alone. A job's completion runs on
// the writer thread once its batch is durable; completions must not block and should post their
// result to the caller's own executor. The network thread never waits on a commit.
//
// Thread rules: Submit, Stop, LastHeartbeat, healthy and stats are safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "common/result.h"
#include "common/thread_annotations.h"
#include "storage/sqlite/connection.h"
#include "storage/store.h"

namespace herald::storage {

class Writer {
 public:
  using Job = std::function<Status(Connection&)>;
  using Done = std::function<void(Status)>;

  using Stats = WriterStats;
  // StoreOptions::on_commit.
  using CommitObserver = std::function<void(std::chrono::steady_clock::duration)>;

  Writer(std::unique_ptr<Connection> connection, std::size_t max_batch,
         CommitObserver on_commit = {});
  ~Writer();  // Stop()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `job`; `done` (may be empty) receives the job's status after its batch committed, or
  // the job's own error, or the commit's error. After Stop, returns kUnavailable and never runs.
  Status Submit(Job job, Done done);

  // Runs `job` and waits for it to be durable. For start-up, tools and tests: never call it from
  // the network thread.
  Status SubmitAndWait(Job job);

  // Runs every job already queued, commits, and joins the thread. Idempotent.
  void Stop();

  // Updated at least once per second while the thread is alive (for the systemd watchdog).
  std::chrono::steady_clock::time_point LastHeartbeat() const;
  // False once a commit failed, or a job failed for a storage fault (a full disk, an I/O error),
  // until a later commit succeeds; or after Stop. While it is false and no job is queued, the
  // writer tries a one-page write once a second, so that it recovers by itself once space is
  // back, without waiting for a caller's write.
  bool healthy() const { return healthy_.load(); }
  // Why healthy() is false: the storage fault, with the file.
  std::string failure() const;
  Stats stats() const;

 private:
  struct Pending {
    Job job;
    Done done;
  };

  void Run();
  void RunBatch(std::deque<Pending>& batch);
  // After a batch: records a storage fault (logged at error level once per episode) or recovery.
  void NoteHealth(const Status& fault);
  void Probe();  // the one-page write that tells whether writes work again

  std::unique_ptr<Connection> connection_;
  const std::size_t max_batch_;
  const CommitObserver on_commit_;  // may be empty
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_ HERALD_GUARDED_BY(mutex_);
  bool stopping_ HERALD_GUARDED_BY(mutex_) = false;
  std::atomic<bool> healthy_{true};
  std::string failure_ HERALD_GUARDED_BY(mutex_);
  std::atomic<std::int64_t> heartbeat_ns_;
  Stats stats_ HERALD_GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace herald::storage
