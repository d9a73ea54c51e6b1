#include "storage/sqlite/segment_repository.h"

#include <boost/json.hpp>

#include "common/time.h"

namespace herald::storage {
namespace {

SavedSegment ReadSegment(const Statement& row) {
  return SavedSegment{row.ColumnText(0), row.ColumnText(1), row.ColumnText(2),
                      FromUnixMillis(row.ColumnInt(3)), FromUnixMillis(row.ColumnInt(4))};
}

constexpr std::string_view kColumns =
    "SELECT name, expression, created_by, created_at, updated_at FROM segments ";

}  // namespace

Status SqliteSegmentRepository::Save(std::string_view name, std::string_view expression,
                                     std::string_view actor, SysTime now) {
  auto save = connection_.Prepare(
      "INSERT INTO segments (name, expression, created_by, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO UPDATE SET "
      "expression = excluded.expression, updated_at = excluded.updated_at");
  if (!save.ok()) return save.error();
  save->Bind(1, name).Bind(2, expression).Bind(3, actor).Bind(4, ToUnixMillis(now));
  if (Status saved = save->Run(); !saved.ok()) return saved;
  boost::json::object detail{{"expression", expression}};
  return audit_.Append(
      {now, actor, "segment.save", "segment", name, "", boost::json::serialize(detail)});
}

Result<std::optional<SavedSegment>> SqliteSegmentRepository::Find(std::string_view name) {
  auto find = connection_.Prepare(std::string(kColumns) + "WHERE name = ?1");
  if (!find.ok()) return find.error();
  find->Bind(1, name);
  auto row = find->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<SavedSegment>();
  return std::optional<SavedSegment>(ReadSegment(*find));
}

Result<std::vector<SavedSegment>> SqliteSegmentRepository::List() {
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

Status SqliteSegmentRepository::Delete(std::string_view name, std::string_view actor, SysTime now) {
  auto remove = connection_.Prepare("DELETE FROM segments WHERE name = ?1");
  if (!remove.ok()) return remove.error();
  remove->Bind(1, name);
  if (Status removed = remove->Run(); !removed.ok()) return removed;
  if (connection_.Changes() == 0) {
    return MakeError(ErrorCode::kNotFound, "no segment named " + std::string(name), "name");
  }
  return audit_.Append({now, actor, "segment.delete", "segment", name, "", "{}"});
}

}  // namespace herald::storage
