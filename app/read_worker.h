// app/read_worker.h: one thread with its own read session on the database (a storage::UnitOfWork),
// running tasks one at a time in the order they were posted. Services use it for queries and other
// slow work (building an index, compiling word lists) so that neither the network thread nor the
// storage writer waits for them.
//
// Thread rules: Post and Stop may be called from any thread. Tasks run on the worker's thread,
// which alone uses the session.
#pragma once

#include <functional>
#include <memory>

#include "app/worker_thread.h"
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
  std::unique_ptr<storage::UnitOfWork> reader_;  // set before the thread starts, then its alone
  WorkerThread thread_;
};

}  // namespace herald::app
