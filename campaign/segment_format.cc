// ToString: the canonical text of a segment expression (the inverse of ParseSegment).
#include <charconv>
#include <string>
#include <type_traits>
#include <variant>

#include "campaign/segment.h"

namespace herald::campaign {
namespace {

std::string_view OpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "=";
}

char UnitLetter(AgeUnit unit) {
  switch (unit) {
    case AgeUnit::kMinutes:
      return 'm';
    case AgeUnit::kHours:
      return 'h';
    case AgeUnit::kDays:
      return 'd';
    case AgeUnit::kWeeks:
      return 'w';
  }
  return 'd';
}

void AppendQuoted(std::string& out, const std::string& text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void AppendNumber(std::string& out, double value) {
  // Shortest text that reads back as the same double, e.g. "3", "-2.5", "1e+300".
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, error == std::errc() ? end : buffer);
}

void AppendTerm(std::string& out, const SegmentTerm& term) {
  std::visit(
      [&out](const auto& t) {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, TagTerm>) {
          out += "tag:" + t.name;
        } else if constexpr (std::is_same_v<T, CountryTerm>) {
          out += "country:" + t.code;
        } else if constexpr (std::is_same_v<T, LanguageTerm>) {
          out += "lang:" + t.language;
        } else if constexpr (std::is_same_v<T, OptedInTerm>) {
          out += "opted_in:";
          out += PurposeName(t.purpose);
        } else if constexpr (std::is_same_v<T, OptedOutTerm>) {
          out += "opted_out";
        } else if constexpr (std::is_same_v<T, AttributeTerm>) {
          out += "attr." + t.key + " ";
          out += OpText(t.op);
          out += ' ';
          if (const auto* text = std::get_if<std::string>(&t.value)) {
            AppendQuoted(out, *text);
          } else {
            AppendNumber(out, std::get<double>(t.value));
          }
        } else if constexpr (std::is_same_v<T, LastInboundTerm>) {
          out += t.less_than ? "last_inbound < " : "last_inbound > ";
          out += std::to_string(t.count);
          out += UnitLetter(t.unit);
        }
      },
      term);
}

void Append(std::string& out, const SegmentExpr& expr);

// Parenthesises a child that binds less tightly than its parent (or, for a hand-built AST, one of
// the same n-ary kind, which the parser would otherwise flatten).
void AppendChild(std::string& out, const SegmentExpr& child, SegmentExpr::Kind parent) {
  using Kind = SegmentExpr::Kind;
  const bool parenthesise =
      (parent == Kind::kNot && child.kind != Kind::kTerm && child.kind != Kind::kNot) ||
      (parent == Kind::kAnd && (child.kind == Kind::kOr || child.kind == Kind::kAnd)) ||
      (parent == Kind::kOr && child.kind == Kind::kOr);
  if (parenthesise) out += '(';
  Append(out, child);
  if (parenthesise) out += ')';
}

void Append(std::string& out, const SegmentExpr& expr) {
  switch (expr.kind) {
    case SegmentExpr::Kind::kTerm:
      AppendTerm(out, expr.term);
      return;
    case SegmentExpr::Kind::kNot:
      out += "NOT ";
      if (!expr.children.empty()) AppendChild(out, expr.children.front(), expr.kind);
      return;
    case SegmentExpr::Kind::kAnd:
    case SegmentExpr::Kind::kOr: {
      const char* separator = expr.kind == SegmentExpr::Kind::kAnd ? " AND " : " OR ";
      for (std::size_t i = 0; i < expr.children.size(); ++i) {
        if (i > 0) out += separator;
        AppendChild(out, expr.children[i], expr.kind);
      }
      return;
    }
  }
}

}  // namespace

std::string ToString(const SegmentExpr& expr) {
  std::string out;
  Append(out, expr);
  return out;
}

}  // namespace herald::campaign
