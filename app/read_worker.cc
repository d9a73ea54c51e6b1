#include "app/read_worker.h"

namespace herald::app {

ReadWorker::~ReadWorker() { Stop(); }

void ReadWorker::Start(std::unique_ptr<storage::UnitOfWork> reader) {
  reader_ = std::move(reader);
  thread_ = std::thread([this] { Run(); });
}

void ReadWorker::Post(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void ReadWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReadWorker::Run() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task(*reader_);
  }
}

}  // namespace herald::app
