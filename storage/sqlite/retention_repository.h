// storage/sqlite/retention_repository.h: the SQLite RetentionRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work (the writer's).
#pragma once

#include "storage/retention_repository.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteRetentionRepository final : public RetentionRepository {
 public:
  explicit SqliteRetentionRepository(Connection& connection) : connection_(connection) {}

  Result<std::int64_t> SummariseDeliveries(SysTime before, std::int64_t limit) override;
  Result<std::int64_t> PurgeWebhookRequests(SysTime before, std::int64_t limit) override;
  Result<std::int64_t> PurgeAudit(SysTime before, std::int64_t limit) override;

 private:
  Connection& connection_;
};

}  // namespace herald::storage
