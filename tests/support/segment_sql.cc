#include "tests/support/segment_sql.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <type_traits>
#include <utility>

namespace herald::testing {
namespace {

using campaign::AttributeTerm;
using campaign::CompareOp;
using campaign::CountryTerm;
using campaign::LanguageTerm;
using campaign::LastInboundTerm;
using campaign::OptedInTerm;
using campaign::OptedOutTerm;
using campaign::SegmentExpr;
using campaign::TagTerm;

// herald_number(value): the numeric reading of an attribute value (campaign::AttributeNumber) as
// a REAL, or NULL when the value is not a number.
void HeraldNumber(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {  // before sqlite3_value_text converts it
    sqlite3_result_null(context);
    return;
  }
  const unsigned char* text = sqlite3_value_text(argv[0]);
  if (text == nullptr) {  // out of memory
    sqlite3_result_null(context);
    return;
  }
  const std::string_view value(reinterpret_cast<const char*>(text),
                               static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
  if (const auto number = campaign::AttributeNumber(value)) {
    sqlite3_result_double(context, *number);
  } else {
    sqlite3_result_null(context);
  }
}

bool HasAsciiUpper(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool HasAsciiLower(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// The minute of last_inbound_at as ContactIndex stores it: floor(ms / 60000) clamped to
// [0, 2^32 - 1]; NULL when there is no inbound message. SQLite's integer division truncates
// towards zero, which differs from floor only below zero, where the clamp gives 0 either way.
constexpr std::string_view kInboundMinute = "max(0, min(4294967295, c.last_inbound_at / 60000))";

// Appends the SQL of an expression. Every term's SQL is 0 or 1, never NULL, so NOT can be applied
// to any of them.
class Translator {
 public:
  explicit Translator(SysTime now)
      : now_minute_(std::chrono::floor<std::chrono::minutes>(now).time_since_epoch().count()) {}

  Status Append(const SegmentExpr& expr) {
    switch (expr.kind) {
      case SegmentExpr::Kind::kTerm:
        return std::visit([this](const auto& term) { return Term(term); }, expr.term);
      case SegmentExpr::Kind::kNot:
        if (expr.children.size() != 1) return Invalid("a NOT needs exactly one operand");
        out_.where += "NOT (";
        if (Status s = Append(expr.children.front()); !s.ok()) return s;
        out_.where += ")";
        return Status::Ok();
      case SegmentExpr::Kind::kAnd:
      case SegmentExpr::Kind::kOr:
        return Chain(expr.kind == SegmentExpr::Kind::kAnd ? " AND " : " OR ", expr.children);
    }
    return Invalid("unknown expression kind");
  }

  SegmentSql Take() && { return std::move(out_); }

 private:
  static Status Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), "expr");
  }

  // Adds a parameter and returns its placeholder, ?N.
  std::string Param(SqlParam value) {
    out_.params.push_back(std::move(value));
    // Appends rather than `"?" + std::to_string(n)`: GCC 12 at -O3 reports a false -Wrestrict on
    // the latter (GCC bug 105651).
    std::string placeholder = "?";
    placeholder.append(std::to_string(out_.params.size()));
    return placeholder;
  }

  // Operands are written cheapest first: SQLite stops evaluating an AND at the first false operand
  // and an OR at the first true one, and every operand is a side-effect-free 0 or 1, so the order
  // changes the time taken, never the result.
  Status Chain(std::string_view separator, const std::vector<SegmentExpr>& children) {
    if (children.empty()) return Invalid("an AND or OR needs operands");
    std::vector<const SegmentExpr*> ordered;
    for (const SegmentExpr& child : children) ordered.push_back(&child);
    std::stable_sort(
        ordered.begin(), ordered.end(),
        [](const SegmentExpr* a, const SegmentExpr* b) { return Cost(*a) < Cost(*b); });
    out_.where += "(";
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      if (i > 0) out_.where += separator;
      if (Status s = Append(*ordered[i]); !s.ok()) return s;
    }
    out_.where += ")";
    return Status::Ok();
  }

