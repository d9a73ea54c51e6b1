// storage/sqlite/hook_repository.h: the SQLite HookRepository (tables hook_events and
// hook_deliveries).
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/hook_repository.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteHookRepository final : public HookRepository {
 public:
  explicit SqliteHookRepository(Connection& connection) : connection_(connection) {}

  Result<std::int64_t> Insert(std::string_view kind, std::string_view data_json,
                              std::span<const std::string> endpoints, SysTime now) override;
  Result<std::vector<HookDelivery>> Due(std::string_view endpoint, SysTime now,
                                        std::span<const std::int64_t> busy,
                                        std::size_t limit) override;
  Result<std::optional<SysTime>> NextDue() override;
  Result<std::int64_t> PendingCount(std::string_view endpoint) override;
  Status RecordAttempts(std::span<const HookAttempt> attempts) override;
  Result<std::size_t> BuryUnconfigured(std::span<const std::string> configured,
                                       std::string_view error, SysTime now) override;
  Result<std::vector<HookEndpointCounts>> Counts() override;
  Result<std::vector<HookDeliveryRecord>> Dead(std::string_view endpoint, std::int64_t before,
                                               std::size_t limit) override;
  Result<std::optional<HookDeliveryRecord>> Find(std::int64_t id) override;
  Result<std::size_t> Replay(std::int64_t id, std::string_view endpoint, SysTime now) override;

 private:
  Connection& connection_;
};

}  // namespace herald::storage
