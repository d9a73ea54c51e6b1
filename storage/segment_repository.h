// storage/segment_repository.h: saved (named) segment expressions. The expression is stored as
// text; parsing and evaluation belong to campaign/.
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

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
  virtual ~SegmentRepository() = default;

  // Creates or replaces the segment called `name`; audited.
  virtual Status Save(std::string_view name, std::string_view expression, std::string_view actor,
                      SysTime now) = 0;
  virtual Result<std::optional<SavedSegment>> Find(std::string_view name) = 0;
  virtual Result<std::vector<SavedSegment>> List() = 0;
  // kNotFound when there is no such segment; audited.
  virtual Status Delete(std::string_view name, std::string_view actor, SysTime now) = 0;
};

}  // namespace herald::storage
