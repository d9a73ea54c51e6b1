#include "app/worker_thread.h"

#include "common/thread_name.h"

namespace herald::app {

WorkerThread::~WorkerThread() { Stop(); }

void WorkerThread::Start() {
  if (!thread_.joinable()) {
    thread_ = std::thread([this] {
      NameThisThread("herald-worker");
      Run();
    });
  }
}

bool WorkerThread::Post(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

std::size_t WorkerThread::queued() const {
  std::lock_guard lock(mutex_);
  return tasks_.size() + (running_task_ ? 1 : 0);
}

void WorkerThread::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WorkerThread::Run() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      running_task_ = false;
      wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
      running_task_ = true;
    }
    task();
  }
}

}  // namespace herald::app
