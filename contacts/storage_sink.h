// contacts/storage_sink.h: the ImportSink that writes import batches through the storage writer,
// one writer job (one savepoint) per batch, and reports what changed once it is durable so the
// daemon can update its segment index.
//
// Thread rules: Write from the import thread; `on_committed` and `done` run on the writer thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "contacts/importer.h"
#include "storage/contact_repository.h"
#include "storage/writer.h"

namespace herald::contacts {

class StorageImportSink : public ImportSink {
 public:
  using Committed = std::function<void(std::vector<storage::UpsertResult>&&)>;

  // `actor` is recorded in the audit log for consent changes.
  StorageImportSink(storage::Writer& writer, const Clock& clock, std::string actor,
                    Committed on_committed);

  void Write(std::vector<storage::ContactUpsert> batch, Done done) override;

 private:
  storage::Writer& writer_;
  const Clock& clock_;
  std::string actor_;
  Committed on_committed_;
};

}  // namespace herald::contacts
