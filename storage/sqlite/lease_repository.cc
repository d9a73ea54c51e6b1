#include "storage/sqlite/lease_repository.h"

#include <string>

#include "common/time.h"

namespace herald::storage {

Result<std::optional<Lease>> SqliteLeaseRepository::Find(std::string_view name) {
  auto find = connection_.Prepare(
      "SELECT name, owner, host, pid, acquired_at, deadline FROM leases WHERE name = ?1");
  if (!find.ok()) return find.error();
  find->Bind(1, name);
  auto row = find->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<Lease>();
  return std::optional<Lease>(Lease{find->ColumnText(0), find->ColumnText(1), find->ColumnText(2),
                                    find->ColumnInt(3), FromUnixMillis(find->ColumnInt(4)),
                                    FromUnixMillis(find->ColumnInt(5))});
}

Result<Lease> SqliteLeaseRepository::Acquire(const Lease& wanted, SysTime now,
                                             std::string_view take_over_from) {
  if (wanted.owner.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a lease needs an owner", "owner");
  }
  auto take = connection_.Prepare(
      "INSERT INTO leases (name, owner, host, pid, acquired_at, deadline) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
      "host = excluded.host, pid = excluded.pid, "
      "acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at "
      "ELSE excluded.acquired_at END, deadline = excluded.deadline "
      "WHERE leases.deadline <= ?5 OR leases.owner = excluded.owner OR leases.owner = ?7");
  if (!take.ok()) return take.error();
  take->Bind(1, wanted.name)
      .Bind(2, wanted.owner)
      .Bind(3, wanted.host)
      .Bind(4, wanted.pid)
      .Bind(5, ToUnixMillis(now))
      .Bind(6, ToUnixMillis(wanted.deadline))
      .Bind(7, take_over_from);
  if (Status run = take->Run(); !run.ok()) return run.error();
  auto current = Find(wanted.name);
  if (!current.ok()) return current.error();
  if (!*current) return MakeError(ErrorCode::kInternal, "lease " + wanted.name + " vanished");
  return std::move(**current);
}

Status SqliteLeaseRepository::Renew(std::string_view name, std::string_view owner,
                                    SysTime deadline) {
  auto renew =
      connection_.Prepare("UPDATE leases SET deadline = ?3 WHERE name = ?1 AND owner = ?2");
  if (!renew.ok()) return renew.error();
  renew->Bind(1, name).Bind(2, owner).Bind(3, ToUnixMillis(deadline));
  if (Status run = renew->Run(); !run.ok()) return run;
  if (connection_.Changes() == 0) {
    return MakeError(
        ErrorCode::kFailedPrecondition,
        "the " + std::string(name) + " lease is no longer held by " + std::string(owner), "owner");
  }
  return Status::Ok();
}

Status SqliteLeaseRepository::Release(std::string_view name, std::string_view owner) {
  auto release = connection_.Prepare("DELETE FROM leases WHERE name = ?1 AND owner = ?2");
  if (!release.ok()) return release.error();
  release->Bind(1, name).Bind(2, owner);
  return release->Run();
}

Result<std::vector<MarketRuleRecord>> SqliteMarketRuleRepository::List() {
  auto list = connection_.Prepare(
      "SELECT market, category, effective_from, effective_until, reason, platform_error, source "
      "FROM market_rules ORDER BY market, category, effective_from");
  if (!list.ok()) return list.error();
  std::vector<MarketRuleRecord> rules;
  for (;;) {
    auto row = list->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    MarketRuleRecord rule{list->ColumnText(0), list->ColumnText(1), list->ColumnText(2),
                          list->ColumnText(3), list->ColumnText(4), std::nullopt,
                          list->ColumnText(6)};
    if (!list->ColumnIsNull(5)) rule.platform_error = list->ColumnInt(5);
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace herald::storage
