// storage/sqlite/sender_repository.h: the SQLite SenderRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/sender_repository.h"
#include "storage/sqlite/audit.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteSenderRepository final : public SenderRepository {
 public:
  explicit SqliteSenderRepository(Connection& connection)
      : connection_(connection), audit_(connection) {}

  Result<std::vector<PortfolioRecord>> ListPortfolios() override;
  Result<std::optional<PortfolioRecord>> FindPortfolio(std::string_view name) override;
  Status SavePortfolio(const PortfolioRecord& portfolio, const Change& change) override;

  Result<std::vector<SenderRecord>> List() override;
  Result<std::optional<SenderRecord>> Find(std::string_view phone_number_id) override;
  Result<std::optional<SenderRecord>> FindById(SenderId id) override;
  Result<SenderId> Insert(const SenderRecord& sender, const Change& change) override;
  Status Update(const SenderRecord& sender, std::string_view action, const Change& change) override;

 private:
  Result<std::vector<SenderRecord>> Select(std::string_view where, const std::string* text,
                                           std::int64_t id);
  Result<std::int64_t> PortfolioId(std::string_view name);

  Connection& connection_;
  AuditWriter audit_;
};

}  // namespace herald::storage
