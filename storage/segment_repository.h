// storage/segment_repository.h: saved (named) segment expressions. The expression is stored as
// text; parsing and evaluation belong to campaign/.
//
// Thread rules: as ContactRepository (one per job, on the connection's thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/sqlite.h"

namespace herald::storage {

struct SavedSegment {
  std::string name;
  std::string expression;
  std::string created_by;
  SysTime created_at;
  SysTime updated_at;
};

class SegmentRepository {
 public:
  explicit SegmentRepository(Connection& connection) : connection_(connection) {}

  // Creates or replaces the segment called `name`; audited.
  Status Save(std::string_view name, std::string_view expression, std::string_view actor,
              SysTime now);
  Result<std::optional<SavedSegment>> Find(std::string_view name);
  Result<std::vector<SavedSegment>> List();
  // kNotFound when there is no such segment; audited.
  Status Delete(std::string_view name, std::string_view actor, SysTime now);

 private:
  Connection& connection_;
};

}  // namespace herald::storage
