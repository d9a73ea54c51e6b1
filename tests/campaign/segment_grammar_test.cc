// The grammar of segment expressions: precedence, grouping, case, and what each term parses to.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <variant>

#include "campaign/segment.h"

namespace herald::campaign {
namespace {

// A test name from an expression: its letters and digits, e.g. "0_tagaORtagbANDtagc".
std::string NameOf(std::size_t index, std::string_view text) {
  std::string name = std::to_string(index) + "_";
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) && name.size() < 48) name += c;
  }
  return name;
}

SegmentExpr Parsed(std::string_view text) {
  Result<SegmentExpr> result = ParseSegment(text);
  EXPECT_TRUE(result.ok()) << text << ": " << result.error().message;
  return result.ok() ? std::move(result).value() : SegmentExpr{};
}

SegmentExpr Term(SegmentTerm term) { return SegmentExpr{SegmentExpr::Kind::kTerm, term, {}}; }
SegmentExpr Tag(const char* name) { return Term(TagTerm{name}); }
SegmentExpr Node(SegmentExpr::Kind kind, std::vector<SegmentExpr> children) {
  return SegmentExpr{kind, {}, std::move(children)};
}
SegmentExpr Not(SegmentExpr child) { return Node(SegmentExpr::Kind::kNot, {std::move(child)}); }
SegmentExpr And(std::vector<SegmentExpr> c) { return Node(SegmentExpr::Kind::kAnd, std::move(c)); }
SegmentExpr Or(std::vector<SegmentExpr> c) { return Node(SegmentExpr::Kind::kOr, std::move(c)); }

struct EquivalentCase {
  const char* text;
  const char* same_as;
};

class EquivalentExpressions : public ::testing::TestWithParam<EquivalentCase> {};

TEST_P(EquivalentExpressions, ParseToTheSameTree) {
  EXPECT_EQ(Parsed(GetParam().text), Parsed(GetParam().same_as))
      << GetParam().text << " vs " << GetParam().same_as;
}

INSTANTIATE_TEST_SUITE_P(
    Segment, EquivalentExpressions,
    ::testing::Values(
        // Precedence: NOT > AND > OR.
        EquivalentCase{"tag:a OR tag:b AND tag:c", "tag:a OR (tag:b AND tag:c)"},
        EquivalentCase{"tag:a AND tag:b OR tag:c", "(tag:a AND tag:b) OR tag:c"},
        EquivalentCase{"NOT tag:a AND tag:b", "(NOT tag:a) AND tag:b"},
        EquivalentCase{"NOT tag:a OR tag:b AND NOT tag:c",
                       "(NOT tag:a) OR (tag:b AND (NOT tag:c))"},
        // Grouping and flattening.
        EquivalentCase{"(tag:a OR tag:b) OR tag:c", "tag:a OR tag:b OR tag:c"},
        EquivalentCase{"tag:a AND (tag:b AND tag:c)", "tag:a AND tag:b AND tag:c"},
        EquivalentCase{"((tag:a))", "tag:a"}, EquivalentCase{"NOT(tag:a)", "NOT tag:a"},
        EquivalentCase{"(tag:a)AND(tag:b)", "tag:a AND tag:b"},
        EquivalentCase{"  tag:a\tAND\n tag:b\r\n", "tag:a AND tag:b"},
        // Case-insensitive keywords, prefixes, tags, countries, languages, attribute keys.
        EquivalentCase{"tag:a and tag:b Or not tag:c", "tag:a AND tag:b OR NOT tag:c"},
        EquivalentCase{"TAG:VIP", "tag:vip"}, EquivalentCase{"Country:de", "country:DE"},
        EquivalentCase{"language:DE", "lang:de"}, EquivalentCase{"lang:pt-BR", "lang:pt_br"},
        EquivalentCase{"OPTED_IN:Marketing", "opted_in:marketing"},
        EquivalentCase{"Opted_Out", "opted_out"},
        EquivalentCase{"ATTR.Plan=\"gold\"", "attr.plan = \"gold\""},
        EquivalentCase{"attr.orders >= 3", "attr.orders>=3e0"},
        EquivalentCase{"attr.orders = 3", "attr.orders = 3.000"},
        EquivalentCase{"last_inbound<7D", "last_inbound < 7d"},
        EquivalentCase{"LAST_INBOUND > 007d", "last_inbound > 7d"}),
    [](const auto& info) { return NameOf(info.index, info.param.text); });

