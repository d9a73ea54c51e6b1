// The recursive-descent parser behind ParseSegment. Structure (precedence, parentheses, depth)
// lives in segment_parser.cc, the term syntax in segment_terms.cc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "campaign/segment.h"
#include "common/result.h"

namespace herald::campaign::detail {

class SegmentParser {
 public:
  explicit SegmentParser(std::string_view text) : text_(text) {}

  Result<SegmentExpr> Parse();

 private:
  // Each returns false once error_ is set; the parse stops at the first error.
  bool ParseOr(SegmentExpr& out, int depth);
  bool ParseAnd(SegmentExpr& out, int depth);
  bool ParseUnary(SegmentExpr& out, int depth);
  bool ParseGroup(SegmentExpr& out, int depth);
  bool ParseTerm(SegmentExpr& out);
  bool ParseBareWord(std::string_view word, SegmentExpr& out);
  bool ParsePrefixed(std::string_view prefix, SegmentExpr& out);
  bool ParseTag(SegmentExpr& out);
  bool ParseCountry(SegmentExpr& out);
  bool ParseLanguage(SegmentExpr& out);
  bool ParseOptedIn(SegmentExpr& out);
  bool ParseAttribute(SegmentExpr& out);
  bool ParseAttributeValue(AttributeTerm& term);
  bool ParseQuotedString(std::string& out);
  bool ParseLastInbound(SegmentExpr& out);

  // Input helpers.
  void SkipSpace();
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool AtBoundary(std::size_t at) const;  // end, whitespace or a parenthesis
  bool AtKeyword(std::string_view keyword) const;
  std::string_view TakeWhile(bool (*accept)(char));
  std::string_view RunAt(std::size_t at) const;  // the "word" at `at`, for error messages

  // Error helpers: "position N: message".
  bool Fail(std::size_t at, std::string message);
  bool FailExpected(std::size_t at, std::string_view expected);  // "expected X but found Y"
  std::string Found(std::size_t at) const;                       // quoted text or "end of input"
  std::size_t Position(std::size_t at) const;                    // 1-based code point position

  std::string_view text_;
  std::size_t pos_ = 0;
  std::optional<Error> error_;
};

// The list used in "expected a term (...)" messages.
inline constexpr std::string_view kTermList =
    "a term (tag:, country:, lang:, opted_in:, opted_out, attr., last_inbound)";

}  // namespace herald::campaign::detail
