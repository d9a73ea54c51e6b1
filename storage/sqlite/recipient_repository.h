// storage/sqlite/recipient_repository.h: the SQLite RecipientRepository. Point lookups with
// statements prepared once per repository (one per unit of work).
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include <memory>
#include <optional>

#include "storage/recipient_repository.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteContactRepository;

class SqliteRecipientRepository final : public RecipientRepository {
 public:
  explicit SqliteRecipientRepository(Connection& connection);
  ~SqliteRecipientRepository() override;
  Result<std::vector<RecipientRecord>> Load(std::span<const ContactId> ids,
                                            SysTime sends_since) override;
  Result<std::vector<ContactWindows>> WindowsSince(SysTime since) override;

 private:
  Connection& connection_;
  std::unique_ptr<SqliteContactRepository> contacts_;
  std::optional<Statement> windows_;
  std::optional<Statement> sends_;
};

}  // namespace herald::storage
