#include "storage/sqlite/import_repository.h"

#include <boost/json.hpp>

#include "common/time.h"

namespace herald::storage {
namespace {

namespace json = boost::json;

std::string JsonArray(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items) array.emplace_back(item);
  return json::serialize(array);
}

std::vector<std::string> FromJsonArray(const std::string& text) {
  std::vector<std::string> items;
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_array()) return items;
  for (const auto& item : value.as_array()) {
    items.emplace_back(item.is_string() ? std::string(item.as_string()) : json::serialize(item));
  }
  return items;
}

Error NoSuchImport(std::string_view id) {
  return MakeError(ErrorCode::kNotFound, "no import " + std::string(id), "id");
}

constexpr std::string_view kColumns =
    "SELECT id, state, actor, options, columns, delimiter, rows, created, updated, unchanged, "
    "rejected, warnings, error, started_at, updated_at, finished_at, warning_samples "
    "FROM imports ";

}  // namespace

Result<std::string> SqliteImportRepository::Create(const ImportRecord& record,
                                                   std::string_view owner) {
  // The next number after every id ever stored (finished imports stay, so none is reused).
  auto next = connection_.Prepare(
      "SELECT coalesce(max(CAST(substr(id, 5) AS INTEGER)), 0) + 1 FROM imports "
      "WHERE id GLOB 'imp-[0-9]*'");
  if (!next.ok()) return next.error();
  auto row = next->Step();
  if (!row.ok()) return row.error();
  const std::string id = "imp-" + std::to_string(next->ColumnInt(0));
  auto insert = connection_.Prepare(
      "INSERT INTO imports (id, state, actor, options, columns, delimiter, started_at, "
      "updated_at, claim_owner) VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?6, ?7)");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, id)
      .Bind(2, record.actor)
      .Bind(3, record.options_json)
      .Bind(4, JsonArray(record.columns))
      .Bind(5, std::string(1, record.delimiter))
      .Bind(6, ToUnixMillis(record.started))
      .Bind(7, owner);
  if (Status run = insert->Run(); !run.ok()) return run.error();
  return id;
}

