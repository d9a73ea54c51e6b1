// storage/sqlite/delivery_repository.h: the SQLite DeliveryRepository. A claim is one UPDATE …
// RETURNING in the writer's transaction: with one writer per database file nobody else can take
// the same rows in between.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/delivery_repository.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteDeliveryRepository final : public DeliveryRepository {
 public:
  explicit SqliteDeliveryRepository(Connection& connection) : connection_(connection) {}

  Result<std::vector<ClaimedDelivery>> ClaimDue(std::string_view owner, SysTime now,
                                                SysTime deadline, std::size_t limit) override;
  Result<std::size_t> RenewClaims(std::string_view owner, SysTime deadline) override;
  Status RecordAttempt(DeliveryId id, std::string_view owner, SysTime now) override;
  Result<ClaimRecovery> ReleaseClaims(std::string_view owner, SysTime now) override;
  Result<ClaimRecovery> RecoverExpiredClaims(SysTime now) override;

 private:
  // Settles the claimed rows that `where` selects (?1 = now, ?2 = owner or deadline).
  Result<ClaimRecovery> Settle(std::string_view where, SysTime now, std::string_view owner);

  Connection& connection_;
};

}  // namespace herald::storage
