// storage/sqlite/template_repository.h: the SQLite TemplateRepository. Each write runs inside a
// savepoint: the row and its audit entry are written together or not at all.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/sqlite/audit.h"
#include "storage/sqlite/connection.h"
#include "storage/template_repository.h"

namespace herald::storage {

class SqliteTemplateRepository final : public TemplateRepository {
 public:
  explicit SqliteTemplateRepository(Connection& connection)
      : connection_(connection), audit_(connection) {}

  Result<TemplateUpsertOutcome> Upsert(const TemplateRecord& record, std::string_view actor,
                                       SysTime now) override;
  Result<std::optional<StoredTemplate>> Find(std::string_view name,
                                             std::string_view language) override;
  Result<std::vector<StoredTemplate>> List() override;
  Result<bool> SetStatus(std::string_view name, std::string_view language, std::string_view status,
                         std::string_view actor, std::string_view reason, SysTime now) override;

 private:
  Connection& connection_;
  AuditWriter audit_;
};

}  // namespace herald::storage
