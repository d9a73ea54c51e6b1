// app/worker_thread.h: one thread running posted tasks one at a time, in the order they were
// posted. The services' workers (ReadWorker adds a read session) and the compliance service's
// text scans run on one each, so that the network thread never does slow work itself.
//
// Thread rules: Post, queued and Stop may be called from any thread; tasks run on the worker's
// thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "common/thread_annotations.h"

namespace herald::app {

class WorkerThread {
 public:
  using Task = std::function<void()>;

  WorkerThread() = default;
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;
  ~WorkerThread();  // Stop()

  // Starts the thread; tasks posted before Start wait for it.
  void Start();
  // Queues `task`; false (and the task is dropped) once Stop has begun.
  bool Post(Task task);
  // Tasks posted and not finished yet (the running one included).
  std::size_t queued() const;
  // Runs the tasks already posted, then ends the thread; later posts are dropped. Idempotent.
  void Stop();

 private:
  void Run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> tasks_ HERALD_GUARDED_BY(mutex_);
  bool running_task_ HERALD_GUARDED_BY(mutex_) = false;
  bool stopping_ HERALD_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace herald::app