TEST(SegmentGrammar, OrOfAndIsATreeWithTheAndBelow) {
  EXPECT_EQ(Parsed("tag:a OR tag:b AND tag:c"), Or({Tag("a"), And({Tag("b"), Tag("c")})}));
}

TEST(SegmentGrammar, NotBindsTighterThanAnd) {
  EXPECT_EQ(Parsed("NOT tag:a AND tag:b"), And({Not(Tag("a")), Tag("b")}));
  EXPECT_EQ(Parsed("NOT (tag:a AND tag:b)"), Not(And({Tag("a"), Tag("b")})));
}

TEST(SegmentGrammar, ChainsOfOneOperatorAreOneNodeInWrittenOrder) {
  EXPECT_EQ(Parsed("tag:a AND tag:b AND tag:c"), And({Tag("a"), Tag("b"), Tag("c")}));
  EXPECT_EQ(Parsed("tag:c OR tag:b OR tag:a"), Or({Tag("c"), Tag("b"), Tag("a")}));
}

TEST(SegmentGrammar, DoubleNegationIsKeptAsWritten) {
  EXPECT_EQ(Parsed("NOT NOT tag:a"), Not(Not(Tag("a"))));
}

TEST(SegmentGrammar, KeywordsNeedAWordBoundary) {
  EXPECT_EQ(Parsed("tag:android OR tag:order"), Or({Tag("android"), Tag("order")}));
  EXPECT_FALSE(ParseSegment("tag:a ANDtag:b").ok());
}

struct TermCase {
  const char* text;
  SegmentTerm term;
};

class TermSyntax : public ::testing::TestWithParam<TermCase> {};

TEST_P(TermSyntax, ParsesToItsTerm) { EXPECT_EQ(Parsed(GetParam().text), Term(GetParam().term)); }

INSTANTIATE_TEST_SUITE_P(
    Segment, TermSyntax,
    ::testing::Values(
        TermCase{"tag:VIP-2024.q1_x", TagTerm{"vip-2024.q1_x"}},
        TermCase{"tag:Caf\xC3\xA9", TagTerm{"caf\xC3\xA9"}},
        TermCase{"country:at", CountryTerm{"AT"}}, TermCase{"country:XK", CountryTerm{"XK"}},
        TermCase{"lang:de", LanguageTerm{"de"}},
        TermCase{"lang:zh-Hant-TW", LanguageTerm{"zh_hant_tw"}},
        TermCase{"opted_in:utility", OptedInTerm{Purpose::kUtility}},
        TermCase{"opted_in:marketing", OptedInTerm{Purpose::kMarketing}},
        TermCase{"opted_out", OptedOutTerm{}},
        TermCase{"attr.plan = \"gold\"", AttributeTerm{"plan", CompareOp::kEq, "gold"}},
        TermCase{"attr.note != \"say \\\"hi\\\" \\\\o/\"",
                 AttributeTerm{"note", CompareOp::kNe, "say \"hi\" \\o/"}},
        TermCase{"attr.empty = \"\"", AttributeTerm{"empty", CompareOp::kEq, ""}},
        TermCase{"attr.orders < -2.5", AttributeTerm{"orders", CompareOp::kLt, -2.5}},
        TermCase{"attr.orders <= 0", AttributeTerm{"orders", CompareOp::kLe, 0.0}},
        TermCase{"attr.orders > 1E3", AttributeTerm{"orders", CompareOp::kGt, 1000.0}},
        TermCase{"attr.orders >= 1e-2", AttributeTerm{"orders", CompareOp::kGe, 0.01}},
        TermCase{"attr.orders = 3", AttributeTerm{"orders", CompareOp::kEq, 3.0}},
        TermCase{"attr.orders != 3", AttributeTerm{"orders", CompareOp::kNe, 3.0}},
        TermCase{"last_inbound > 30d", LastInboundTerm{false, 30, AgeUnit::kDays}},
        TermCase{"last_inbound < 90m", LastInboundTerm{true, 90, AgeUnit::kMinutes}},
        TermCase{"last_inbound < 12h", LastInboundTerm{true, 12, AgeUnit::kHours}},
        TermCase{"last_inbound < 999999w", LastInboundTerm{true, 999999, AgeUnit::kWeeks}}),
    [](const auto& info) { return NameOf(info.index, info.param.text); });

