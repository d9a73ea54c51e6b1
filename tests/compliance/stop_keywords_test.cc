#include "compliance/stop_keywords.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace herald::compliance {
namespace {

StopKeywordMatcher DefaultMatcher() {
  Result<StopKeywordMatcher> matcher =
      StopKeywordMatcher::Build(DefaultStopKeywords(), DefaultStopCourtesyWords());
  EXPECT_TRUE(matcher.ok()) << matcher.error().ToString();
  return std::move(matcher).value();
}

struct StopCase {
  const char* text;
  const char* keyword;  // nullptr: not a STOP
  const char* language;
};

TEST(StopKeywords, MatchesAKeywordOfAnyLanguageAsTheWholeMessage) {
  const StopCase cases[] = {
      {"STOP", "STOP", "en"},
      {"stop", "STOP", "en"},
      {"  Stop!!  ", "STOP", "en"},
      {"🛑 STOP 🛑", "STOP", "en"},
      {"STOP🙏", "STOP", "en"},
      {"ＳＴＯＰ", "STOP", "en"},    // full-width
      {"S\u200BTOP", "STOP", "en"},  // a zero-width space inside
      {"Stopp", "STOPP", "de"},
      {"ABMELDEN.", "ABMELDEN", "de"},
      {"baja", "BAJA", "es"},
      {"Parar", "PARAR", "es"},  // also Portuguese; Spanish comes first in the config
      {"arrêt", "ARRÊT", "fr"},
      {"ARRET", "ARRÊT", "fr"},  // marks stripped on both sides
      {"退订", "退订", "zh"},
      {"退订。", "退订", "zh"},
      {"Sair", "SAIR", "pt"},
      {"cancelar inscricao", "CANCELAR INSCRIÇÃO", "pt"},  // without the cedilla and tilde
      {"Basta", "BASTA", "it"},
      {"CANCELLAMI!", "CANCELLAMI", "it"},
      {"afmelden", "AFMELDEN", "nl"},
      {"Uitschrijven", "UITSCHRIJVEN", "nl"},
      {"Désinscrire", "DÉSINSCRIRE", "fr"},
      {"Abbestellen", "ABBESTELLEN", "de"},
      {"unsubscribe", "UNSUBSCRIBE", "en"},
      {"Opt-out", nullptr, nullptr},  // "opt-out" is one word, the keyword is two
      {"opt out", "OPT OUT", "en"},
      {"STOP   ALL", "STOP ALL", "en"},
  };
  const StopKeywordMatcher matcher = DefaultMatcher();
  for (const StopCase& test : cases) {
    std::optional<StopKeywordMatch> match = matcher.Match(test.text);
    if (test.keyword == nullptr) {
      EXPECT_FALSE(match.has_value()) << test.text << " matched " << match->keyword;
      continue;
    }
    ASSERT_TRUE(match.has_value()) << test.text;
    EXPECT_EQ(match->keyword, test.keyword) << test.text;
    EXPECT_EQ(match->language, test.language) << test.text;
  }
}

TEST(StopKeywords, AllowsAtMostTwoCourtesyWordsAroundTheKeyword) {
  const StopCase cases[] = {
      {"STOP please", "STOP", "en"},
      {"Please stop.", "STOP", "en"},
      {"stop, thank you!", "STOP", "en"},  // "thank you" is one courtesy phrase
      {"please stop thanks", "STOP", "en"},
      {"Bitte abmelden", "ABMELDEN", "de"},
      {"baja por favor", "BAJA", "es"},
      {"please stop now thanks", nullptr, nullptr},  // three courtesy phrases
      {"don't stop sending", nullptr, nullptr},
      {"stop sending me these", nullptr, nullptr},
      {"please stop it", nullptr, nullptr},
      {"I will stop by tomorrow", nullptr, nullptr},
      {"bus stop", nullptr, nullptr},
      {"stopped", nullptr, nullptr},
      {"nonstop deals", nullptr, nullptr},
      {"", nullptr, nullptr},
      {"!!!", nullptr, nullptr},
  };
  const StopKeywordMatcher matcher = DefaultMatcher();
  for (const StopCase& test : cases) {
    std::optional<StopKeywordMatch> match = matcher.Match(test.text);
    if (test.keyword == nullptr) {
      EXPECT_FALSE(match.has_value()) << test.text << " matched " << match->keyword;
      continue;
    }
    ASSERT_TRUE(match.has_value()) << test.text;
    EXPECT_EQ(match->keyword, test.keyword) << test.text;
  }
}

TEST(StopKeywords, PrefersTheContactsLanguageWhenSeveralListsHaveTheKeyword) {
  const StopKeywordMatcher matcher = DefaultMatcher();
  EXPECT_EQ(matcher.Match("parar")->language, "es");
  EXPECT_EQ(matcher.Match("parar", "pt")->language, "pt");
  EXPECT_EQ(matcher.Match("parar", "de")->language, "es");
  EXPECT_EQ(matcher.Match("parar", "PT")->language, "pt") << "languages compare as LanguageKeys";
}

TEST(StopKeywords, UsesTheConfiguredListsOnly) {
  Result<StopKeywordMatcher> matcher = StopKeywordMatcher::Build({{"sv", {"Avsluta"}}}, {"tack"});
  ASSERT_TRUE(matcher.ok());
  EXPECT_EQ(matcher->Match("avsluta tack")->keyword, "Avsluta");
  EXPECT_FALSE(matcher->Match("STOP").has_value());
  EXPECT_FALSE(StopKeywordMatcher().Match("STOP").has_value());
}

TEST(StopKeywords, RejectsKeywordsWithoutLettersOrDigits) {
  Result<StopKeywordMatcher> matcher = StopKeywordMatcher::Build({{"en", {"STOP", "!!"}}}, {});
  ASSERT_FALSE(matcher.ok());
  EXPECT_EQ(matcher.error().field, "en");
  EXPECT_FALSE(StopKeywordMatcher::Build({{"en", {"STOP"}}}, {" "}).ok());
}

}  // namespace
}  // namespace herald::compliance
