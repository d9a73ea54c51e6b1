#include "contacts/storage_sink.h"

#include <memory>

namespace herald::contacts {

StorageImportSink::StorageImportSink(storage::Store& store, const Clock& clock, std::string actor,
                                     Committed on_committed, std::string import_id)
    : store_(store),
      clock_(clock),
      actor_(std::move(actor)),
      on_committed_(std::move(on_committed)),
      import_id_(std::move(import_id)) {}

std::vector<storage::StoredReject> StorageImportSink::TakeRejects() {
  std::lock_guard lock(mutex_);
  return std::exchange(pending_rejects_, {});
}

storage::ImportTally StorageImportSink::committed() const {
  std::lock_guard lock(mutex_);
  return committed_;
}

void StorageImportSink::Source(const std::vector<std::string>& columns, char delimiter) {
  if (import_id_.empty()) return;
  (void)store_.Submit(
      [this, columns, delimiter](storage::UnitOfWork& work) {
        return work.imports().SetSource(import_id_, columns, delimiter);
      },
      nullptr);
}

void StorageImportSink::Rejected(const Reject& reject) {
  if (import_id_.empty()) return;
  std::lock_guard lock(mutex_);
  pending_rejects_.push_back({reject.line, reject.reason, reject.fields});
}

void StorageImportSink::Write(std::vector<storage::ContactUpsert> batch, Done done) {
  auto upserts = std::make_shared<std::vector<storage::ContactUpsert>>(std::move(batch));
  auto results = std::make_shared<std::vector<storage::UpsertResult>>();
  auto job = [this, upserts, results](storage::UnitOfWork& work) -> Status {
    storage::ContactRepository& repository = work.contacts();
    results->clear();  // a retried job starts over
    results->reserve(upserts->size());
    const SysTime now = clock_.Now();
    for (const auto& upsert : *upserts) {
      auto result = repository.Upsert(upsert, now, actor_);
      if (!result.ok()) return result.error();
      results->push_back(std::move(result).value());
    }
    if (import_id_.empty()) return Status::Ok();
    std::vector<storage::StoredReject> rejects = TakeRejects();
    storage::ImportTally tally = committed();
    for (const auto& result : *results) {
      switch (result.outcome) {
        case storage::UpsertOutcome::kCreated:
          ++tally.created;
          break;
        case storage::UpsertOutcome::kUpdated:
          ++tally.updated;
          break;
        case storage::UpsertOutcome::kUnchanged:
          ++tally.unchanged;
          break;
      }
    }
    tally.rejected += rejects.size();
    tally.rows += results->size() + rejects.size();
    Status checkpoint = work.imports().Checkpoint(import_id_, tally, rejects, now);
    std::lock_guard lock(mutex_);
    if (checkpoint.ok()) {
      committed_ = tally;
    } else {  // the job rolls back: its rejects go with the next one
      pending_rejects_.insert(pending_rejects_.begin(), rejects.begin(), rejects.end());
    }
    return checkpoint;
  };
  auto finished = [this, results, done](Status status) {
    if (!status.ok()) return done(status.error());
    std::vector<storage::UpsertOutcome> outcomes;
    outcomes.reserve(results->size());
    for (const auto& result : *results) outcomes.push_back(result.outcome);
    if (on_committed_) on_committed_(std::move(*results));
    done(std::move(outcomes));
  };
  if (Status queued = store_.Submit(std::move(job), finished); !queued.ok()) done(queued.error());
}

Status StorageImportSink::Finish(std::string_view state, std::string_view error,
                                 std::uint64_t warnings, std::vector<std::string> warning_samples) {
  if (import_id_.empty()) return Status::Ok();
  return store_.SubmitAndWait(
      [this, state = std::string(state), error = std::string(error), warnings,
       samples = std::move(warning_samples)](storage::UnitOfWork& work) -> Status {
        std::vector<storage::StoredReject> rejects = TakeRejects();
        storage::ImportTally tally = committed();
        tally.rejected += rejects.size();
        tally.rows += rejects.size();
        tally.warnings = warnings;
        const SysTime now = clock_.Now();
        Status stored = work.imports().Checkpoint(import_id_, tally, rejects, now);
        if (stored.ok())
          stored = work.imports().Finish(import_id_, state, tally, error, samples, now);
        std::lock_guard lock(mutex_);
        if (stored.ok()) {
          committed_ = tally;
        } else {
          pending_rejects_.insert(pending_rejects_.begin(), rejects.begin(), rejects.end());
        }
        return stored;
      });
}

}  // namespace herald::contacts
