// contacts/storage_sink.h: the ImportSink that writes import batches through the store, one write
// job per batch, and reports what changed once it is durable so the owner of the segment index
// can update it.
//
// With an import id it also keeps the import's stored record (storage::ImportRepository) current:
// each batch's job adds the batch's outcomes and the rows rejected since the last batch to the
// stored counts, in the same transaction, so the record always says exactly what was committed.
// Finish writes the rejects left over and the final state.
//
// Thread rules: Write, Source, Rejected and Finish from the import thread; `on_committed` and
// `done` run on the store's writer thread. The committed tally is touched only by write jobs,
// which the store runs one at a time.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/thread_annotations.h"
#include "contacts/importer.h"
#include "storage/contact_repository.h"
#include "storage/import_repository.h"
#include "storage/store.h"

namespace herald::contacts {

class StorageImportSink : public ImportSink {
 public:
  using Committed = std::function<void(std::vector<storage::UpsertResult>&&)>;

  // `actor` is recorded in the audit log for consent changes. `import_id` names the stored
  // import record to keep current; empty for none.
  StorageImportSink(storage::Store& store, const Clock& clock, std::string actor,
                    Committed on_committed, std::string import_id = {});

  void Write(std::vector<storage::ContactUpsert> batch, Done done) override;
  void Source(const std::vector<std::string>& columns, char delimiter) override;
  void Rejected(const Reject& reject) override;

  // Stores the rejects not written yet and the import's final state, with the number of
  // warnings and the first of them; blocks until durable.
  Status Finish(std::string_view state, std::string_view error, std::uint64_t warnings,
                std::vector<std::string> warning_samples);

  // What the stored record says was committed (after Finish: the final counts).
  storage::ImportTally committed() const;

 private:
  std::vector<storage::StoredReject> TakeRejects();

  storage::Store& store_;
  const Clock& clock_;
  std::string actor_;
  Committed on_committed_;
  std::string import_id_;
  mutable std::mutex mutex_;
  std::vector<storage::StoredReject> pending_rejects_ HERALD_GUARDED_BY(mutex_);
  storage::ImportTally committed_ HERALD_GUARDED_BY(mutex_);
};

}  // namespace herald::contacts