  // A rough per-row cost, measured on 100k contacts: a column test is cheap, a tag a lookup in a
  // set built once per query, a consent a B-tree probe, a language two string rewrites, an
  // attribute a JSON parse and a sort.
  static int Cost(const SegmentExpr& expr) {
    if (expr.kind != SegmentExpr::Kind::kTerm) {
      int sum = 0;
      for (const SegmentExpr& child : expr.children) sum += Cost(child);
      return sum;
    }
    return std::visit([](const auto& term) { return TermCost(term); }, expr.term);
  }
  static int TermCost(const OptedOutTerm&) { return 1; }
  static int TermCost(const CountryTerm&) { return 2; }
  static int TermCost(const TagTerm&) { return 3; }
  static int TermCost(const LastInboundTerm&) { return 3; }
  static int TermCost(const LanguageTerm&) { return 8; }
  static int TermCost(const OptedInTerm&) { return 8; }
  static int TermCost(const AttributeTerm&) { return 20; }

  // IN rather than a correlated EXISTS: SQLite evaluates the subquery once, through the unique
  // index on tags.name (COLLATE NOCASE: ASCII folding, as the index folds tags) and
  // contact_tags_by_tag.
  Status Term(const TagTerm& term) {
    if (HasAsciiUpper(term.name)) return Invalid("tag names are lower case in an expression");
    out_.where +=
        "c.id IN (SELECT ct.contact_id FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
        "WHERE t.name = " +
        Param(term.name) + ")";
    return Status::Ok();
  }

  Status Term(const CountryTerm& term) {
    if (HasAsciiLower(term.code)) return Invalid("countries are upper case in an expression");
    out_.where += "coalesce(c.country = " + Param(term.code) + " COLLATE NOCASE, 0)";
    return Status::Ok();
  }

  // lang:xx matches xx and xx_*, '-' counting as '_'. substr() and length() both count
  // characters, which for UTF-8 text is the same test as a byte prefix.
  Status Term(const LanguageTerm& term) {
    if (HasAsciiUpper(term.language) || term.language.find('-') != std::string::npos) {
      return Invalid("languages are lower case with '_' in an expression");
    }
    constexpr std::string_view kLanguage = "replace(c.language, '-', '_')";
    const std::string exact = Param(term.language);
    const std::string prefix = Param(term.language + "_");
    out_.where += "coalesce(" + std::string(kLanguage) + " = " + exact +
                  " COLLATE NOCASE OR substr(" + std::string(kLanguage) + ", 1, length(" + prefix +
                  ")) = " + prefix + " COLLATE NOCASE, 0)";
    return Status::Ok();
  }

  Status Term(const OptedInTerm& term) {
    const char* purpose = term.purpose == Purpose::kMarketing ? "marketing" : "utility";
    out_.where +=
        "(c.opted_out_at IS NULL AND EXISTS (SELECT 1 FROM consents s WHERE s.contact_id = c.id "
        "AND s.purpose = " +
        Param(std::string(purpose)) + " AND s.granted = 1))";
    return Status::Ok();
  }

  Status Term(const OptedOutTerm&) {
    out_.where += "(c.opted_out_at IS NOT NULL)";
    return Status::Ok();
  }

  // The contact's value is the one of the greatest key (byte order) among the keys that fold to
  // term.key; without such a key the scalar subquery is NULL and the term is 0 whatever the
  // operator, as segment.h specifies for != too.
  Status Term(const AttributeTerm& term) {
    if (HasAsciiUpper(term.key)) return Invalid("attribute keys are lower case in an expression");
    std::string predicate;
    if (const auto* text = std::get_if<std::string>(&term.value)) {
      if (term.op != CompareOp::kEq && term.op != CompareOp::kNe) {
        return Invalid("<, <=, > and >= compare numbers");
      }
      predicate =
          std::string(term.op == CompareOp::kEq ? "j.value IS " : "j.value IS NOT ") + Param(*text);
    } else {
      predicate = "herald_number(j.value) " + std::string(Operator(term.op)) + " " +
                  Param(std::get<double>(term.value));
    }
    out_.where += "coalesce((SELECT " + predicate +
                  " FROM json_each(c.attributes) AS j WHERE j.key = " + Param(term.key) +
                  " COLLATE NOCASE ORDER BY j.key DESC LIMIT 1), 0)";
    return Status::Ok();
  }

