// The [compliance] table: every key read into ComplianceConfig, and the tables whose keys are data
// (countries, languages) merged over their defaults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace herald::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::Pair;

ComplianceConfig ParseCompliance(std::string_view toml) {
  const ConfigResult result = ParseConfig(toml, "herald.toml");
  EXPECT_TRUE(result.ok()) << result.ErrorsToString();
  return result.ok() ? result.config->compliance : ComplianceConfig{};
}

LocalTimeWindow Window(std::chrono::minutes start, std::chrono::minutes end) {
  return LocalTimeWindow{start, end};
}

TEST(ComplianceConfig, DefaultsAreTheDocumentedOnes) {
  const ComplianceConfig defaults;
  EXPECT_EQ(defaults.window_margin, 10min);
  EXPECT_EQ(defaults.default_template_language, "en");
  EXPECT_EQ(defaults.frequency_cap.max_marketing, 2u);
  EXPECT_EQ(defaults.frequency_cap.period, 24h * 7);
  EXPECT_EQ(defaults.quiet_hours.default_window, Window(8h, 21h));
  EXPECT_THAT(defaults.quiet_hours.purposes, ElementsAre("marketing"));
  EXPECT_THAT(defaults.quiet_hours.countries, ElementsAre(Pair("US", Window(8h, 21h))));
  EXPECT_THAT(defaults.stop_keywords.at("en"),
              ElementsAre("STOP", "STOP ALL", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
                          "REVOKE", "OPT OUT", "OPTOUT"));
  EXPECT_THAT(defaults.stop_keywords.at("zh"), ElementsAre("退订", "取消订阅", "TD"));
  EXPECT_EQ(defaults.word_filter.max_matcher_memory_bytes, 256u << 20);
}

TEST(ComplianceConfig, ReadsEveryKey) {
  const ComplianceConfig config = ParseCompliance(R"(
[compliance]
window_margin = "0s"
default_template_language = "pt_BR"

[compliance.frequency_cap]
max_marketing = 0
period = "30d"

[compliance.quiet_hours]
default = "09:30-20:00"
purposes = ["utility", "marketing"]

[compliance.word_filter]
max_matcher_memory = "8MiB"
)");
  EXPECT_EQ(config.window_margin, 0ms);
  EXPECT_EQ(config.default_template_language, "pt_BR");
  EXPECT_EQ(config.frequency_cap.max_marketing, 0u) << "0 turns the cap off";
  EXPECT_EQ(config.frequency_cap.period, 24h * 30);
  EXPECT_EQ(config.quiet_hours.default_window, Window(9h + 30min, 20h));
  EXPECT_THAT(config.quiet_hours.purposes, ElementsAre("utility", "marketing"));
  EXPECT_EQ(config.word_filter.max_matcher_memory_bytes, 8u << 20);
}

TEST(ComplianceConfig, WindowMarginJustUnderADayIsAccepted) {
  EXPECT_EQ(ParseCompliance("[compliance]\nwindow_margin = \"23h\"").window_margin, 23h);
  EXPECT_EQ(ParseCompliance("[compliance]\nwindow_margin = \"86399999ms\"").window_margin,
            24h - 1ms);
}

TEST(ComplianceConfig, AWindowMayEndAtMidnightAndCoverTheWholeDay) {
  const ComplianceConfig config = ParseCompliance(
      "[compliance.quiet_hours]\ndefault = \"00:00-24:00\"\n"
      "[compliance.quiet_hours.countries]\nFR = \"23:59-24:00\"\n");
  EXPECT_EQ(config.quiet_hours.default_window, Window(0min, 24h));
  EXPECT_EQ(config.quiet_hours.countries.at("FR"), Window(23h + 59min, 24h));
}

TEST(ComplianceConfig, CountriesAreMergedOverTheDefaults) {
  const ComplianceConfig config = ParseCompliance(R"(
[compliance.quiet_hours.countries]
DE = "08:00-20:00"
US = "08:00-20:30"
)");
  EXPECT_THAT(config.quiet_hours.countries,
              ElementsAre(Pair("DE", Window(8h, 20h)), Pair("US", Window(8h, 20h + 30min))));
}

TEST(ComplianceConfig, StopKeywordsAreMergedOverTheDefaultsAndAnEmptyArrayRemovesALanguage) {
  const ComplianceConfig config = ParseCompliance(R"(
[compliance.stop_keywords]
fr = ["ARRET", "STOP", "DESINSCRIRE"]
it = ["STOP", "ANNULLA ISCRIZIONE"]
zh = []
)");
  std::vector<std::string> languages;
  for (const auto& [language, keywords] : config.stop_keywords) languages.push_back(language);
  EXPECT_THAT(languages, ElementsAre("de", "en", "es", "fr", "it", "nl", "pt"));
  EXPECT_THAT(config.stop_keywords.at("fr"), ElementsAre("ARRET", "STOP", "DESINSCRIRE"));
  EXPECT_THAT(config.stop_keywords.at("it"), ElementsAre("STOP", "ANNULLA ISCRIZIONE"))
      << "a keyword may have several words";
  EXPECT_EQ(config.stop_keywords.at("en"), ComplianceConfig{}.stop_keywords.at("en"));
}

TEST(ComplianceConfig, StopKeywordsOfSixtyFourBytesAreAccepted) {
  const std::string keyword(64, 'A');
  const ComplianceConfig config =
      ParseCompliance("[compliance.stop_keywords]\nen = [\"" + keyword + "\"]\n");
  EXPECT_THAT(config.stop_keywords.at("en"), ElementsAre(keyword));
}

TEST(ComplianceConfig, InlineTablesAreReadLikeTables) {
  const ComplianceConfig config =
      ParseCompliance("compliance = { quiet_hours = { countries = { BR = \"09:00-20:00\" } } }\n");
  EXPECT_EQ(config.quiet_hours.countries.at("BR"), Window(9h, 20h));
}

TEST(ComplianceConfig, EveryBadEntryIsReportedWithItsFullKey) {
  const ConfigResult result = ParseConfig(R"(
[compliance.quiet_hours.countries]
de = "08:00-20:00"
AT = "20:00-08:00"
[compliance.stop_keywords]
en = [""]
)",
                                          "herald.toml");
  std::vector<std::string> keys;
  for (const ConfigError& error : result.errors) keys.push_back(error.key);
  EXPECT_THAT(keys,
              ElementsAre("compliance.quiet_hours.countries.de",
                          "compliance.quiet_hours.countries.AT", "compliance.stop_keywords.en"));
  EXPECT_FALSE(result.config.has_value());
}

}  // namespace
}  // namespace herald::config
