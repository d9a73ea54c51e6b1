// storage/migrations.h: numbered schema migrations tracked by PRAGMA user_version.
//
// Migration N takes a database at version N-1 to version N inside one transaction, so a failure
// leaves the database at N-1 with nothing half-applied. A database whose version is newer than the
// newest migration this build knows is refused untouched: an older heraldd must never write to a
// schema it does not understand. Files carry PRAGMA application_id 'HRLD' so that Herald never
// migrates somebody else's SQLite file.
//
// Thread rules: run on the thread that owns the connection, before any other use of it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/result.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

struct Migration {
  int version;            // 1, 2, 3, … without gaps
  std::string_view name;  // what it adds, for logs
  std::string_view sql;
};

inline constexpr std::int64_t kHeraldApplicationId = 0x48524C44;  // "HRLD"

// Every migration of this build, in order.
std::span<const Migration> AllMigrations();
int LatestSchemaVersion();

// Brings the database to `target_version` (default: the latest) applying `migrations` in order.
// Refuses a database newer than the newest known migration, or one that belongs to another
// application. `migrations` is a parameter so tests can exercise failures.
Status Migrate(Connection& connection, std::span<const Migration> migrations, int target_version);
Status Migrate(Connection& connection);

}  // namespace herald::storage