TEST(SegmentGrammar, AgesConvertToMinutes) {
  EXPECT_EQ(LastInboundTerm({true, 90, AgeUnit::kMinutes}).Age().count(), 90);
  EXPECT_EQ(LastInboundTerm({true, 12, AgeUnit::kHours}).Age().count(), 12 * 60);
  EXPECT_EQ(LastInboundTerm({true, 7, AgeUnit::kDays}).Age().count(), 7 * 24 * 60);
  EXPECT_EQ(LastInboundTerm({true, 2, AgeUnit::kWeeks}).Age().count(), 2 * 7 * 24 * 60);
}

TEST(SegmentGrammar, AttributeValuesAreNumericOnlyWhenWhollyADecimalNumber) {
  EXPECT_EQ(AttributeNumber("42"), 42.0);
  EXPECT_EQ(AttributeNumber("-3.5"), -3.5);
  EXPECT_EQ(AttributeNumber("1e3"), 1000.0);
  EXPECT_EQ(AttributeNumber("007"), 7.0);
  for (const char* text : {"", " 42", "42 ", "+42", "0x2A", "nan", "inf", "1.", ".5", "1e", "1e999",
                           "4 2", "gold", "-"}) {
    EXPECT_FALSE(AttributeNumber(text).has_value()) << text;
  }
}

std::string Nested(int levels, const char* open, const char* close) {
  std::string text;
  for (int i = 0; i < levels; ++i) text += open;
  text += "tag:a";
  for (int i = 0; i < levels; ++i) text += close;
  return text;
}

TEST(SegmentGrammar, NestingUpToTheLimitParses) {
  EXPECT_TRUE(ParseSegment(Nested(kMaxSegmentDepth, "(", ")")).ok());
  EXPECT_TRUE(ParseSegment(Nested(kMaxSegmentDepth, "NOT ", "")).ok());
}

TEST(SegmentGrammar, NestingBeyondTheLimitIsAnErrorNotACrash) {
  // 15000 levels still fit in kMaxSegmentLength.
  for (int levels : {kMaxSegmentDepth + 1, 15000}) {
    for (const auto& [open, close] : {std::pair{"(", ")"}, std::pair{"NOT ", ""}}) {
      const Result<SegmentExpr> result = ParseSegment(Nested(levels, open, close));
      ASSERT_FALSE(result.ok());
      EXPECT_NE(result.error().message.find("nested deeper than 200 levels"), std::string::npos)
          << result.error().message;
    }
  }
}

TEST(SegmentGrammar, LongFlatChainsParseWithoutDeepRecursion) {
  std::string text = "tag:t0";
  for (int i = 1; i < 4000; ++i) text += (i % 2 ? " OR tag:t" : " AND tag:t") + std::to_string(i);
  const SegmentExpr expr = Parsed(text);
  EXPECT_EQ(expr.kind, SegmentExpr::Kind::kOr);
  EXPECT_EQ(Parsed(ToString(expr)), expr);
}

TEST(SegmentGrammar, InputLongerThanTheLimitIsRejected) {
  const Result<SegmentExpr> result = ParseSegment(std::string(kMaxSegmentLength + 1, ' '));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace herald::campaign
