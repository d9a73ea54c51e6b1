#include "app/read_worker.h"

namespace herald::app {

ReadWorker::~ReadWorker() { Stop(); }

void ReadWorker::Start(std::unique_ptr<storage::UnitOfWork> reader) {
  reader_ = std::move(reader);
  thread_.Start();
}

void ReadWorker::Post(Task task) {
  thread_.Post([this, task = std::move(task)] { task(*reader_); });
}

void ReadWorker::Stop() { thread_.Stop(); }

}  // namespace herald::app
