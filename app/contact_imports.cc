// Imports of the contact service (see contact_service.h): durable records, one thread each.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <thread>

#include "app/contact_export.h"
#include "app/contact_service.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "contacts/import_reader.h"
#include "contacts/storage_sink.h"
#include "storage/import_repository.h"

namespace herald::app {
namespace {

std::string_view FormatName(contacts::Format format) {
  switch (format) {
    case contacts::Format::kCsv:
      return "csv";
    case contacts::Format::kJsonLines:
      return "jsonl";
    case contacts::Format::kAuto:
      break;
  }
  return "auto";
}

std::string_view EncodingName(contacts::Encoding encoding) {
  switch (encoding) {
    case contacts::Encoding::kWindows1252:
      return "windows-1252";
    case contacts::Encoding::kIso8859_1:
      return "iso-8859-1";
    case contacts::Encoding::kIso8859_15:
      return "iso-8859-15";
    case contacts::Encoding::kUtf8:
      break;
  }
  return "utf-8";
}

std::string OptionsJson(const contacts::ImportOptions& options) {
  return boost::json::serialize(boost::json::object{{"format", FormatName(options.format)},
                                                    {"encoding", EncodingName(options.encoding)},
                                                    {"default_region", options.default_region},
                                                    {"replace_tags", options.replace_tags},
                                                    {"consent_source", options.consent_source}});
}

ImportStatus FromRecord(const storage::ImportRecord& record) {
  ImportStatus status;
  status.id = record.id;
  status.state = record.state;
  status.actor = record.actor;
  status.counts = record.tally;
  status.warning_samples = record.warning_samples;
  status.error = record.error;
  status.started = record.started;
  status.finished = record.finished;
  return status;
}

constexpr std::size_t kWarningSamples = 100;  // kept with the import, shown in its status
constexpr int kFinishRetries = 300;           // once a second: five minutes

Error NoImport(const std::string& id) {
  return MakeError(ErrorCode::kNotFound, "no import " + id, "id");
}

void RemoveQuietly(const std::filesystem::path& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

}  // namespace

struct ContactService::ImportJob {
  std::string id;
  std::string actor;
  SysTime started;
  std::shared_ptr<const TempFile> source;
  contacts::ImportOptions options;
  contacts::ImportProgress progress;
  std::atomic<bool> waiting{true};  // for a slot
  // Set when the import ended but its final state is not stored yet (storage full, say): shown
  // by LiveImport while the state is stored again. Guarded by imports_mutex_.
  std::string final_state;
  std::string final_error;
};

std::optional<ImportStatus> ContactService::LiveImport(const std::string& id) const {
  std::shared_ptr<ImportJob> job;
  {
    std::lock_guard lock(imports_mutex_);
    auto it = imports_.find(id);
    if (it == imports_.end()) return std::nullopt;
    job = it->second;
    if (!job->final_state.empty()) {
      return ImportStatus{
          job->id,          job->final_state,       false,
          job->actor,       job->progress.counts(), job->progress.warnings(kWarningSamples),
          job->final_error, job->started,           std::nullopt};
    }
  }
  return ImportStatus{job->id,
                      "running",
                      job->waiting.load(),
                      job->actor,
                      job->progress.counts(),
                      job->progress.warnings(kWarningSamples),
                      "",
                      job->started,
                      std::nullopt};
}

void ContactService::StartImport(ImportRequest request, Reply<ImportStatus> reply) {
  auto job = std::make_shared<ImportJob>();
  job->actor = request.actor;
  job->started = clock_.Now();
  job->source = std::move(request.source);
  job->options = std::move(request.options);
  storage::ImportRecord record;
  record.state = "running";
  record.actor = job->actor;
  record.options_json = OptionsJson(job->options);
  record.started = job->started;
  record.updated = job->started;
  const std::string owner = "pid:" + std::to_string(::getpid());
  auto created = [this, job, reply](Status status) {
    if (!status.ok()) return reply(status.error());
    {
      // Under the lock Stop takes to refuse new imports: an import either starts before Stop
      // looks (and is cancelled and waited for) or not at all (its record is marked interrupted
      // at the next start).
      std::lock_guard lock(import_threads_mutex_);
      if (!accepting_imports_) {
        return reply(MakeError(ErrorCode::kUnavailable, "the daemon is stopping"));
      }
      ++import_threads_;
      import_queue_.push_back(job.get());
      std::lock_guard map_lock(imports_mutex_);
      imports_[job->id] = job;
    }
    // Taken before the thread starts: a small import may be done (and gone from the map) before
    // the next line would run.
    std::optional<ImportStatus> started = LiveImport(job->id);
    std::thread([this, job] {
      NameThisThread("herald-import");
      RunImport(job);
    }).detach();
    reply(std::move(*started));
  };
  Status queued = store_.Submit(
      [record, owner, job](storage::UnitOfWork& work) -> Status {
        auto id = work.imports().Create(record, owner);
        if (!id.ok()) return id.error();
        job->id = std::move(*id);  // the job is not shared before this commits
        return Status::Ok();
      },
      created);
  if (!queued.ok()) reply(queued.error());
}

void ContactService::RunImport(const std::shared_ptr<ImportJob>& job) {
  contacts::StorageImportSink sink(
      store_, clock_, job->actor,
      [this](std::vector<storage::UpsertResult>&& results) { ApplyCommitted(results); }, job->id);
  Result<contacts::ImportCounts> result =
      MakeError(ErrorCode::kIoError, "cannot read the uploaded file");
  bool slot = false;
  {
    std::unique_lock lock(import_threads_mutex_);
    import_slot_free_.wait(lock, [&] {
      return (running_imports_ < max_running_imports_ && import_queue_.front() == job.get()) ||
             job->progress.cancelled();
    });
    if (!job->progress.cancelled()) {
      ++running_imports_;
      slot = true;
    }
    import_queue_.erase(std::find(import_queue_.begin(), import_queue_.end(), job.get()));
  }
  import_slot_free_.notify_all();  // the next in line may take a slot that is still free
  job->waiting = false;
  if (slot) {
    std::ifstream input(job->source->path(), std::ios::binary);
    if (input) result = contacts::RunImport(input, job->options, sink, job->progress, clock_);
    std::lock_guard lock(import_threads_mutex_);
    --running_imports_;
    import_slot_free_.notify_all();
  }
  job->source.reset();  // the upload is deleted now, not when the status is last read
  std::string state = "completed", error;
  if (!slot || !result.ok()) {
    // Only Stop cancels: the daemon stopped before the import could finish within the grace.
    state = job->progress.cancelled() ? "interrupted" : "failed";
    error = job->progress.cancelled()
                ? "the daemon stopped before the import finished; " +
                      std::to_string(sink.committed().rows) +
                      " rows were committed and stay; import the same file again to finish (rows "
                      "already stored are unchanged)"
                : result.error().ToString() + "; the " + std::to_string(sink.committed().rows) +
                      " rows committed before stay (importing the same file again is safe)";
  }
  Status stored = sink.Finish(state, error, job->progress.counts().warnings,
                              job->progress.warnings(kWarningSamples));
  if (!stored.ok()) {
    log::Error("event=import_state_not_stored id={} state={} error={}", log::Quoted(job->id),
               log::Quoted(state), log::Quoted(stored.error().ToString()));
    // The status shows the end at once; the record is stored again once a second (a full disk
    // frees what the failed batch held, or gets room) until it is, or the daemon stops (then
    // the next start marks it interrupted).
    {
      std::lock_guard lock(imports_mutex_);
      job->final_state = state;
      job->final_error = error;
    }
    for (int attempt = 0; attempt < kFinishRetries && !stored.ok(); ++attempt) {
      if (job->progress.cancelled()) break;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      stored = sink.Finish(state, error, job->progress.counts().warnings,
                           job->progress.warnings(kWarningSamples));
    }
    if (stored.ok()) log::Info("event=import_state_stored id={}", log::Quoted(job->id));
  }
  const storage::ImportTally tally = sink.committed();
  log::Info(
      "event=import_finished id={} state={} actor={} rows={} created={} updated={} "
      "unchanged={} rejected={}",
      log::Quoted(job->id), log::Quoted(state), log::Quoted(job->actor), tally.rows, tally.created,
      tally.updated, tally.unchanged, tally.rejected);
  if (stored.ok()) {  // else its status stays live, with the final state, until a restart
    std::lock_guard lock(imports_mutex_);
    imports_.erase(job->id);
  }
  CompactIndexAfterImport();
  // An import frees what it held (its duplicate-number map, batches, chunks) to glibc's heap,
  // which keeps it mapped unless asked; give it back so the daemon's steady RSS comes down.
  ::malloc_trim(0);
  std::lock_guard lock(import_threads_mutex_);
  --import_threads_;
  import_threads_idle_.notify_all();  // under the lock: Stop cannot return before this is done
}

void ContactService::GetImport(std::string id, Reply<ImportStatus> reply) {
  if (auto live = LiveImport(id)) return reply(std::move(*live));
  worker_.Post([this, id = std::move(id), reply](storage::UnitOfWork& reader) {
    auto found = reader.imports().Find(id);
    if (!found.ok()) return reply(found.error());
    if (!found->has_value()) {
      // It may have finished between the two looks: its record is stored by now.
      if (auto live = LiveImport(id)) return reply(std::move(*live));
      return reply(NoImport(id));
    }
    reply(FromRecord(**found));
  });
}

void ContactService::ListImports(std::size_t limit, Reply<std::vector<ImportStatus>> reply) {
  worker_.Post([this, limit, reply](storage::UnitOfWork& reader) {
    auto records = reader.imports().List(limit);
    if (!records.ok()) return reply(records.error());
    std::vector<ImportStatus> statuses;
    for (const auto& record : *records) {
      auto live = record.state == "running" ? LiveImport(record.id) : std::nullopt;
      statuses.push_back(live ? std::move(*live) : FromRecord(record));
    }
    reply(std::move(statuses));
  });
}

void ContactService::ImportRejects(std::string id, Reply<std::filesystem::path> reply) {
  worker_.Post([id = std::move(id), reply](storage::UnitOfWork& reader) {
    auto found = reader.imports().Find(id);
    if (!found.ok()) return reply(found.error());
    if (!found->has_value()) return reply(NoImport(id));
    std::ofstream out;
    auto path = NewTempFile("rejects", out);
    if (!path.ok()) return reply(path.error());
    contacts::RejectsCsvWriter writer(out, (*found)->columns, (*found)->delimiter);
    Status read = reader.imports().ForEachReject(id, [&](storage::StoredReject&& reject) {
      writer.Write(
          contacts::Reject{reject.line, std::move(reject.reason), std::move(reject.fields)});
    });
    out.close();
    if (read.ok() && !out) read = MakeError(ErrorCode::kIoError, "cannot write " + path->string());
    if (!read.ok()) {
      RemoveQuietly(*path);
      return reply(read.error());
    }
    reply(std::move(*path));
  });
}

void ContactService::Stop(std::chrono::steady_clock::time_point deadline) {
  if (stopped_.exchange(true)) return;
  std::unique_lock lock(import_threads_mutex_);
  accepting_imports_ = false;
  // Running imports may finish within the grace: an import of a few seconds is not cut short.
  if (import_threads_ > 0) {
    log::Info("event=imports_finishing count={} grace_ms={}", import_threads_,
              std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                            deadline - std::chrono::steady_clock::now())
                                            .count()));
  }
  import_threads_idle_.wait_until(lock, deadline, [&] { return import_threads_ == 0; });
  if (import_threads_ > 0) {
    {
      std::lock_guard map_lock(imports_mutex_);
      for (auto& [id, job] : imports_) job->progress.Cancel();
    }
    import_slot_free_.notify_all();  // the waiting ones give up their turn
    import_threads_idle_.wait(lock, [&] { return import_threads_ == 0; });
  }
  lock.unlock();
  worker_.Stop();
}

}  // namespace herald::app
