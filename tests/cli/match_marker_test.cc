#include "cli/detail/match_marker.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace herald::cli::detail {
namespace {

struct MarkCase {
  std::string name;
  std::string text;
  std::size_t begin;
  std::size_t end;
  std::size_t context_columns;
  int line_number;
  std::string line;
  std::string marker;
};

void PrintTo(const MarkCase& c, std::ostream* out) { *out << c.name; }

class MarkMatchTest : public ::testing::TestWithParam<MarkCase> {};

TEST_P(MarkMatchTest, ShowsTheLineAndCaretsUnderTheMatchedColumns) {
  const MarkCase& c = GetParam();
  std::optional<MarkedMatch> marked = MarkMatch(c.text, c.begin, c.end, c.context_columns);

  ASSERT_TRUE(marked.has_value());
  EXPECT_EQ(marked->line_number, c.line_number);
  EXPECT_EQ(marked->line, c.line);
  EXPECT_EQ(marked->marker, c.marker);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MarkMatchTest,
    ::testing::Values(
        MarkCase{"Ascii", "Jetzt kostenlos testen!", 6, 15, 30, 1, "Jetzt kostenlos testen!",
                 "      ^^^^^^^^^"},
        // "Grüße, " is 9 bytes but 7 columns.
        MarkCase{"TwoByteCharactersBefore", "Grüße, gratis!", 9, 15, 30, 1, "Grüße, gratis!",
                 "       ^^^^^^"},
        // An emoji is 4 bytes and 2 columns.
        MarkCase{"WideEmojiBefore", "\xF0\x9F\x8E\x89 gratis", 5, 11, 30, 1,
                 "\xF0\x9F\x8E\x89 gratis", "   ^^^^^^"},
        // Two CJK characters: 6 bytes, 4 columns, all matched.
        MarkCase{"WideCharactersMatched", "\xE5\x85\x8D\xE8\xB4\xB9 now", 0, 6, 30, 1,
                 "\xE5\x85\x8D\xE8\xB4\xB9 now", "^^^^"},
        MarkCase{"SecondLine", "Hallo\nJetzt kostenlos\nTschuess", 12, 21, 30, 2, "Jetzt kostenlos",
                 "      ^^^^^^^^^"},
        MarkCase{"MatchRunningIntoTheNextLineIsMarkedToTheLineEnd", "sie haben\ngewonnen", 0, 18,
                 30, 1, "sie haben", "^^^^^^^^^"},
        MarkCase{"TabShownAsOneSpace", "a\tkostenlos", 2, 11, 30, 1, "a kostenlos", "  ^^^^^^^^^"},
        MarkCase{"CarriageReturnOfCrLfShownAsSpace", "kostenlos\r\nzwei", 0, 9, 30, 1, "kostenlos ",
                 "^^^^^^^^^"},
        MarkCase{"InvalidByteShownAsOneReplacementCharacter", "\xFF gratis", 2, 8, 30, 1,
                 "\xEF\xBF\xBD gratis", "  ^^^^^^"},
        // The ellipsis is one column.
        MarkCase{"LongLineClippedAroundTheMatch", "0123456789 kostenlos 0123456789", 11, 20, 5, 1,
                 "\xE2\x80\xA6"
                 "6789 kostenlos 0123\xE2\x80\xA6",
                 "      ^^^^^^^^^"},
        MarkCase{"EmptyMatchAtTheEndGetsOneCaret", "abc", 3, 3, 30, 1, "abc", "   ^"}),
    [](const ::testing::TestParamInfo<MarkCase>& info) { return info.param.name; });

TEST(MarkMatch, RefusesOffsetsOutsideTheText) {
  EXPECT_FALSE(MarkMatch("abc", 2, 1).has_value());
  EXPECT_FALSE(MarkMatch("abc", 1, 4).has_value());
  EXPECT_FALSE(MarkMatch("", 0, 1).has_value());
}

}  // namespace
}  // namespace herald::cli::detail