Status SqliteImportRepository::SetSource(std::string_view id,
                                         const std::vector<std::string>& columns, char delimiter) {
  auto update =
      connection_.Prepare("UPDATE imports SET columns = ?2, delimiter = ?3 WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->Bind(1, id).Bind(2, JsonArray(columns)).Bind(3, std::string(1, delimiter));
  if (Status run = update->Run(); !run.ok()) return run;
  return connection_.Changes() == 0 ? Status(NoSuchImport(id)) : Status::Ok();
}

Status SqliteImportRepository::WriteTally(std::string_view id, const ImportTally& tally,
                                          SysTime now) {
  auto update = connection_.Prepare(
      "UPDATE imports SET rows = ?2, created = ?3, updated = ?4, unchanged = ?5, rejected = ?6, "
      "warnings = ?7, updated_at = ?8 WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->Bind(1, id)
      .Bind(2, static_cast<std::int64_t>(tally.rows))
      .Bind(3, static_cast<std::int64_t>(tally.created))
      .Bind(4, static_cast<std::int64_t>(tally.updated))
      .Bind(5, static_cast<std::int64_t>(tally.unchanged))
      .Bind(6, static_cast<std::int64_t>(tally.rejected))
      .Bind(7, static_cast<std::int64_t>(tally.warnings))
      .Bind(8, ToUnixMillis(now));
  if (Status run = update->Run(); !run.ok()) return run;
  return connection_.Changes() == 0 ? Status(NoSuchImport(id)) : Status::Ok();
}

Status SqliteImportRepository::Checkpoint(std::string_view id, const ImportTally& tally,
                                          const std::vector<StoredReject>& rejects, SysTime now) {
  if (Status written = WriteTally(id, tally, now); !written.ok()) return written;
  if (rejects.empty()) return Status::Ok();
  // A re-run job (or a row reported twice) must not fail the batch: the first record stays.
  auto insert = connection_.Prepare(
      "INSERT INTO import_rejects (import_id, line, reason, fields) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (import_id, line) DO NOTHING");
  if (!insert.ok()) return insert.error();
  for (const auto& reject : rejects) {
    insert->Bind(1, id)
        .Bind(2, reject.line)
        .Bind(3, reject.reason)
        .Bind(4, JsonArray(reject.fields));
    Status run = insert->Run();
    insert->Reset();
    if (!run.ok()) return run;
  }
  return Status::Ok();
}

Status SqliteImportRepository::Finish(std::string_view id, std::string_view state,
                                      const ImportTally& tally, std::string_view error,
                                      const std::vector<std::string>& warning_samples,
                                      SysTime now) {
  if (state != "completed" && state != "failed" && state != "cancelled" && state != "interrupted") {
    return MakeError(ErrorCode::kInvalidArgument, "not a final import state", "state");
  }
  if (Status written = WriteTally(id, tally, now); !written.ok()) return written;
  auto update = connection_.Prepare(
      "UPDATE imports SET state = ?2, error = ?3, finished_at = ?4, warning_samples = ?5, "
      "claim_owner = NULL WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->Bind(1, id).Bind(2, state).Bind(4, ToUnixMillis(now)).Bind(5, JsonArray(warning_samples));
  if (error.empty()) {
    update->BindNull(3);
  } else {
    update->Bind(3, error);
  }
  if (Status run = update->Run(); !run.ok()) return run;
  return AuditEnd(id, now);
}

Status SqliteImportRepository::AuditEnd(std::string_view id, SysTime now) {
  auto found = Find(id);
  if (!found.ok()) return found.error();
  if (!found->has_value()) return MakeError(ErrorCode::kNotFound, "no import " + std::string(id));
  const ImportRecord& record = **found;
  const std::string detail =
      boost::json::serialize(boost::json::object{{"state", record.state},
                                                 {"rows", record.tally.rows},
                                                 {"created", record.tally.created},
                                                 {"updated", record.tally.updated},
                                                 {"unchanged", record.tally.unchanged},
                                                 {"rejected", record.tally.rejected},
                                                 {"warnings", record.tally.warnings}});
  return audit_.Append(AuditEntry{now, record.actor, "contact.import." + record.state, "import",
                                  record.id, record.error, detail});
}

Result<std::size_t> SqliteImportRepository::MarkInterrupted(SysTime now) {
  auto running = connection_.Prepare("SELECT id FROM imports WHERE state = 'running'");
  if (!running.ok()) return running.error();
  std::vector<std::string> ids;
  for (;;) {
    auto row = running->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    ids.push_back(running->ColumnText(0));
  }
  auto update = connection_.Prepare(
      "UPDATE imports SET state = 'interrupted', finished_at = ?1, updated_at = ?1, "
      "claim_owner = NULL, error = 'the daemon stopped before the import finished; the rows "
      "counted were committed, and running the same file again is safe' "
      "WHERE state = 'running'");
  if (!update.ok()) return update.error();
  update->Bind(1, ToUnixMillis(now));
  if (Status run = update->Run(); !run.ok()) return run.error();
  const auto changed = static_cast<std::size_t>(connection_.Changes());
  for (const std::string& id : ids) {
    if (Status audited = AuditEnd(id, now); !audited.ok()) return audited.error();
  }
  return changed;
}

Result<std::vector<ImportRecord>> SqliteImportRepository::Select(std::string_view where_and_order,
                                                                 std::string_view id,
                                                                 std::int64_t limit) {
  auto query = connection_.Prepare(std::string(kColumns) + std::string(where_and_order));
  if (!query.ok()) return query.error();
  if (!id.empty()) query->Bind(1, id);
  if (limit > 0) query->Bind(1, limit);
  std::vector<ImportRecord> records;
  for (;;) {
    auto row = query->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    ImportRecord record;
    record.id = query->ColumnText(0);
    record.state = query->ColumnText(1);
    record.actor = query->ColumnText(2);
    record.options_json = query->ColumnText(3);
    record.columns = FromJsonArray(query->ColumnText(4));
    const std::string delimiter = query->ColumnText(5);
    record.delimiter = delimiter.empty() ? ',' : delimiter[0];
    auto count = [&](int column) { return static_cast<std::uint64_t>(query->ColumnInt(column)); };
    record.tally = {count(6), count(7), count(8), count(9), count(10), count(11)};
    record.error = query->ColumnText(12);
    record.started = FromUnixMillis(query->ColumnInt(13));
    record.updated = FromUnixMillis(query->ColumnInt(14));
    if (!query->ColumnIsNull(15)) record.finished = FromUnixMillis(query->ColumnInt(15));
    record.warning_samples = FromJsonArray(query->ColumnText(16));
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::optional<ImportRecord>> SqliteImportRepository::Find(std::string_view id) {
  auto found = Select("WHERE id = ?1", id, 0);
  if (!found.ok()) return found.error();
  if (found->empty()) return std::optional<ImportRecord>();
  return std::optional<ImportRecord>(std::move(found->front()));
}

Result<std::vector<ImportRecord>> SqliteImportRepository::List(std::size_t limit) {
  if (limit == 0) return std::vector<ImportRecord>();  // Select binds no limit of 0
  return Select("ORDER BY started_at DESC, rowid DESC LIMIT ?1", "",
                static_cast<std::int64_t>(limit));
}

Status SqliteImportRepository::ForEachReject(std::string_view id,
                                             const std::function<void(StoredReject&&)>& visit) {
  auto query = connection_.Prepare(
      "SELECT line, reason, fields FROM import_rejects WHERE import_id = ?1 ORDER BY line");
  if (!query.ok()) return query.error();
  query->Bind(1, id);
  for (;;) {
    auto row = query->Step();
    if (!row.ok()) return row.error();
    if (!*row) return Status::Ok();
    visit(StoredReject{query->ColumnInt(0), query->ColumnText(1),
                       FromJsonArray(query->ColumnText(2))});
  }
}

}  // namespace herald::storage
