// Every kind of syntax error names the character position and what was expected.
#include <gtest/gtest.h>

#include <string>

#include "campaign/segment.h"

namespace herald::campaign {
namespace {

constexpr const char* kTerm =
    "a term (tag:, country:, lang:, opted_in:, opted_out, attr., last_inbound)";

struct ErrorCase {
  const char* name;
  std::string text;
  std::string message;  // the whole message
};

void PrintTo(const ErrorCase& c, std::ostream* out) { *out << c.name; }

class SyntaxError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SyntaxError, IsInvalidArgumentNamingPositionAndExpectation) {
  const Result<SegmentExpr> result = ParseSegment(GetParam().text);
  ASSERT_FALSE(result.ok()) << GetParam().text << " parsed as " << ToString(result.value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message, GetParam().message);
}

std::string Expected(const std::string& what, const std::string& found) {
  return "expected " + what + " but found " + found;
}

const ErrorCase kErrors[] = {
    // Structure.
    {"Empty", "", "position 1: empty expression; expected " + std::string(kTerm)},
    {"OnlySpaces", "   ", "position 4: empty expression; expected " + std::string(kTerm)},
    {"NotBeforeParenthesis", "tag:vip AND (NOT)", "position 17: " + Expected(kTerm, "\")\"")},
    {"EmptyParentheses", "()", "position 2: " + Expected(kTerm, "\")\"")},
    {"DanglingAnd", "tag:a AND", "position 10: " + Expected(kTerm, "end of input")},
    {"DanglingNot", "NOT", "position 4: " + Expected(kTerm, "end of input")},
    {"TwoOperators", "tag:a AND OR tag:b", "position 11: " + Expected(kTerm, "\"OR\"")},
    {"UnclosedParenthesis", "(tag:a OR tag:b",
     "position 16: " + Expected("AND, OR or ')' to close the '(' at position 1", "end of input")},
    {"UnclosedInnerParenthesis", "tag:x AND (tag:a OR (tag:b) tag:c",
     "position 29: " + Expected("AND, OR or ')' to close the '(' at position 11", "\"tag:c\"")},
    {"UnopenedParenthesis", "tag:a)",
     "position 6: unbalanced parenthesis: this ')' has no matching '('"},
    {"ImplicitAnd", "tag:a tag:b",
     "position 7: " + Expected("AND, OR or end of input", "\"tag:b\"")},
    {"KeywordWithoutBoundary", "tag:a ANDtag:b",
     "position 7: " + Expected("AND, OR or end of input", "\"ANDtag:b\"")},
    {"PositionCountsCharactersNotBytes", "tag:\xC3\xA9t\xC3\xA9 AND )",
     "position 13: " + Expected(kTerm, "\")\"")},
    {"LongFoundTextIsCut", "tag:a " + std::string(40, 'x'),
     "position 7: " + Expected("AND, OR or end of input", "\"" + std::string(24, 'x') + "...\"")},
    // Unknown prefixes and bare words.
    {"TagsForTag", "tags:vip",
     "position 1: unknown prefix \"tags:\" (did you mean \"tag:\"?); expected " +
         std::string(kTerm)},
    {"MisspeltCountry", "contry:DE",
     "position 1: unknown prefix \"contry:\" (did you mean \"country:\"?); expected " +
         std::string(kTerm)},
    {"MisspeltAttr", "atr.plan = \"x\"",
     "position 1: unknown prefix \"atr.\" (did you mean \"attr.\"?); expected " +
         std::string(kTerm)},
    {"UnknownPrefix", "foo:bar",
     "position 1: unknown prefix \"foo:\"; expected " + std::string(kTerm)},
    {"BareTagName", "vip",
     "position 1: " + Expected(kTerm, "\"vip\"") + " (a tag is written tag:vip)"},
    {"MisspeltOptedOut", "tag:a OR opted_ot",
     "position 10: " + Expected(kTerm, "\"opted_ot\"") + " (did you mean \"opted_out\"?)"},
    {"NumberForTerm", "42", "position 1: " + Expected(kTerm, "\"42\"")},
    // Term values.
    {"OptedOutWithValue", "opted_out:marketing",
     "position 10: opted_out takes no value: write opted_out, or opted_in:marketing"},
    {"EmptyTag", "tag:", "position 5: " + Expected("a tag name after tag:", "end of input")},
    {"BadCharacterInTag", "tag:vip!",
     "position 8: unexpected \"!\" in a tag name; tag names use letters, digits, '_', '-' and '.'"},
    {"ControlCharacterInTag", "tag:a\x01",
     "position 6: unexpected \"\\x01\" in a tag name; tag names use letters, digits, '_', '-' "
     "and '.'"},
    {"ThreeLetterCountry", "country:DEU",
     "position 9: " + Expected("a two-letter ISO 3166 country code such as DE", "\"DEU\"")},
    {"EmptyCountry", "country:",
     "position 9: " + Expected("a two-letter ISO 3166 country code such as DE", "end of input")},
    {"UkForGb", "country:uk",
     "position 9: \"uk\" is not an ISO 3166 country code (did you mean GB?)"},
    {"UnassignedCountry", "country:QQ", "position 9: \"QQ\" is not an ISO 3166 country code"},
    {"LanguageName", "lang:german",
     "position 6: " + Expected("a language code such as de or pt_BR", "\"german\"")},
    {"LanguageWithEmptySubtag", "lang:de_",
     "position 6: " + Expected("a language code such as de or pt_BR", "\"de_\"")},
    {"LanguageThatIsNotATag", "lang:zz_ZZZZZZZ",
     "position 6: " + Expected("a language code such as de or pt_BR", "\"zz_ZZZZZZZ\"")},
    {"PurposeWithoutConsent", "opted_in:service",
     "position 10: " + Expected("marketing or utility after opted_in:", "\"service\"")},
    {"UnknownConsentPurpose", "opted_in:marketting",
     "position 10: " + Expected("marketing or utility after opted_in:", "\"marketting\"")},
    // Attributes.
    {"AttributeWithoutName", "attr. = 1",
     "position 6: " + Expected("an attribute name after attr.", "\" \"")},
    {"UnknownComparison", "attr.plan ~ \"gold\"",
     "position 11: " + Expected("a comparison (=, !=, <, <=, >, >=) after attr.plan", "\"~\"")},
    {"DoubleEquals", "attr.plan == \"gold\"", "position 11: use = to compare, not =="},
    {"UnquotedString", "attr.plan = gold",
     "position 13: expected a quoted string or a number but found \"gold\" (strings are quoted: "
     "\"gold\")"},
    {"MissingValue", "attr.plan =",
     "position 12: " +
         Expected("a quoted string or a number such as 3, -2.5 or 1e3", "end of input")},
    {"StringForOrdering", "attr.orders > \"3\"",
     "position 15: <, <=, > and >= compare numbers: expected a number but found a quoted string"},
    {"MalformedNumber", "attr.orders > 1.2.3",
     "position 15: " + Expected("a number such as 3, -2.5 or 1e3", "\"1.2.3\"")},
    {"NumberOutOfRange", "attr.orders > 1e999",
     "position 15: " + Expected("a number such as 3, -2.5 or 1e3", "\"1e999\"")},
    {"UnterminatedString", "attr.plan = \"gold",
     "position 13: unterminated string: this '\"' is never closed"},
    {"BackslashAtEnd", "attr.plan = \"gold\\",
     "position 13: unterminated string: this '\"' is never closed"},
    {"UnknownEscape", "attr.plan = \"a\\nb\"",
     "position 15: unknown escape in a string; only \\\" and \\\\ are allowed"},
    // last_inbound.
    {"AgeWithoutComparison", "last_inbound 7d",
     "position 14: " + Expected("< or > after last_inbound", "\"7d\"")},
    {"LessOrEqualAge", "last_inbound <= 7d",
     "position 14: " + Expected("< or > after last_inbound", "\"<=\"")},
    {"LastInboundWithColon", "last_inbound:7d",
     "position 13: last_inbound is compared with < or >, as in last_inbound < 7d"},
    {"AgeWithoutUnit", "last_inbound < 7",
     "position 16: expected an age from 1 to 999999 minutes (m), hours (h), days (d) or weeks "
     "(w), such as 7d, but found \"7\""},
    {"AgeInYears", "last_inbound < 7y",
     "position 16: expected an age from 1 to 999999 minutes (m), hours (h), days (d) or weeks "
     "(w), such as 7d, but found \"7y\""},
    {"ZeroAge", "last_inbound > 0d",
     "position 16: expected an age from 1 to 999999 minutes (m), hours (h), days (d) or weeks "
     "(w), such as 7d, but found \"0d\""},
    {"AgeTooLong", "last_inbound > 1000000d",
     "position 16: expected an age from 1 to 999999 minutes (m), hours (h), days (d) or weeks "
     "(w), such as 7d, but found \"1000000d\""},
};

INSTANTIATE_TEST_SUITE_P(Segment, SyntaxError, ::testing::ValuesIn(kErrors),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace herald::campaign
