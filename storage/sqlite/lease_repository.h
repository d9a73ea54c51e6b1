// storage/sqlite/lease_repository.h: the SQLite LeaseRepository and MarketRuleRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/lease_repository.h"
#include "storage/market_rule_repository.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteLeaseRepository final : public LeaseRepository {
 public:
  explicit SqliteLeaseRepository(Connection& connection) : connection_(connection) {}

  Result<std::optional<Lease>> Find(std::string_view name) override;
  Result<Lease> Acquire(const Lease& wanted, SysTime now, std::string_view take_over_from) override;
  Status Renew(std::string_view name, std::string_view owner, SysTime deadline) override;
  Status Release(std::string_view name, std::string_view owner) override;

 private:
  Connection& connection_;
};

class SqliteMarketRuleRepository final : public MarketRuleRepository {
 public:
  explicit SqliteMarketRuleRepository(Connection& connection) : connection_(connection) {}
  Result<std::vector<MarketRuleRecord>> List() override;

 private:
  Connection& connection_;
};

}  // namespace herald::storage
