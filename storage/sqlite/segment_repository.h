// storage/sqlite/segment_repository.h: the SQLite SegmentRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/segment_repository.h"
#include "storage/sqlite/audit.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteSegmentRepository final : public SegmentRepository {
 public:
  explicit SqliteSegmentRepository(Connection& connection)
      : connection_(connection), audit_(connection) {}

  Status Save(std::string_view name, std::string_view expression, std::string_view actor,
              SysTime now) override;
  Result<std::optional<SavedSegment>> Find(std::string_view name) override;
  Result<std::vector<SavedSegment>> List() override;
  Status Delete(std::string_view name, std::string_view actor, SysTime now) override;

 private:
  Connection& connection_;
  AuditWriter audit_;
};

}  // namespace herald::storage
