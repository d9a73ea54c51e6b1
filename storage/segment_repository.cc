#include "storage/segment_repository.h"

#include <boost/json.hpp>

namespace herald::storage {
namespace {

std::int64_t Millis(SysTime t) { return t.time_since_epoch().count(); }
SysTime FromMillis(std::int64_t ms) { return SysTime(std::chrono::milliseconds(ms)); }

Status Audit(Connection& connection, std::string_view action, std::string_view name,
             std::string_view actor, const std::string& detail, SysTime now) {
  auto audit = connection.Prepare(
      "INSERT INTO audit_log (at, actor, action, object_type, object_id, detail) "
      "VALUES (?1, ?2, ?3, 'segment', ?4, ?5)");
  if (!audit.ok()) return audit.error();
  audit->Bind(1, Millis(now)).Bind(2, actor).Bind(3, action).Bind(4, name).Bind(5, detail);
  return audit->Run();
}

SavedSegment ReadSegment(const Statement& row) {
  return SavedSegment{row.ColumnText(0), row.ColumnText(1), row.ColumnText(2),
                      FromMillis(row.ColumnInt(3)), FromMillis(row.ColumnInt(4))};
}

constexpr std::string_view kColumns =
    "SELECT name, expression, created_by, created_at, updated_at FROM segments ";

}  // namespace

Status SegmentRepository::Save(std::string_view name, std::string_view expression,
                               std::string_view actor, SysTime now) {
  auto save = connection_.Prepare(
      "INSERT INTO segments (name, expression, created_by, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO UPDATE SET "
      "expression = excluded.expression, updated_at = excluded.updated_at");
  if (!save.ok()) return save.error();
  save->Bind(1, name).Bind(2, expression).Bind(3, actor).Bind(4, Millis(now));
  if (Status saved = save->Run(); !saved.ok()) return saved;
  boost::json::object detail{{"expression", expression}};
  return Audit(connection_, "segment.save", name, actor, boost::json::serialize(detail), now);
}

Result<std::optional<SavedSegment>> SegmentRepository::Find(std::string_view name) {
  auto find = connection_.Prepare(std::string(kColumns) + "WHERE name = ?1");
  if (!find.ok()) return find.error();
  find->Bind(1, name);
  auto row = find->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<SavedSegment>();
  return std::optional<SavedSegment>(ReadSegment(*find));
}

Result<std::vector<SavedSegment>> SegmentRepository::List() {
  auto list = connection_.Prepare(std::string(kColumns) + "ORDER BY name");
  if (!list.ok()) return list.error();
  std::vector<SavedSegment> segments;
  for (;;) {
    auto row = list->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    segments.push_back(ReadSegment(*list));
  }
  return segments;
}

Status SegmentRepository::Delete(std::string_view name, std::string_view actor, SysTime now) {
  auto remove = connection_.Prepare("DELETE FROM segments WHERE name = ?1");
  if (!remove.ok()) return remove.error();
  remove->Bind(1, name);
  if (Status removed = remove->Run(); !removed.ok()) return removed;
  if (connection_.Changes() == 0) {
    return MakeError(ErrorCode::kNotFound, "no segment named " + std::string(name), "name");
  }
  return Audit(connection_, "segment.delete", name, actor, "{}", now);
}

}  // namespace herald::storage
