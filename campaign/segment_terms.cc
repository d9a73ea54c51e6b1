// Term syntax: tag:, country:, lang:, opted_in:, opted_out, attr.KEY OP VALUE, last_inbound.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "campaign/detail/segment_parser.h"
#include "campaign/detail/text.h"
#include "campaign/segment.h"
#include "common/language_tag.h"
#include "common/suggest.h"

namespace herald::campaign::detail {
namespace {

constexpr std::array<std::string_view, 8> kPrefixes = {
    "tag:", "country:", "lang:", "language:", "opted_in:", "opted_out", "attr.", "last_inbound"};

bool IsPrefixChar(char c) { return IsAsciiLetter(c) || c == '_'; }
bool IsValueChar(char c) { return IsNameChar(c) || c == '+'; }

SegmentExpr TermExpr(SegmentTerm term) {
  return SegmentExpr{SegmentExpr::Kind::kTerm, std::move(term), {}};
}

std::string Quoted(std::string_view text) {
  // Appends rather than `"\"" + std::string(text)`: GCC 12 at -O3 reports a false -Wrestrict
  // on the latter (GCC bug 105651).
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted.append(1, '"').append(text).append(1, '"');
  return quoted;
}

std::string DidYouMean(std::string_view typed) {
  const auto match = herald::ClosestMatch(typed, kPrefixes);
  return match ? " (did you mean " + Quoted(*match) + "?)" : std::string();
}

}  // namespace

bool SegmentParser::ParseTerm(SegmentExpr& out) {
  const std::size_t start = pos_;
  const std::string_view word = TakeWhile(IsPrefixChar);
  if (word.empty()) return FailExpected(start, kTermList);
  const char separator = Peek();
  if (separator == ':' || separator == '.') {
    ++pos_;
    const std::string prefix = AsciiLowerCopy(word) + separator;
    if (ParsePrefixed(prefix, out)) return true;
    if (error_) return false;
    return Fail(start, "unknown prefix " + Quoted(text_.substr(start, pos_ - start)) +
                           DidYouMean(prefix) + "; expected " + std::string(kTermList));
  }
  return ParseBareWord(word, out);
}

// Returns false without an error when the prefix is unknown.
bool SegmentParser::ParsePrefixed(std::string_view prefix, SegmentExpr& out) {
  if (prefix == "tag:") return ParseTag(out);
  if (prefix == "country:") return ParseCountry(out);
  if (prefix == "lang:" || prefix == "language:") return ParseLanguage(out);
  if (prefix == "opted_in:") return ParseOptedIn(out);
  if (prefix == "attr.") return ParseAttribute(out);
  if (prefix == "opted_out:") {
    return Fail(pos_ - 1, "opted_out takes no value: write opted_out, or opted_in:marketing");
  }
  if (prefix == "last_inbound:") {
    return Fail(pos_ - 1, "last_inbound is compared with < or >, as in last_inbound < 7d");
  }
  return false;
}

bool SegmentParser::ParseBareWord(std::string_view word, SegmentExpr& out) {
  const std::size_t start = pos_ - word.size();
  const std::string lower = AsciiLowerCopy(word);
  if (lower == "last_inbound") return ParseLastInbound(out);
  if (lower == "opted_out" && AtBoundary(pos_)) {
    out = TermExpr(OptedOutTerm{});
    return true;
  }
  std::string hint = DidYouMean(lower);
  const std::string_view run = RunAt(start);
  if (hint.empty() && lower != "and" && lower != "or" &&
      std::all_of(run.begin(), run.end(), IsNameChar)) {
    hint = " (a tag is written tag:" + std::string(run) + ")";
  }
  return Fail(start, "expected " + std::string(kTermList) + " but found " + Found(start) + hint);
}

bool SegmentParser::ParseTag(SegmentExpr& out) {
  const std::size_t start = pos_;
  const std::string_view name = TakeWhile(IsNameChar);
  if (name.empty()) return FailExpected(start, "a tag name after tag:");
  if (!AtBoundary(pos_)) {
    return Fail(pos_, "unexpected " + Found(pos_) +
                          " in a tag name; tag names use letters, digits, '_', '-' and '.'");
  }
  out = TermExpr(TagTerm{NormalizeName(name)});
  return true;
}

bool SegmentParser::ParseCountry(SegmentExpr& out) {
  const std::size_t start = pos_;
  const std::string_view code = TakeWhile(IsNameChar);
  if (code.size() != 2 || !IsAsciiLetter(code[0]) || !IsAsciiLetter(code[1]) || !AtBoundary(pos_)) {
    return FailExpected(start, "a two-letter ISO 3166 country code such as DE");
  }
  std::string upper = NormalizeCountry(code);
  if (!IsAssignedCountryCode(upper)) {
    const auto hint = CountryCodeHint(upper);
    return Fail(start, Quoted(code) + " is not an ISO 3166 country code" +
                           (hint ? " (did you mean " + std::string(*hint) + "?)" : ""));
  }
  out = TermExpr(CountryTerm{std::move(upper)});
  return true;
}

bool SegmentParser::ParseLanguage(SegmentExpr& out) {
  const std::size_t start = pos_;
  const std::string_view code = TakeWhile(IsNameChar);
  const Result<LanguageTag> tag = LanguageTag::Parse(code);
  if (!tag.ok() || !AtBoundary(pos_)) {
    return FailExpected(start, "a language code such as de or pt_BR");
  }
  out = TermExpr(LanguageTerm{tag->Key()});
  return true;
}

bool SegmentParser::ParseOptedIn(SegmentExpr& out) {
  const std::size_t start = pos_;
  const Result<Purpose> purpose = ParsePurpose(AsciiLowerCopy(TakeWhile(IsNameChar)));
  // Contacts consent to marketing and utility; the other purposes need no consent.
  if (!AtBoundary(pos_) || !purpose.ok() ||
      (*purpose != Purpose::kMarketing && *purpose != Purpose::kUtility)) {
    return FailExpected(start, "marketing or utility after opted_in:");
  }
  out = TermExpr(OptedInTerm{*purpose});
  return true;
}

bool SegmentParser::ParseAttribute(SegmentExpr& out) {
  const std::size_t start = pos_;
  const std::string_view key = TakeWhile(IsNameChar);
  if (key.empty()) return FailExpected(start, "an attribute name after attr.");
  AttributeTerm term{NormalizeName(key), CompareOp::kEq, std::string()};
  SkipSpace();
  const std::size_t op_at = pos_;
  const std::string_view rest = text_.substr(pos_);
  if (rest.starts_with("==")) return Fail(op_at, "use = to compare, not ==");
  constexpr std::pair<std::string_view, CompareOp> kOps[] = {
      {"!=", CompareOp::kNe}, {"<=", CompareOp::kLe}, {">=", CompareOp::kGe},
      {"=", CompareOp::kEq},  {"<", CompareOp::kLt},  {">", CompareOp::kGt}};
  bool found = false;
  for (const auto& [text, op] : kOps) {
    if (rest.starts_with(text)) {
      term.op = op;
      pos_ += text.size();
      found = true;
      break;
    }
  }
  if (!found) {
    return FailExpected(op_at, "a comparison (=, !=, <, <=, >, >=) after attr." + std::string(key));
  }
  SkipSpace();
  if (!ParseAttributeValue(term)) return false;
  out = TermExpr(std::move(term));
  return true;
}

bool SegmentParser::ParseAttributeValue(AttributeTerm& term) {
  const std::size_t start = pos_;
  const bool ordering = term.op != CompareOp::kEq && term.op != CompareOp::kNe;
  if (Peek() == '"') {
    std::string value;
    if (!ParseQuotedString(value)) return false;
    if (ordering) {
      return Fail(start,
                  "<, <=, > and >= compare numbers: expected a number but found a quoted "
                  "string");
    }
    term.value = std::move(value);
    return true;
  }
  const std::string_view run = TakeWhile(IsValueChar);
  if (const auto number = ParseDecimal(run)) {
    term.value = *number;
    return true;
  }
  if (!run.empty() && IsAsciiLetter(run[0]) && !ordering) {
    return Fail(start, "expected a quoted string or a number but found " + Found(start) +
                           " (strings are quoted: " + Quoted(run) + ")");
  }
  return FailExpected(start, ordering ? "a number such as 3, -2.5 or 1e3"
                                      : "a quoted string or a number such as 3, -2.5 or 1e3");
}

bool SegmentParser::ParseQuotedString(std::string& out) {
  const std::size_t open = pos_;
  ++pos_;
  while (!AtEnd()) {
    const char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      return true;
    }
    if (c == '\\') {
      const char escaped = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
      if (escaped != '"' && escaped != '\\') {
        if (pos_ + 1 >= text_.size()) break;
        return Fail(pos_, "unknown escape in a string; only \\\" and \\\\ are allowed");
      }
      out += escaped;
      pos_ += 2;
      continue;
    }
    out += c;
    ++pos_;
  }
  return Fail(open, "unterminated string: this '\"' is never closed");
}

