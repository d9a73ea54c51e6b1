// The plain SQL evaluation of segment expressions: the reference that the in-memory ContactIndex
// is checked against (issue 3, "agreement between the index and a plain SQL evaluation") and the
// baseline the segment benchmark compares it with.
//
// An expression becomes a WHERE clause over `contacts c` that uses only the schema's tables and
// indexes (contacts, tags, contact_tags, consents) and SQLite built-ins, with every value bound as
// a parameter. The one helper is herald_number(text), a deterministic SQL function that reads a
// value with campaign::AttributeNumber, so that numeric attribute comparisons parse numbers by
// exactly the same rules as the index. Erased contacts are never counted.
//
// Semantics follow campaign/segment.h term by term: ASCII case folding (COLLATE NOCASE, never
// lower()/upper(), which an ICU build would make Unicode-aware), language prefixes on '_' with '-'
// equivalent, opted_in needing consent and no opt-out, attributes matched on the key folded to
// lower case (of keys folding alike, the greatest in byte order wins, as in ContactIndex, which is
// given them sorted), and last_inbound ages in whole minutes, floored, with the minute clamped to
// [0, 2^32 - 1] as ContactIndex stores it (campaign/detail/index_state.h). Attribute values are
// JSON strings, as ContactRepository writes them.
//
// Test and benchmark code only: SQL stays in storage/ in the product.
//
// Thread rules: functions on values and on a caller-owned connection; a connection is used by one
// thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "campaign/segment.h"
#include "common/clock.h"
#include "common/result.h"
#include "storage/sqlite/connection.h"

namespace herald::testing {

using SqlParam = std::variant<std::int64_t, double, std::string>;

struct SegmentSql {
  std::string where;             // a boolean expression over `contacts c`; never NULL
  std::vector<SqlParam> params;  // params[i] is bound to ?(i + 1)
};

// Translates an expression; `now` is the instant last_inbound ages are measured from. Fails with
// kInvalidArgument on an AST that ParseSegment cannot produce (a NOT without exactly one child, an
// empty AND or OR, an ordering comparison with a string).
Result<SegmentSql> SegmentToSql(const campaign::SegmentExpr& expr, SysTime now);

// Registers herald_number() on the connection. CountWithSql and IdsWithSql call it themselves.
Status RegisterSegmentSqlFunctions(storage::Connection& connection);

// The number of contacts (not erased) matching `expr`, and their ids in ascending order.
Result<std::uint64_t> CountWithSql(storage::Connection& connection,
                                   const campaign::SegmentExpr& expr, SysTime now);
Result<std::vector<std::int64_t>> IdsWithSql(storage::Connection& connection,
                                             const campaign::SegmentExpr& expr, SysTime now);

}  // namespace herald::testing
