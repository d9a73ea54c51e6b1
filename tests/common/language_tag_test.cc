// LanguageTag (common/language_tag.h): what parses, the spellings, the equivalences and the
// fallback chain.
#include "common/language_tag.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace herald {
namespace {

struct SpellingCase {
  std::string text;
  std::string canonical;
  std::string bcp47;
  std::string key;
};

void PrintTo(const SpellingCase& c, std::ostream* out) { *out << c.text; }

class LanguageTagSpelling : public ::testing::TestWithParam<SpellingCase> {};

TEST_P(LanguageTagSpelling, ParsesIntoTheCanonicalBcp47AndKeySpellings) {
  const SpellingCase& c = GetParam();
  Result<LanguageTag> tag = LanguageTag::Parse(c.text);
  ASSERT_TRUE(tag.ok()) << tag.error().message;
  EXPECT_EQ(tag->canonical(), c.canonical);
  EXPECT_EQ(tag->Bcp47(), c.bcp47);
  EXPECT_EQ(tag->Key(), c.key);
  EXPECT_EQ(LanguageKey(c.text), c.key) << "the key of any spelling is the tag's key";
}

INSTANTIATE_TEST_SUITE_P(
    Tags, LanguageTagSpelling,
    ::testing::Values(SpellingCase{"de", "de", "de", "de"}, SpellingCase{"DE", "de", "de", "de"},
                      SpellingCase{"pt-BR", "pt_BR", "pt-BR", "pt_br"},
                      SpellingCase{"pt_BR", "pt_BR", "pt-BR", "pt_br"},
                      SpellingCase{"PT_br", "pt_BR", "pt-BR", "pt_br"},
                      SpellingCase{"en_us", "en_US", "en-US", "en_us"},
                      SpellingCase{"fil", "fil", "fil", "fil"},
                      SpellingCase{"es-419", "es_419", "es-419", "es_419"},
                      SpellingCase{"zh-hant-tw", "zh_Hant_TW", "zh-Hant-TW", "zh_hant_tw"},
                      SpellingCase{"sr_LATN", "sr_Latn", "sr-Latn", "sr_latn"}),
    [](const auto& info) {
      std::string name;
      for (char c : info.param.text) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name + "_" + std::to_string(info.index);
    });

TEST(LanguageTag, SpellingsOfOneLanguageAreEqual) {
  const LanguageTag a = *LanguageTag::Parse("pt-BR");
  EXPECT_EQ(a, *LanguageTag::Parse("pt_BR"));
  EXPECT_EQ(a, *LanguageTag::Parse("PT_br"));
  EXPECT_NE(a, *LanguageTag::Parse("pt"));
  EXPECT_NE(a, *LanguageTag::Parse("pt_PT"));
  EXPECT_EQ(a.Base(), *LanguageTag::Parse("pt"));
  EXPECT_EQ(a.language(), "pt");
  EXPECT_EQ(a.region(), "BR");
  EXPECT_EQ(a.script(), "");
}

TEST(LanguageTag, FallsBackOneSubtagAtATime) {
  std::vector<std::string> chain;
  for (std::optional<LanguageTag> tag = *LanguageTag::Parse("zh-hant-tw"); tag;
       tag = tag->Parent()) {
    chain.push_back(tag->canonical());
  }
  EXPECT_EQ(chain, (std::vector<std::string>{"zh_Hant_TW", "zh_Hant", "zh"}));
  EXPECT_EQ(LanguageTag::Parse("de_AT")->Parent(), *LanguageTag::Parse("de"));
  EXPECT_EQ(LanguageTag::Parse("de")->Parent(), std::nullopt);
  EXPECT_EQ(LanguageTag::Parse("zh_Hant_TW")->script(), "Hant");
  EXPECT_EQ(LanguageTag::Parse("zh_Hant_TW")->Base().canonical(), "zh");
}

struct JunkCase {
  std::string text;
  std::string problem;  // part of the message
};

void PrintTo(const JunkCase& c, std::ostream* out) { *out << c.text; }

class LanguageTagJunk : public ::testing::TestWithParam<JunkCase> {};

TEST_P(LanguageTagJunk, IsRefusedWithAClearError) {
  Result<LanguageTag> tag = LanguageTag::Parse(GetParam().text);
  ASSERT_FALSE(tag.ok()) << tag->canonical();
  EXPECT_EQ(tag.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(tag.error().message.find(GetParam().problem), std::string::npos) << tag.error().message;
  EXPECT_NE(tag.error().message.find("expected a language code like de"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, LanguageTagJunk,
    ::testing::Values(
        JunkCase{"", "is empty"},
        JunkCase{"zz_ZZZZZZZ", "\"ZZZZZZZ\" is neither a script (4 letters) nor a region"},
        JunkCase{"../de", "the language \"../de\" must be 2 or 3 letters"},
        JunkCase{"german", "must be 2 or 3 letters"}, JunkCase{"d", "must be 2 or 3 letters"},
        JunkCase{"de_", "empty subtag"}, JunkCase{"de__AT", "empty subtag"},
        JunkCase{"-de", "empty subtag"}, JunkCase{"de_AT_Latn", "nothing may follow the region"},
        JunkCase{"zh_Hant_Latn", "\"Latn\" is not a region"}, JunkCase{"de_1996", "neither"},
        JunkCase{"zh-yue", "neither"}, JunkCase{"de AT", "must be 2 or 3 letters"},
        JunkCase{"d\xC3\xA9", "must be 2 or 3 letters"}, JunkCase{"de_A1", "neither"}),
    [](const auto& info) { return "Case" + std::to_string(info.index); });

TEST(LanguageKey, FoldsAnyTextTheWayTagsCompare) {
  EXPECT_EQ(LanguageKey("German-Swiss"), "german_swiss");
  EXPECT_EQ(LanguageKey(""), "");
  EXPECT_EQ(BaseLanguageKey("pt_br"), "pt");
  EXPECT_EQ(BaseLanguageKey("zh_hant_tw"), "zh");
  EXPECT_EQ(BaseLanguageKey("de"), "de");
}

}  // namespace
}  // namespace herald
