// The name rules (common/names.h), with the names a robustness probe got stored (issue 15).
#include "common/names.h"

#include <gtest/gtest.h>

#include <string>

namespace herald::names {
namespace {

TEST(Names, TagsAreAsciiWordsOfAtMost64Characters) {
  for (const char* good : {"vip", "event-2026", "a.b_c", "X"}) EXPECT_TRUE(CheckTag(good).ok());
  for (const std::string& bad :
       {std::string(""), std::string("semi;colon"), std::string("New\nLine"),
        std::string("new\0x", 5), std::string(65, 'a'), std::string("k\xC3\xB6ln")}) {
    const Status status = CheckTag(bad, "add");
    ASSERT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.error().field, "add");
    EXPECT_NE(status.error().message.find(std::string(kTagRule)), std::string::npos);
  }
}

TEST(Names, AnErrorShowsAtMost64BytesOfTheNameWithControlCharactersEscaped) {
  const Status long_name = CheckTag(std::string(100'000, 'x') + ";");
  ASSERT_FALSE(long_name.ok());
  EXPECT_LT(long_name.error().message.size(), 300u);
  EXPECT_NE(long_name.error().message.find("(100001 bytes)"), std::string::npos);
  const Status control = CheckTag(std::string("a\nb\0c", 5));
  EXPECT_NE(control.error().message.find("\"a\\x0ab\\x00c\""), std::string::npos)
      << control.error().message;
}

TEST(Names, SegmentsAreTextWithoutControlsSlashesOrEdgeSpaces) {
  for (const char* good : {"vip dach", "Gold DE", "K\xC3\xB6ln & Bonn (2026)", "a"}) {
    EXPECT_TRUE(CheckSegment(good).ok()) << good;
  }
  EXPECT_TRUE(CheckSegment(std::string(64, 'a')).ok());
  for (const std::string& bad : {std::string(""), std::string("a\0b", 3),
                                 std::string("a\xFF"
                                             "b"),
                                 std::string("../../etc"), std::string("a\\b"),
                                 std::string(" lead"), std::string("trail "), std::string(65, 'a'),
                                 std::string("a\xC2\x85"
                                             "b") /* NEL, a C1 control */,
                                 std::string("tab\there")}) {
    const Status status = CheckSegment(bad);
    ASSERT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.error().field, "name");
  }
  // 64 characters of two bytes each are fine: the limit counts characters.
  std::string umlauts;
  for (int i = 0; i < 64; ++i) umlauts += "\xC3\xB6";
  EXPECT_TRUE(CheckSegment(umlauts).ok());
}

TEST(Names, WordListsTemplatesAndLanguages) {
  EXPECT_TRUE(CheckWordList("promo-fr").ok());
  EXPECT_FALSE(CheckWordList("-x").ok());
  EXPECT_FALSE(CheckWordList("my list").ok());
  EXPECT_TRUE(CheckTemplate("order_update").ok());
  EXPECT_FALSE(CheckTemplate("..%2f..%2fetc").ok());
  EXPECT_FALSE(CheckTemplate("../../etc").ok());
  EXPECT_FALSE(CheckTemplate("Promo").ok());
  EXPECT_TRUE(CheckLanguage("pt_BR").ok());
  EXPECT_TRUE(CheckLanguage("es-419").ok());
  for (const char* bad : {"zz_ZZZZZZZ", "../de", "german", ""}) {
    const Status status = CheckLanguage(bad);
    ASSERT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.error().field, "language");
  }
}

}  // namespace
}  // namespace herald::names
