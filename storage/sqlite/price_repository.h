// storage/sqlite/price_repository.h: the SQLite PriceRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/price_repository.h"
#include "storage/sqlite/audit.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqlitePriceRepository final : public PriceRepository {
 public:
  explicit SqlitePriceRepository(Connection& connection)
      : connection_(connection), audit_(connection) {}

  Result<std::vector<PriceRecord>> Current() override;
  Result<std::vector<PriceRecord>> AtVersion(std::int64_t version) override;
  Result<std::vector<PriceVersion>> Versions() override;
  Result<PriceVersion> Import(std::span<const PriceRecord> rows, PriceImportMode mode,
                              std::string_view actor, std::string_view source,
                              SysTime now) override;
  Result<std::vector<PricingRuleRecord>> Rules() override;
  Status PutRule(const PricingRuleRecord& rule, std::string_view actor, std::string_view reason,
                 SysTime now) override;
  Status DeleteRule(std::string_view effective_from, std::string_view actor,
                    std::string_view reason, SysTime now) override;

 private:
  Result<std::vector<PriceRecord>> Select(std::string_view where, std::int64_t version);
  Result<std::optional<PricingRuleRecord>> FindRule(std::string_view effective_from);

  Connection& connection_;
  AuditWriter audit_;
};

}  // namespace herald::storage
