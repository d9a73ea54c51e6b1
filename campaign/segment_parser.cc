// Expression structure: OR of ANDs of (NOT)* primaries, with n-ary flattened AND/OR nodes.
#include "campaign/detail/segment_parser.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "campaign/detail/text.h"
#include "campaign/segment.h"

namespace herald::campaign {
namespace detail {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Adds `item` to the children of an n-ary node of `kind`, splicing it when it is of the same
// kind so that `(a OR b) OR c` and `a OR b OR c` give one AST.
void AppendFlattened(SegmentExpr::Kind kind, std::vector<SegmentExpr>& children,
                     SegmentExpr&& item) {
  if (item.kind != kind) {
    children.push_back(std::move(item));
    return;
  }
  for (SegmentExpr& child : item.children) children.push_back(std::move(child));
}

}  // namespace

Result<SegmentExpr> SegmentParser::Parse() {
  if (text_.size() > kMaxSegmentLength) {
    return MakeError(ErrorCode::kInvalidArgument, "expression is " + std::to_string(text_.size()) +
                                                      " bytes long; the limit is " +
                                                      std::to_string(kMaxSegmentLength));
  }
  SkipSpace();
  if (AtEnd()) {
    Fail(pos_, "empty expression; expected " + std::string(kTermList));
    return std::move(*error_);
  }
  SegmentExpr expr;
  if (ParseOr(expr, 0)) {
    SkipSpace();
    if (Peek() == ')') {
      Fail(pos_, "unbalanced parenthesis: this ')' has no matching '('");
    } else if (!AtEnd()) {
      FailExpected(pos_, "AND, OR or end of input");
    }
  }
  if (error_) return std::move(*error_);
  return expr;
}

bool SegmentParser::ParseOr(SegmentExpr& out, int depth) {
  SegmentExpr first;
  if (!ParseAnd(first, depth)) return false;
  std::vector<SegmentExpr> children;
  for (;;) {
    SkipSpace();
    if (!AtKeyword("OR")) break;
    pos_ += 2;
    SegmentExpr next;
    if (!ParseAnd(next, depth)) return false;
    if (children.empty()) AppendFlattened(SegmentExpr::Kind::kOr, children, std::move(first));
    AppendFlattened(SegmentExpr::Kind::kOr, children, std::move(next));
  }
  if (children.empty()) {
    out = std::move(first);
  } else {
    out = SegmentExpr{SegmentExpr::Kind::kOr, {}, std::move(children)};
  }
  return true;
}

bool SegmentParser::ParseAnd(SegmentExpr& out, int depth) {
  SegmentExpr first;
  if (!ParseUnary(first, depth)) return false;
  std::vector<SegmentExpr> children;
  for (;;) {
    SkipSpace();
    if (!AtKeyword("AND")) break;
    pos_ += 3;
    SegmentExpr next;
    if (!ParseUnary(next, depth)) return false;
    if (children.empty()) AppendFlattened(SegmentExpr::Kind::kAnd, children, std::move(first));
    AppendFlattened(SegmentExpr::Kind::kAnd, children, std::move(next));
  }
  if (children.empty()) {
    out = std::move(first);
  } else {
    out = SegmentExpr{SegmentExpr::Kind::kAnd, {}, std::move(children)};
  }
  return true;
}

bool SegmentParser::ParseUnary(SegmentExpr& out, int depth) {
  SkipSpace();
  if (depth > kMaxSegmentDepth) {
    return Fail(pos_, "expression nested deeper than " + std::to_string(kMaxSegmentDepth) +
                          " levels (parentheses and NOT)");
  }
  if (AtKeyword("NOT")) {
    pos_ += 3;
    SegmentExpr child;
    if (!ParseUnary(child, depth + 1)) return false;
    out = SegmentExpr{SegmentExpr::Kind::kNot, {}, {}};
    out.children.push_back(std::move(child));
    return true;
  }
  if (Peek() == '(') return ParseGroup(out, depth + 1);
  return ParseTerm(out);
}

bool SegmentParser::ParseGroup(SegmentExpr& out, int depth) {
  const std::size_t open = pos_;
  ++pos_;
  if (!ParseOr(out, depth)) return false;
  SkipSpace();
  if (Peek() == ')') {
    ++pos_;
    return true;
  }
  return FailExpected(
      pos_, "AND, OR or ')' to close the '(' at position " + std::to_string(Position(open)));
}

void SegmentParser::SkipSpace() {
  while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
}

bool SegmentParser::AtBoundary(std::size_t at) const {
  return at >= text_.size() || IsSpace(text_[at]) || text_[at] == '(' || text_[at] == ')';
}

bool SegmentParser::AtKeyword(std::string_view keyword) const {
  if (text_.size() - pos_ < keyword.size()) return false;
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    if (AsciiUpper(text_[pos_ + i]) != keyword[i]) return false;
  }
  return AtBoundary(pos_ + keyword.size());
}

std::string_view SegmentParser::TakeWhile(bool (*accept)(char)) {
  const std::size_t start = pos_;
  while (!AtEnd() && accept(text_[pos_])) ++pos_;
  return text_.substr(start, pos_ - start);
}

std::string_view SegmentParser::RunAt(std::size_t at) const {
  if (at >= text_.size()) return {};
  if (text_[at] == '(' || text_[at] == ')') return text_.substr(at, 1);
  std::size_t end = at;
  while (!AtBoundary(end)) ++end;
  return text_.substr(at, end - at);
}

bool SegmentParser::Fail(std::size_t at, std::string message) {
  if (!error_) {
    error_ = MakeError(ErrorCode::kInvalidArgument,
                       "position " + std::to_string(Position(at)) + ": " + std::move(message));
  }
  return false;
}

bool SegmentParser::FailExpected(std::size_t at, std::string_view expected) {
  return Fail(at, "expected " + std::string(expected) + " but found " + Found(at));
}

std::string SegmentParser::Found(std::size_t at) const {
  if (at >= text_.size()) return "end of input";
  constexpr std::size_t kMaxShown = 24;
  std::string_view run = RunAt(at);
  if (run.empty()) run = text_.substr(at, 1);  // whitespace
  const bool cut = run.size() > kMaxShown;
  if (cut) {
    run = run.substr(0, kMaxShown);
    // Do not cut a UTF-8 sequence in half.
    while (!run.empty() && (static_cast<unsigned char>(text_[at + run.size()]) & 0xC0) == 0x80) {
      run.remove_suffix(1);
    }
  }
  std::string out = "\"";
  for (char c : run) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += cut ? "...\"" : "\"";
  return out;
}

std::size_t SegmentParser::Position(std::size_t at) const {
  std::size_t position = 1;
  for (std::size_t i = 0; i < at && i < text_.size(); ++i) {
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++position;
  }
  return position;
}

}  // namespace detail

Result<SegmentExpr> ParseSegment(std::string_view text) {
  return detail::SegmentParser(text).Parse();
}

std::optional<double> AttributeNumber(std::string_view value) {
  return detail::ParseDecimal(value);
}

std::chrono::minutes LastInboundTerm::Age() const {
  switch (unit) {
    case AgeUnit::kMinutes:
      return std::chrono::minutes(count);
    case AgeUnit::kHours:
      return std::chrono::hours(count);
    case AgeUnit::kDays:
      return std::chrono::days(count);
    case AgeUnit::kWeeks:
      return std::chrono::weeks(count);
  }
  return std::chrono::minutes(count);
}

}  // namespace herald::campaign
