// app/read_worker.h: one thread with its own read session on the database (a storage::UnitOfWork),
// running tasks one at a time in the order they were posted. Services use it for queries and other
// slow work (building an index, compiling word lists) so that neither the network thread nor the
// storage writer waits for them.
//
// Thread rules: Post and Stop may be called from any thread. Tasks run on the worker's thread,
// which alone uses the session.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "common/thread_annotations.h"
#include "storage/store.h"

namespace herald::app {

class ReadWorker {
 public:
  using Task = std::function<void(storage::UnitOfWork&)>;

  ReadWorker() = default;
  ReadWorker(const ReadWorker&) = delete;
  ReadWorker& operator=(const ReadWorker&) = delete;
  ~ReadWorker();  // Stop()

  // Starts the thread with `reader`; tasks posted before Start wait for it.
  void Start(std::unique_ptr<storage::UnitOfWork> reader);
  void Post(Task task);
  // Runs the tasks already posted, then ends the thread; later posts are dropped. Idempotent.
  void Stop();

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> tasks_ HERALD_GUARDED_BY(mutex_);
  bool stopping_ HERALD_GUARDED_BY(mutex_) = false;
  std::unique_ptr<storage::UnitOfWork> reader_;
  std::thread thread_;
};

}  // namespace herald::app
