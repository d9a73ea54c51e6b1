#include "storage/sqlite/migrations.h"

#include <string>

#include "storage/sqlite/detail/schema.h"

namespace herald::storage {
namespace {

// A file is ours when it carries our application id, or when it is brand new (no id, no version,
// no tables). Anything else was made by another program.
Status CheckOwnership(Connection& connection) {
  auto application_id = connection.PragmaInteger("application_id");
  if (!application_id.ok()) return application_id.error();
  if (*application_id == kHeraldApplicationId) return Status::Ok();
  auto user_version = connection.PragmaInteger("user_version");
  if (!user_version.ok()) return user_version.error();
  auto tables = connection.Prepare("SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) return tables.error();
  auto row = tables->Step();
  if (!row.ok()) return row.error();
  if (*application_id == 0 && *user_version == 0 && tables->ColumnInt(0) == 0) {
    return Status::Ok();
  }
  return MakeError(ErrorCode::kFailedPrecondition,
                   connection.path().string() +
                       " is a SQLite database of another application; refusing to modify it");
}

Status Apply(Connection& connection, const Migration& migration) {
  return InTransaction(connection, [&]() -> Status {
    if (Status status = connection.Execute(migration.sql); !status.ok()) {
      return MakeError(status.error().code, "migration " + std::to_string(migration.version) +
                                                " (" + std::string(migration.name) +
                                                ") failed: " + status.error().message);
    }
    return connection.Execute("PRAGMA application_id=" + std::to_string(kHeraldApplicationId) +
                              "; PRAGMA user_version=" + std::to_string(migration.version));
  });
}

}  // namespace

std::span<const Migration> AllMigrations() { return detail::SchemaMigrations(); }

int LatestSchemaVersion() {
  auto all = AllMigrations();
  return all.empty() ? 0 : all.back().version;
}

Status Migrate(Connection& connection, std::span<const Migration> migrations, int target_version) {
  if (Status owned = CheckOwnership(connection); !owned.ok()) return owned;
  auto current = connection.PragmaInteger("user_version");
  if (!current.ok()) return current.error();
  int newest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > newest) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     connection.path().string() + " has schema version " +
                         std::to_string(*current) + ", newer than this heraldd supports (" +
                         std::to_string(newest) + "); upgrade heraldd or restore a backup");
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current || migration.version > target_version) continue;
    if (Status status = Apply(connection, migration); !status.ok()) return status;
  }
  return Status::Ok();
}

Status Migrate(Connection& connection) {
  return Migrate(connection, AllMigrations(), LatestSchemaVersion());
}

}  // namespace herald::storage
