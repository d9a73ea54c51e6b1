#include "contacts/storage_sink.h"

#include <memory>

namespace herald::contacts {

StorageImportSink::StorageImportSink(storage::Writer& writer, const Clock& clock, std::string actor,
                                     Committed on_committed)
    : writer_(writer),
      clock_(clock),
      actor_(std::move(actor)),
      on_committed_(std::move(on_committed)) {}

void StorageImportSink::Write(std::vector<storage::ContactUpsert> batch, Done done) {
  auto upserts = std::make_shared<std::vector<storage::ContactUpsert>>(std::move(batch));
  auto results = std::make_shared<std::vector<storage::UpsertResult>>();
  auto job = [this, upserts, results](storage::Connection& connection) -> Status {
    auto repository = storage::ContactRepository::Create(connection);
    if (!repository.ok()) return repository.error();
    results->clear();  // a retried job starts over
    results->reserve(upserts->size());
    const SysTime now = clock_.Now();
    for (const auto& upsert : *upserts) {
      auto result = (*repository)->Upsert(upsert, now, actor_);
      if (!result.ok()) return result.error();
      results->push_back(std::move(result).value());
    }
    return Status::Ok();
  };
  auto finished = [this, results, done](Status status) {
    if (!status.ok()) return done(status.error());
    std::vector<storage::UpsertOutcome> outcomes;
    outcomes.reserve(results->size());
    for (const auto& result : *results) outcomes.push_back(result.outcome);
    if (on_committed_) on_committed_(std::move(*results));
    done(std::move(outcomes));
  };
  if (Status queued = writer_.Submit(std::move(job), finished); !queued.ok()) done(queued.error());
}

}  // namespace herald::contacts