  // IS and IS NOT: a value that is not a number is unequal to every number (and != matches it).
  static std::string_view Operator(CompareOp op) {
    switch (op) {
      case CompareOp::kEq:
        return "IS";
      case CompareOp::kNe:
        return "IS NOT";
      case CompareOp::kLt:
        return "<";
      case CompareOp::kLe:
        return "<=";
      case CompareOp::kGt:
        return ">";
      case CompareOp::kGe:
        return ">=";
    }
    return "IS";
  }

  // age = now_minute - minute; `< D` is minute > now_minute - D, `> D` is minute < now_minute - D
  // or no inbound message at all.
  Status Term(const LastInboundTerm& term) {
    const std::int64_t threshold = now_minute_ - term.Age().count();
    const std::string bound = Param(threshold);
    if (term.less_than) {
      out_.where += "coalesce(" + std::string(kInboundMinute) + " > " + bound + ", 0)";
    } else {
      out_.where += "coalesce(" + std::string(kInboundMinute) + " < " + bound + ", 1)";
    }
    return Status::Ok();
  }

  std::int64_t now_minute_;
  SegmentSql out_;
};

void BindAll(storage::Statement& statement, const std::vector<SqlParam>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    std::visit(
        [&](const auto& value) {
          if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string>) {
            statement.Bind(index, std::string_view(value));
          } else {
            statement.Bind(index, value);
          }
        },
        params[i]);
  }
}

// Prepares `select` + the expression's WHERE clause, with its parameters bound.
Result<storage::Statement> Prepare(storage::Connection& connection, std::string_view select,
                                   const campaign::SegmentExpr& expr, SysTime now,
                                   std::string_view order_by) {
  if (Status registered = RegisterSegmentSqlFunctions(connection); !registered.ok()) {
    return registered.error();
  }
  auto sql = SegmentToSql(expr, now);
  if (!sql.ok()) return sql.error();
  auto statement =
      connection.Prepare(std::string(select) + " FROM contacts c WHERE c.erased_at IS NULL AND (" +
                         sql->where + ")" + std::string(order_by));
  if (!statement.ok()) return statement.error();
  BindAll(*statement, sql->params);
  return statement;
}

}  // namespace

Result<SegmentSql> SegmentToSql(const campaign::SegmentExpr& expr, SysTime now) {
  Translator translator(now);
  if (Status s = translator.Append(expr); !s.ok()) return s.error();
  return std::move(translator).Take();
}

Status RegisterSegmentSqlFunctions(storage::Connection& connection) {
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  if (sqlite3_create_function_v2(connection.handle(), "herald_number", 1, flags, nullptr,
                                 &HeraldNumber, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return connection.LastError("registering herald_number()");
  }
  return Status::Ok();
}

Result<std::uint64_t> CountWithSql(storage::Connection& connection,
                                   const campaign::SegmentExpr& expr, SysTime now) {
  auto statement = Prepare(connection, "SELECT count(*)", expr, now, "");
  if (!statement.ok()) return statement.error();
  auto row = statement->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, "count(*) returned no row");
  return static_cast<std::uint64_t>(statement->ColumnInt(0));
}

Result<std::vector<std::int64_t>> IdsWithSql(storage::Connection& connection,
                                             const campaign::SegmentExpr& expr, SysTime now) {
  auto statement = Prepare(connection, "SELECT c.id", expr, now, " ORDER BY c.id");
  if (!statement.ok()) return statement.error();
  std::vector<std::int64_t> ids;
  for (;;) {
    auto row = statement->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    ids.push_back(statement->ColumnInt(0));
  }
  return ids;
}

}  // namespace herald::testing
