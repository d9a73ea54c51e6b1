// Segment expressions: the language marketing uses to pick an audience (PRODUCT.md, "Segment
// expressions"), parsed into a small AST that ContactIndex evaluates.
//
//   tag:vip AND (country:DE OR country:AT) AND NOT tag:churned AND opted_in:marketing
//
// Terms
//   tag:NAME            NAME: letters, digits, '_', '-', '.' (bytes >= 0x80 are accepted so that
//                       UTF-8 tags work); compared case-insensitively (ASCII case folding).
//   country:XX          an assigned ISO 3166-1 alpha-2 code, case-insensitive ("country:uk" is an
//                       error that suggests GB).
//   lang:xx             also language:xx. xx is a language tag (common/language_tag.h: de,
//                       pt-BR, zh_Hant_TW). Matches contacts whose language is xx or starts with
//                       "xx_" (lang:de matches de, de_AT, de_CH); '-' and '_' are equivalent and
//                       the comparison is case-insensitive. lang:de_AT matches de_AT (and
//                       de_AT_...).
//   opted_in:marketing  consent for that purpose granted AND not opted out; also opted_in:utility.
//   opted_out           opted out of everything.
//   attr.KEY OP VALUE   OP is one of = != < <= > >=; VALUE a double-quoted string (escapes \" and
//                       \\) or a number (-12, 3.5, 1e3). KEY uses the tag name characters and is
//                       compared case-insensitively.
//   last_inbound < 7d   last inbound message less than 7 days before `now`; '>' for more than.
//                       Units m, h, d, w; the count is a whole number from 1 to 999999.
//
// Attribute semantics (the choice documented here is what ContactIndex implements)
//   - A contact's value is numeric when the whole value is a finite decimal number ("42", "-3.5",
//     "1e3"; not " 42", "+42", "0x2A", "nan"): see AttributeNumber().
//   - attr.k = "v"   the value is exactly "v" (byte for byte).
//   - attr.k = 3     the value is numeric and equal to 3 ("3", "3.0" and "3e0" all match).
//   - < <= > >=      need a number on the right; only contacts with a numeric value can match.
//   - attr.k != V    the contact HAS attribute k and does not match attr.k = V. Contacts without
//                    the attribute match neither = nor != (as SQL treats NULL); so
//                    `NOT attr.k = V` and `attr.k != V` differ exactly on contacts lacking k.
//
// last_inbound semantics: ages are counted in whole minutes, as the minute of `now` minus the
// minute of the last inbound message (both floored since the Unix epoch). `< D` matches ages
// below D (a last inbound in the future counts as age < 0); `> D` matches ages above D. Contacts
// without any inbound message never match `<` and always match `>`.
//
// Grammar: precedence NOT > AND > OR, parentheses group; AND, OR, NOT and the term prefixes are
// case-insensitive. There is no implicit AND between terms. AND and OR chains are kept n-ary and
// flattened, even across parentheses: `(a OR b) OR c` and `a OR b OR c` have the same AST; NOT
// is kept as written (NOT NOT a stays two NOTs). Nesting (parentheses and NOTs) is limited to
// kMaxSegmentDepth levels and input to kMaxSegmentLength bytes, so hostile input cannot exhaust
// the stack.
//
// Thread rules: free functions on values; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/purpose.h"
#include "common/result.h"

namespace herald::campaign {

inline constexpr int kMaxSegmentDepth = 200;
inline constexpr std::size_t kMaxSegmentLength = 64 * 1024;

struct TagTerm {
  std::string name;  // lower-case (ASCII)
  bool operator==(const TagTerm&) const = default;
};

struct CountryTerm {
  std::string code;  // upper-case ISO 3166-1 alpha-2
  bool operator==(const CountryTerm&) const = default;
};

struct LanguageTerm {
  std::string language;  // the tag's Key(): lower-case, '_' between subtags: "de", "pt_br"
  bool operator==(const LanguageTerm&) const = default;
};

struct OptedInTerm {
  Purpose purpose = Purpose::kMarketing;  // kMarketing or kUtility: what contacts consent to
  bool operator==(const OptedInTerm&) const = default;
};

struct OptedOutTerm {
  bool operator==(const OptedOutTerm&) const = default;
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct AttributeTerm {
  std::string key;  // lower-case (ASCII)
  CompareOp op = CompareOp::kEq;
  std::variant<std::string, double> value;  // a number for < <= > >=
  bool operator==(const AttributeTerm&) const = default;
};

enum class AgeUnit { kMinutes, kHours, kDays, kWeeks };

struct LastInboundTerm {
  bool less_than = true;  // `<` (recent) when true, `>` (long ago or never) when false
  std::int64_t count = 1;
  AgeUnit unit = AgeUnit::kDays;  // kept as written: `7d` prints as 7d, not 1w

  std::chrono::minutes Age() const;
  bool operator==(const LastInboundTerm&) const = default;
};

using SegmentTerm = std::variant<TagTerm, CountryTerm, LanguageTerm, OptedInTerm, OptedOutTerm,
                                 AttributeTerm, LastInboundTerm>;

struct SegmentExpr {
  enum class Kind { kTerm, kNot, kAnd, kOr };

  Kind kind = Kind::kTerm;
  SegmentTerm term;  // kTerm only
  // kNot: exactly 1; kAnd, kOr: 2 or more, none of the same kind (chains are flattened).
  std::vector<SegmentExpr> children;

  bool operator==(const SegmentExpr&) const = default;
};

// Parses an expression. A syntax error is kInvalidArgument with a message like
//   position 17: expected a term (tag:, country:, lang:, opted_in:, opted_out, attr.,
//   last_inbound) but found ")"
// where the position is the 1-based character (UTF-8 code point) position of the offending text.
Result<SegmentExpr> ParseSegment(std::string_view text);

// Canonical text: keywords upper-case, prefixes lower-case, one space around operators,
// parentheses only where precedence needs them. ParseSegment(ToString(e)) == e for every e that
// ParseSegment produced.
std::string ToString(const SegmentExpr& expr);

// The numeric reading of an attribute value, if the whole value is a finite decimal number.
std::optional<double> AttributeNumber(std::string_view value);

}  // namespace herald::campaign
