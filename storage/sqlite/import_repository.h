// storage/sqlite/import_repository.h: the SQLite ImportRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/import_repository.h"
#include "storage/sqlite/audit.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteImportRepository final : public ImportRepository {
 public:
  explicit SqliteImportRepository(Connection& connection)
      : connection_(connection), audit_(connection) {}

  Result<std::string> Create(const ImportRecord& record, std::string_view owner) override;
  Status SetSource(std::string_view id, const std::vector<std::string>& columns,
                   char delimiter) override;
  Status Checkpoint(std::string_view id, const ImportTally& tally,
                    const std::vector<StoredReject>& rejects, SysTime now) override;
  Status Finish(std::string_view id, std::string_view state, const ImportTally& tally,
                std::string_view error, const std::vector<std::string>& warning_samples,
                SysTime now) override;
  Result<std::size_t> MarkInterrupted(SysTime now) override;
  Result<std::optional<ImportRecord>> Find(std::string_view id) override;
  Result<std::vector<ImportRecord>> List(std::size_t limit) override;
  Status ForEachReject(std::string_view id,
                       const std::function<void(StoredReject&&)>& visit) override;

 private:
  Status WriteTally(std::string_view id, const ImportTally& tally, SysTime now);
  // The audit entry of an import's end: who started it, its state, counts and error.
  Status AuditEnd(std::string_view id, SysTime now);
  Result<std::vector<ImportRecord>> Select(std::string_view where_and_order, std::string_view id,
                                           std::int64_t limit);

  Connection& connection_;
  AuditWriter audit_;
};

}  // namespace herald::storage
