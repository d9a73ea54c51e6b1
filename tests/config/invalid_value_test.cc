// Each kind of invalid value is one error naming the key, the line and what a valid value is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace herald::config {
namespace {

using ::testing::HasSubstr;

struct InvalidValueCase {
  const char* name;
  const char* toml;
  const char* key;
  int line;
  const char* message;  // expected somewhere in the message
};

// Test names show the case's name rather than its bytes.
void PrintTo(const InvalidValueCase& c, std::ostream* out) { *out << c.name; }

class InvalidValue : public ::testing::TestWithParam<InvalidValueCase> {};

TEST_P(InvalidValue, IsOneErrorNamingKeyLineAndReason) {
  const InvalidValueCase& c = GetParam();
  const ConfigResult result = ParseConfig(c.toml, "herald.toml");
  ASSERT_EQ(result.errors.size(), 1u) << result.ErrorsToString();
  const ConfigError& error = result.errors[0];
  EXPECT_EQ(error.file, "herald.toml");
  EXPECT_EQ(error.key, c.key);
  EXPECT_EQ(error.line, c.line);
  EXPECT_GT(error.column, 0);
  EXPECT_THAT(error.message, HasSubstr(c.message));
  EXPECT_FALSE(result.config.has_value());
}

const InvalidValueCase kInvalidValues[] = {
    // server.listen
    {"ListenWithoutPort", "[server]\nlisten = \"127.0.0.1\"", "server.listen", 2,
     "expected host:port, e.g. \"127.0.0.1:8420\" or \"[::1]:8420\""},
    {"ListenHostName", "[server]\nlisten = \"example.com:80\"", "server.listen", 2,
     "invalid host \"example.com\""},
    {"ListenEmptyHost", "[server]\nlisten = \":80\"", "server.listen", 2, "missing host"},
    {"ListenPortTooLarge", "[server]\nlisten = \"127.0.0.1:70000\"", "server.listen", 2,
     "invalid port \"70000\"; expected a number from 0 to 65535"},
    {"ListenPortNotANumber", "[server]\nlisten = \"127.0.0.1:http\"", "server.listen", 2,
     "invalid port \"http\""},
    {"ListenEmptyPort", "[server]\nlisten = \"[::1]:\"", "server.listen", 2, "invalid port \"\""},
    {"ListenIpv6WithoutBrackets", "[server]\nlisten = \"::1:8420\"", "server.listen", 2,
     "IPv6 addresses must be in brackets"},
    {"ListenBadIpv6", "[server]\nlisten = \"[::g]:80\"", "server.listen", 2,
     "invalid IPv6 address \"::g\""},
    {"ListenBadIpv4", "[server]\nlisten = \"127.0.0.256:80\"", "server.listen", 2,
     "invalid host \"127.0.0.256\""},
    {"ListenNotAString", "[server]\nlisten = true", "server.listen", 2,
     "expected a string like \"127.0.0.1:8420\", got boolean"},
    // contacts.default_region and server.max_import_size
    {"DefaultRegionNotAlpha2", "[contacts]\ndefault_region = \"Germany\"",
     "contacts.default_region", 2, "expected an ISO 3166 alpha-2 region"},
    {"DefaultRegionDigits", "[contacts]\ndefault_region = \"49\"", "contacts.default_region", 2,
     "expected an ISO 3166 alpha-2 region"},
    {"MaxImportSizeTooLarge", "[server]\nmax_import_size = \"17GiB\"", "server.max_import_size", 2,
     "GiB"},
    // durations
    {"DurationUnknownUnit", "[server]\nheader_timeout = \"10x\"", "server.header_timeout", 2,
     "unknown unit \"x\"); expected an integer and a unit (ms, s, m, h or d), e.g. \"250ms\""},
    {"DurationWithoutUnit", "[server]\nread_timeout = \"10\"", "server.read_timeout", 2,
     "it has no unit"},
    {"DurationFraction", "[daemon]\nshutdown_grace = \"1.5s\"", "daemon.shutdown_grace", 2,
     "whole number"},
    {"DurationNegative", "[server]\nidle_timeout = \"-1s\"", "server.idle_timeout", 2,
     "it is negative"},
    {"DurationAsInteger", "[server]\nread_timeout = 30", "server.read_timeout", 2,
     "expected a string like \"30s\", got integer"},
    {"DurationBelowRange", "[server]\nidle_timeout = \"50ms\"", "server.idle_timeout", 2,
     "out of range: must be between 100ms and 1h, got \"50ms\""},
    {"DurationAboveRange", "[server]\nheader_timeout = \"2h\"", "server.header_timeout", 2,
     "must be between 100ms and 1h, got \"2h\""},
    {"BusyTimeoutAboveRange", "[storage]\nbusy_timeout = \"11m\"", "storage.busy_timeout", 2,
     "must be between 0s and 10m, got \"11m\""},
    {"ShutdownGraceAboveRange", "[daemon]\nshutdown_grace = \"1d\"", "daemon.shutdown_grace", 2,
     "must be between 100ms and 10m"},
    // counts
    {"MaxConnectionsZero", "[server]\nmax_connections = 0", "server.max_connections", 2,
     "must be between 1 and 100000, got 0"},
    {"MaxConnectionsAsString", "[server]\nmax_connections = \"512\"", "server.max_connections", 2,
     "expected an integer like 512, got string"},
    {"MaxBatchAboveRange", "[storage]\nmax_batch = 100001", "storage.max_batch", 2,
     "must be between 1 and 100000, got 100001"},
    {"MaxBatchAsFloat", "[storage]\nmax_batch = 10.0", "storage.max_batch", 2,
     "expected an integer like 1000, got float"},
    // sizes
    {"SizeUnknownUnit", "[server]\nmax_body_size = \"1TB\"", "server.max_body_size", 2,
     "unknown unit \"TB\""},
    {"SizeAboveRange", "[server]\nmax_body_size = \"2GiB\"", "server.max_body_size", 2,
     "must be between 1KiB and 1GiB, got \"2GiB\""},
    {"SizeBelowRange", "[server]\nmax_body_size = 512", "server.max_body_size", 2,
     "must be between 1KiB and 1GiB, got 512"},
    {"SizeNegative", "[server]\nmax_body_size = -1", "server.max_body_size", 2, "got -1"},
    {"SizeAsFloat", "[server]\nmax_body_size = 1.5", "server.max_body_size", 2,
     "expected a size like \"1MiB\" or an integer number of bytes, got float"},
    {"CacheSizeBelowRange", "[storage]\ncache_size = \"512KiB\"", "storage.cache_size", 2,
     "must be between 1MiB and 4GiB, got \"512KiB\""},
    // enums
    {"LogLevelUnknown", "[log]\nlevel = \"verbose\"", "log.level", 2,
     "unknown value \"verbose\"; expected one of trace, debug, info, warn, error, critical, off"},
    {"LogLevelMisspelt", "[log]\nlevel = \"debg\"", "log.level", 2, "did you mean \"debug\"?"},
    {"LogLevelAsInteger", "[log]\nlevel = 3", "log.level", 2,
     "expected a string like \"info\", got integer"},
    {"LogFormatUnknown", "[log]\nformat = \"json\"", "log.format", 2,
     "expected one of auto, text, journal"},
    // paths
    {"RelativeAdminTokenFile", "[server]\nadmin_token_file = \"admin.token\"",
     "server.admin_token_file", 2, "must be an absolute path, got \"admin.token\""},
    {"EmptyStoragePath", "[storage]\npath = \"\"", "storage.path", 2, "must not be empty"},
    {"StoragePathIsADirectory", "[storage]\npath = \"/\"", "storage.path", 2,
     "\"/\" is a directory"},
    // compliance
    {"WindowMarginADay", "[compliance]\nwindow_margin = \"24h\"", "compliance.window_margin", 2,
     "must be less than 24h (the length of the service window), got \"24h\""},
    {"WindowMarginMoreThanADay", "[compliance]\nwindow_margin = \"2d\"", "compliance.window_margin",
     2, "must be less than 24h"},
    {"WindowMarginWithoutUnit", "[compliance]\nwindow_margin = \"10\"", "compliance.window_margin",
     2, "it has no unit"},
    {"WindowMarginAsInteger", "[compliance]\nwindow_margin = 600", "compliance.window_margin", 2,
     "expected a string like \"10m\", got integer"},
    {"TemplateLanguageAName", "[compliance]\ndefault_template_language = \"english\"",
     "compliance.default_template_language", 2, "expected a language code like \"en\""},
    {"TemplateLanguageUpperCase", "[compliance]\ndefault_template_language = \"EN\"",
     "compliance.default_template_language", 2, "got \"EN\""},
    {"TemplateLanguageWithHyphen", "[compliance]\ndefault_template_language = \"en-US\"",
     "compliance.default_template_language", 2, "optional \"_\" and upper-case region"},
    {"MaxMarketingNegative", "[compliance.frequency_cap]\nmax_marketing = -1",
     "compliance.frequency_cap.max_marketing", 2, "must be between 0 and 1000, got -1"},
    {"MaxMarketingAsString", "[compliance.frequency_cap]\nmax_marketing = \"2\"",
     "compliance.frequency_cap.max_marketing", 2, "expected an integer like 2, got string"},
    {"FrequencyCapPeriodTooShort", "[compliance.frequency_cap]\nperiod = \"30m\"",
     "compliance.frequency_cap.period", 2, "must be between 1h and 90d, got \"30m\""},
    {"QuietHoursSingleDigitHour", "[compliance.quiet_hours]\ndefault = \"8:00-21:00\"",
     "compliance.quiet_hours.default", 2,
     "invalid time window \"8:00-21:00\" (not HH:MM-HH:MM); expected \"HH:MM-HH:MM\" on a "
     "24-hour clock, e.g. \"08:00-21:00\""},
    {"QuietHoursWrapPastMidnight", "[compliance.quiet_hours]\ndefault = \"21:00-08:00\"",
     "compliance.quiet_hours.default", 2, "the start must be before the end"},
    {"QuietHoursEmptyWindow", "[compliance.quiet_hours]\ndefault = \"08:00-08:00\"",
     "compliance.quiet_hours.default", 2, "the start must be before the end"},
    {"QuietHoursPastMidnight", "[compliance.quiet_hours]\ndefault = \"08:00-24:30\"",
     "compliance.quiet_hours.default", 2, "hours run from 00 to 24, minutes from 00 to 59"},
    {"QuietHoursMinute60", "[compliance.quiet_hours]\ndefault = \"08:60-21:00\"",
     "compliance.quiet_hours.default", 2, "minutes from 00 to 59"},
    {"QuietHoursStartAt24", "[compliance.quiet_hours]\ndefault = \"24:00-24:00\"",
     "compliance.quiet_hours.default", 2, "cannot start at 24:00"},
    {"QuietHoursAsArray", "[compliance.quiet_hours]\ndefault = [\"08:00\", \"21:00\"]",
     "compliance.quiet_hours.default", 2, "expected a string like \"08:00-21:00\", got array"},
    {"PurposesAString", "[compliance.quiet_hours]\npurposes = \"marketing\"",
     "compliance.quiet_hours.purposes", 2,
     "expected an array of strings like [\"marketing\"], got string"},
    {"PurposeMisspelt", "[compliance.quiet_hours]\npurposes = [\"marketting\"]",
     "compliance.quiet_hours.purposes", 2,
     "unknown purpose \"marketting\"; expected marketing or utility; did you mean \"marketing\"?"},
    {"PurposeService", "[compliance.quiet_hours]\npurposes = [\"service\"]",
     "compliance.quiet_hours.purposes", 2, "unknown purpose \"service\""},
    {"PurposeTwice", "[compliance.quiet_hours]\npurposes = [\"utility\", \"utility\"]",
     "compliance.quiet_hours.purposes", 2, "purpose \"utility\" is listed twice"},
    {"PurposeNotAString", "[compliance.quiet_hours]\npurposes = [\"marketing\", 1]",
     "compliance.quiet_hours.purposes", 2, "expected a string, got integer"},
    {"CountryLowerCase", "[compliance.quiet_hours.countries]\nus = \"08:00-20:00\"",
     "compliance.quiet_hours.countries.us", 2,
     "expected an ISO 3166 alpha-2 country code in upper case, like \"US\" or \"DE\", as the "
     "key, got \"us\""},
    {"CountryThreeLetters", "[compliance.quiet_hours.countries]\nUSA = \"08:00-20:00\"",
     "compliance.quiet_hours.countries.USA", 2, "alpha-2"},
    {"CountryBadWindow", "[compliance.quiet_hours.countries]\nXX = \"8-20\"",
     "compliance.quiet_hours.countries.XX", 2, "invalid time window \"8-20\""},
    {"CountryWindowAsInteger", "[compliance.quiet_hours.countries]\nDE = 8",
     "compliance.quiet_hours.countries.DE", 2, "expected a string like \"08:00-21:00\""},
    {"CountriesNotATable", "[compliance.quiet_hours]\ncountries = \"US\"",
     "compliance.quiet_hours.countries", 2, "expected a table, got string"},
    {"StopKeywordsAString", "[compliance.stop_keywords]\nen = \"STOP\"",
     "compliance.stop_keywords.en", 2, "expected an array of strings like [\"STOP\", "},
    {"StopKeywordEmpty", "[compliance.stop_keywords]\nen = [\"STOP\", \"\"]",
     "compliance.stop_keywords.en", 2, "a keyword is empty"},
    {"StopKeywordTwice", "[compliance.stop_keywords]\nde = [\"STOPP\", \"STOPP\"]",
     "compliance.stop_keywords.de", 2, "keyword \"STOPP\" is listed twice"},
    {"StopKeywordPadded", "[compliance.stop_keywords]\nen = [\"STOP \"]",
     "compliance.stop_keywords.en", 2, "starts or ends with whitespace"},
    {"StopKeywordTooLong",
     "[compliance.stop_keywords]\nen = "
     "[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]",
     "compliance.stop_keywords.en", 2, "is longer than 64 bytes"},
    {"StopKeywordNotAString", "[compliance.stop_keywords]\nen = [true]",
     "compliance.stop_keywords.en", 2, "expected a string, got boolean"},
    {"StopKeywordLanguageName", "[compliance.stop_keywords]\nEnglish = [\"STOP\"]",
     "compliance.stop_keywords.English", 2, "as the key, got \"English\""},
    {"MatcherMemoryTooSmall", "[compliance.word_filter]\nmax_matcher_memory = \"4MiB\"",
     "compliance.word_filter.max_matcher_memory", 2,
     "must be between 8MiB and 16GiB, got \"4MiB\""},
    {"MatcherMemoryUnknownUnit", "[compliance.word_filter]\nmax_matcher_memory = \"1TiB\"",
     "compliance.word_filter.max_matcher_memory", 2, "unknown unit \"TiB\""},
    {"ComplianceKeyMisspelt", "[compliance]\nwindow_margn = \"5m\"", "compliance.window_margn", 2,
     "unknown key; did you mean \"window_margin\"?"},
    {"ComplianceTableMisspelt", "[compliance.quiet_hour]\ndefault = \"08:00-20:00\"",
     "compliance.quiet_hour", 1, "unknown table; did you mean \"quiet_hours\"?"},
    {"NestedTableKeyMisspelt", "[compliance.frequency_cap]\nmax_marketting = 3",
     "compliance.frequency_cap.max_marketting", 2, "did you mean \"max_marketing\"?"},
    // tables
    {"TableIsAnInteger", "server = 5", "server", 1, "expected a table, got integer"},
    {"TableIsAnArrayOfTables", "\n[[log]]\nlevel = \"info\"", "log", 2,
     "expected a table, got array"},
};

INSTANTIATE_TEST_SUITE_P(ParseConfig, InvalidValue, ::testing::ValuesIn(kInvalidValues),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace herald::config