bool SegmentParser::ParseLastInbound(SegmentExpr& out) {
  SkipSpace();
  const std::size_t op_at = pos_;
  const char op = Peek();
  const bool has_equals = pos_ + 1 < text_.size() && text_[pos_ + 1] == '=';
  if ((op != '<' && op != '>') || has_equals) {
    return FailExpected(op_at, "< or > after last_inbound");
  }
  ++pos_;
  SkipSpace();
  const std::size_t age_at = pos_;
  const std::string_view age = TakeWhile(IsNameChar);
  const std::string_view digits = age.substr(0, age.empty() ? 0 : age.size() - 1);
  const char unit = age.empty() ? '\0' : AsciiLower(age.back());
  std::int64_t count = 0;
  bool ok =
      !digits.empty() && digits.size() <= 6 && std::all_of(digits.begin(), digits.end(), IsDigit);
  for (char c : ok ? digits : std::string_view()) count = count * 10 + (c - '0');
  LastInboundTerm term{op == '<', count, AgeUnit::kDays};
  switch (unit) {
    case 'm':
      term.unit = AgeUnit::kMinutes;
      break;
    case 'h':
      term.unit = AgeUnit::kHours;
      break;
    case 'd':
      term.unit = AgeUnit::kDays;
      break;
    case 'w':
      term.unit = AgeUnit::kWeeks;
      break;
    default:
      ok = false;
  }
  if (!ok || count < 1) {
    return FailExpected(age_at,
                        "an age from 1 to 999999 minutes (m), hours (h), days (d) or "
                        "weeks (w), such as 7d,");
  }
  out = TermExpr(term);
  return true;
}

}  // namespace herald::campaign::detail
