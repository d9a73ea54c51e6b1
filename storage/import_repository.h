// storage/import_repository.h: contact imports as durable jobs: their state, counts and rejected
// rows survive a restart. The importer checkpoints after each committed batch, in that batch's own
// transaction, so the stored counts are exactly what is in the database.
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace herald::storage {

struct ImportTally {
  std::uint64_t rows = 0;
  std::uint64_t created = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t rejected = 0;
  std::uint64_t warnings = 0;
};

struct StoredReject {
  std::int64_t line = 0;
  std::string reason;
  std::vector<std::string> fields;  // the row as written
};

struct ImportRecord {
  std::string id;     // "imp-1", "imp-2", …
  std::string state;  // running, completed, failed, cancelled, interrupted
  std::string actor;
  std::string options_json = "{}";   // what it was asked to do (format, region, …)
  std::vector<std::string> columns;  // the source's columns, for the rejects CSV
  char delimiter = ',';
  ImportTally tally;                         // committed so far
  std::vector<std::string> warning_samples;  // the first warnings, once finished
  std::string error;                         // when failed or interrupted
  SysTime started;
  SysTime updated;
  std::optional<SysTime> finished;
};

class ImportRepository {
 public:
  virtual ~ImportRepository() = default;

  // Records a new running import (record.id is ignored) and returns its id: "imp-N", one more
  // than any import ever stored, so ids never repeat, across restarts too.
  virtual Result<std::string> Create(const ImportRecord& record, std::string_view owner) = 0;
  // The source's columns once the reader knows them.
  virtual Status SetSource(std::string_view id, const std::vector<std::string>& columns,
                           char delimiter) = 0;
  // Stores the counts so far and appends `rejects` (in the transaction of the batch they
  // describe). kNotFound for an unknown id.
  virtual Status Checkpoint(std::string_view id, const ImportTally& tally,
                            const std::vector<StoredReject>& rejects, SysTime now) = 0;
  // The final state (completed, failed, cancelled, interrupted) with its error, if any, and the
  // first warnings (tally.warnings counts them all).
  virtual Status Finish(std::string_view id, std::string_view state, const ImportTally& tally,
                        std::string_view error, const std::vector<std::string>& warning_samples,
                        SysTime now) = 0;
  // Imports left running by a process that stopped without finishing them (a crash): marked
  // interrupted, keeping their committed counts. Called at start-up. With several instances
  // sharing a database this must only take imports whose owner is gone (issue "Beyond one
  // machine"); one instance owns every import today.
  virtual Result<std::size_t> MarkInterrupted(SysTime now) = 0;

  virtual Result<std::optional<ImportRecord>> Find(std::string_view id) = 0;
  // The newest first, at most `limit`.
  virtual Result<std::vector<ImportRecord>> List(std::size_t limit) = 0;
  // Every rejected row of the import, in line order.
  virtual Status ForEachReject(std::string_view id,
                               const std::function<void(StoredReject&&)>& visit) = 0;
};

}  // namespace herald::storage
