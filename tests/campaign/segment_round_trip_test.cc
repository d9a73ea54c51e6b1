// ToString is canonical and ParseSegment inverts it; random spellings of one tree parse to it.
#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>

#include "campaign/segment.h"
#include "tests/campaign/random_segment.h"

namespace herald::campaign {
namespace {

std::string NameOf(std::size_t index, std::string_view text) {
  std::string name = std::to_string(index) + "_";
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) && name.size() < 48) name += c;
  }
  return name;
}

struct CanonicalCase {
  const char* text;
  const char* canonical;
};

class CanonicalText : public ::testing::TestWithParam<CanonicalCase> {};

TEST_P(CanonicalText, IsWhatToStringPrintsAndReparsesToTheSameTree) {
  const Result<SegmentExpr> parsed = ParseSegment(GetParam().text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(ToString(*parsed), GetParam().canonical);
  const Result<SegmentExpr> reparsed = ParseSegment(ToString(*parsed));
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
  EXPECT_EQ(*reparsed, *parsed);
}

INSTANTIATE_TEST_SUITE_P(
    Segment, CanonicalText,
    ::testing::Values(
        CanonicalCase{"tag:VIP and (country:de or country:at) and not tag:churned and "
                      "opted_in:Marketing",
                      "tag:vip AND (country:DE OR country:AT) AND NOT tag:churned AND "
                      "opted_in:marketing"},
        CanonicalCase{"NOT (tag:a OR tag:b)", "NOT (tag:a OR tag:b)"},
        CanonicalCase{"not(tag:a and tag:b)", "NOT (tag:a AND tag:b)"},
        CanonicalCase{"tag:a OR (tag:b AND tag:c)", "tag:a OR tag:b AND tag:c"},
        CanonicalCase{"(tag:a OR tag:b) AND tag:c", "(tag:a OR tag:b) AND tag:c"},
        CanonicalCase{"((tag:a OR tag:b)) OR (tag:c)", "tag:a OR tag:b OR tag:c"},
        CanonicalCase{"NOT NOT opted_out", "NOT NOT opted_out"},
        CanonicalCase{"attr.Note=\"a \\\"q\\\" \\\\ b\"", "attr.note = \"a \\\"q\\\" \\\\ b\""},
        CanonicalCase{"attr.orders >= 2.50", "attr.orders >= 2.5"},
        CanonicalCase{"attr.orders < 1e21", "attr.orders < 1e+21"},
        CanonicalCase{"attr.orders != -0.001", "attr.orders != -0.001"},
        CanonicalCase{"last_inbound<7D", "last_inbound < 7d"},
        CanonicalCase{"last_inbound > 0090m", "last_inbound > 90m"},
        CanonicalCase{"language:pt-BR", "lang:pt_br"},
        CanonicalCase{"opted_in:UTILITY", "opted_in:utility"}),
    [](const auto& info) { return NameOf(info.index, info.param.text); });

testing::Vocabulary AwkwardVocabulary() {
  return testing::Vocabulary{.tags = {"vip", "a.b-c_d", "caf\xC3\xA9", "x", "2024", "-", "."},
                             .countries = {"DE", "AT", "GB", "XK"},
                             .languages = {"de", "pt_br", "zh_hant_tw"},
                             .plans = {"gold", "", "say \"hi\"", "back\\slash", "new\nline",
                                       "tab\t", "\xF0\x9F\x98\x80", "AND", ")"},
                             .orders = {0.0, -2.5, 3.0, 1e21, 1e-7, 0.1, 123456789.125, -0.0}};
}

TEST(SegmentRoundTrip, ToStringReparsesToTheSameTreeForRandomTrees) {
  std::mt19937_64 random(20261124);
  const testing::Vocabulary vocabulary = AwkwardVocabulary();
  for (int i = 0; i < 3000; ++i) {
    const SegmentExpr expr = testing::RandomSegment(random, vocabulary, 4);
    const std::string text = ToString(expr);
    const Result<SegmentExpr> parsed = ParseSegment(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
    ASSERT_EQ(*parsed, expr) << text << " re-printed as " << ToString(*parsed);
  }
}

// Prints a tree the way a person might: random case, spacing and redundant parentheses.
class Scrambler {
 public:
  explicit Scrambler(std::mt19937_64& random) : random_(random) {}

  std::string Print(const SegmentExpr& expr) {
    using Kind = SegmentExpr::Kind;
    switch (expr.kind) {
      case Kind::kTerm:
        return MaybeParenthesised(Term(ToString(expr)));
      case Kind::kNot:
        return Case("not") + Space(1) +
               Child(expr.children[0],
                     expr.children[0].kind != Kind::kTerm && expr.children[0].kind != Kind::kNot);
      case Kind::kAnd:
      case Kind::kOr: {
        std::string out;
        for (std::size_t i = 0; i < expr.children.size(); ++i) {
          if (i > 0) out += Space(1) + Case(expr.kind == Kind::kAnd ? "and" : "or") + Space(1);
          const bool needs = expr.kind == Kind::kAnd && expr.children[i].kind == Kind::kOr;
          out += Child(expr.children[i], needs);
        }
        return MaybeParenthesised(out);
      }
    }
    return {};
  }

 private:
  std::string Child(const SegmentExpr& child, bool needs_parentheses) {
    const std::string text = Print(child);
    return needs_parentheses ? "(" + Space(0) + text + Space(0) + ")" : text;
  }
  std::string MaybeParenthesised(const std::string& text) {
    return Chance(5) ? "(" + Space(0) + text + Space(0) + ")" : text;
  }
  // Re-cases a canonical term outside its quoted string, and varies the space around operators.
  std::string Term(const std::string& canonical) {
    std::string out;
    bool quoted = false;
    for (std::size_t i = 0; i < canonical.size(); ++i) {
      const char c = canonical[i];
      if (c == '"' && (i == 0 || canonical[i - 1] != '\\')) quoted = !quoted;
      if (quoted || c == '"') {
        out += c;
      } else if (c == ' ') {
        out += Space(0);
      } else {
        out += Chance(2) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      }
    }
    return out;
  }
  std::string Case(const char* keyword) { return Term(keyword); }
  std::string Space(int minimum) {
    static const char* kSpaces[] = {"", " ", "  ", "\t", "\n", " \r\n "};
    const int choice = std::uniform_int_distribution<int>(minimum, 5)(random_);
    return kSpaces[choice];
  }
  bool Chance(int one_in) { return std::uniform_int_distribution<int>(1, one_in)(random_) == 1; }

  std::mt19937_64& random_;
};

TEST(SegmentRoundTrip, RandomSpellingsOfATreeParseToThatTree) {
  std::mt19937_64 random(7);
  const testing::Vocabulary vocabulary = AwkwardVocabulary();
  Scrambler scrambler(random);
  for (int i = 0; i < 3000; ++i) {
    const SegmentExpr expr = testing::RandomSegment(random, vocabulary, 4);
    const std::string text = scrambler.Print(expr);
    const Result<SegmentExpr> parsed = ParseSegment(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
    ASSERT_EQ(*parsed, expr) << text << "\nparsed as " << ToString(*parsed) << "\nexpected "
                             << ToString(expr);
  }
}

}  // namespace
}  // namespace herald::campaign
