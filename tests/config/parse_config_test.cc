#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace herald::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

ConfigResult Parse(std::string_view toml) { return ParseConfig(toml, "herald.toml"); }

std::vector<std::string> Keys(const ConfigResult& result) {
  std::vector<std::string> keys;
  for (const ConfigError& error : result.errors) keys.push_back(error.key);
  return keys;
}

std::vector<int> Lines(const ConfigResult& result) {
  std::vector<int> lines;
  for (const ConfigError& error : result.errors) lines.push_back(error.line);
  return lines;
}

TEST(ParseConfig, EmptyFileYieldsTheDefaults) {
  const ConfigResult result = Parse("");
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  EXPECT_EQ(*result.config, Config{});
}

TEST(ParseConfig, FullValidFileSetsEveryField) {
  const ConfigResult result = Parse(R"(
[server]
listen = "[::1]:9000"
max_body_size = "10MB"
header_timeout = "250ms"
read_timeout = "2m"
idle_timeout = "1h"
max_connections = 100000
admin_token_file = "/run/secrets/admin.token"

[storage]
path = "/var/lib/herald/herald.db"
busy_timeout = "0s"
max_batch = 1

[daemon]
shutdown_grace = "100ms"

[log]
level = "debug"
format = "journal"
)");
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  const Config& config = *result.config;
  EXPECT_EQ(config.server.listen_host, "::1");
  EXPECT_EQ(config.server.listen_port, 9000);
  EXPECT_EQ(config.server.max_body_bytes, 10'000'000u);
  EXPECT_EQ(config.server.header_timeout, 250ms);
  EXPECT_EQ(config.server.read_timeout, 2min);
  EXPECT_EQ(config.server.idle_timeout, 1h);
  EXPECT_EQ(config.server.max_connections, 100000u);
  EXPECT_EQ(config.server.admin_token_file, "/run/secrets/admin.token");
  EXPECT_EQ(config.storage.path, "/var/lib/herald/herald.db");
  EXPECT_EQ(config.storage.busy_timeout, 0ms);
  EXPECT_EQ(config.storage.max_batch, 1u);
  EXPECT_EQ(config.daemon.shutdown_grace, 100ms);
  EXPECT_EQ(config.log.level, LogLevel::kDebug);
  EXPECT_EQ(config.log.format, LogFormat::kJournal);
}

TEST(ParseConfig, DottedKeysAndInlineTablesAreReadLikeTables) {
  const ConfigResult result = Parse("server.listen = \"localhost:0\"\nlog = { level = \"off\" }\n");
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  EXPECT_EQ(result.config->server.listen_host, "localhost");
  EXPECT_EQ(result.config->log.level, LogLevel::kOff);
}

TEST(ParseConfig, AcceptsIpv4Ipv6AndLocalhostListenAddresses) {
  struct Case {
    const char* listen;
    const char* host;
    std::uint16_t port;
  };
  for (const Case& c : {Case{"0.0.0.0:65535", "0.0.0.0", 65535}, Case{"[::]:1", "::", 1},
                        Case{"[::1]:8420", "::1", 8420}, Case{"localhost:0", "localhost", 0},
                        Case{"[2001:db8::7]:443", "2001:db8::7", 443}}) {
    SCOPED_TRACE(c.listen);
    const ConfigResult result = Parse("[server]\nlisten = \"" + std::string(c.listen) + "\"");
    ASSERT_TRUE(result.ok()) << result.ErrorsToString();
    EXPECT_EQ(result.config->server.listen_host, c.host);
    EXPECT_EQ(result.config->server.listen_port, c.port);
  }
}

TEST(ParseConfig, AcceptsMaxBodySizeAsIntegerBytes) {
  const ConfigResult result = Parse("[server]\nmax_body_size = 2048");
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  EXPECT_EQ(result.config->server.max_body_bytes, 2048u);
}

TEST(ParseConfig, StorageCacheSizeIsTheWritersPageCache) {
  EXPECT_EQ(Parse("").config->storage.cache_bytes, std::size_t{16} << 20);
  const ConfigResult result = Parse("[storage]\ncache_size = \"64MiB\"");
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  EXPECT_EQ(result.config->storage.cache_bytes, std::size_t{64} << 20);
}

TEST(ParseConfig, LogLevelNamesAreTheSpellingsTheFileAccepts) {
  for (LogLevel level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                         LogLevel::kError, LogLevel::kCritical, LogLevel::kOff}) {
    const std::string name(LogLevelName(level));
    const ConfigResult result = Parse("[log]\nlevel = \"" + name + "\"");
    ASSERT_TRUE(result.ok()) << name << ": " << result.ErrorsToString();
    EXPECT_EQ(result.config->log.level, level) << name;
  }
}

TEST(ParseConfig, ValueErrorPointsAtTheValuesColumn) {
  const ConfigResult result = Parse("[server]\nlisten = \"nope\"");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_EQ(result.errors[0].column, 10);
  EXPECT_THAT(result.errors[0].ToString(),
              ::testing::StartsWith("herald.toml:2:10: server.listen: "));
}

TEST(ParseConfig, UnknownKeySuggestsClosestKnownKey) {
  const ConfigResult result = Parse("[server]\nlistn = \"127.0.0.1:1\"");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].key, "server.listn");
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_EQ(result.errors[0].column, 1);
  EXPECT_EQ(result.errors[0].message, "unknown key; did you mean \"listen\"?");
}

TEST(ParseConfig, UnknownKeySuggestionsForgiveCaseAndTranspositions) {
  struct Case {
    const char* toml;
    const char* suggestion;
  };
  for (const Case& c : {Case{"[server]\nListen = 1", "\"listen\""},
                        Case{"[storage]\nmax_bacth = 1", "\"max_batch\""},
                        Case{"[server]\nidle_timout = 1", "\"idle_timeout\""},
                        Case{"[server]\nadmin_tokn_file = 1", "\"admin_token_file\""},
                        Case{"[log]\nlvl = 1", "\"level\""}}) {
    SCOPED_TRACE(c.toml);
    const ConfigResult result = Parse(c.toml);
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_EQ(result.errors[0].message,
              "unknown key; did you mean " + std::string(c.suggestion) + "?");
  }
}

TEST(ParseConfig, UnknownKeyWithoutCloseMatchGetsNoSuggestion) {
  const ConfigResult result = Parse("[server]\ncolour = \"red\"");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].key, "server.colour");
  EXPECT_EQ(result.errors[0].message, "unknown key");
}

TEST(ParseConfig, UnknownTableIsOneErrorWithSuggestion) {
  const ConfigResult result = Parse("\n[sever]\nlisten = \"127.0.0.1:1\"\nbogus = 1\n");
  ASSERT_EQ(result.errors.size(), 1u) << result.ErrorsToString();
  EXPECT_EQ(result.errors[0].key, "sever");
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_EQ(result.errors[0].message, "unknown table; did you mean \"server\"?");
}

TEST(ParseConfig, UnknownTableWithoutCloseMatchGetsNoSuggestion) {
  const ConfigResult result = Parse("[metrics]\nenabled = true");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].key, "metrics");
  EXPECT_EQ(result.errors[0].message, "unknown table");
}

TEST(ParseConfig, UnknownArrayOfTablesIsAnUnknownTable) {
  const ConfigResult result = Parse("[[relays]]\nurl = \"http://127.0.0.1/\"");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].key, "relays");
  EXPECT_EQ(result.errors[0].message, "unknown table");
}

TEST(ParseConfig, TableNestedInAKnownTableIsUnknown) {
  const ConfigResult result = Parse("[server.tls]\ncert = \"/etc/cert.pem\"");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].key, "server.tls");
  EXPECT_EQ(result.errors[0].message, "unknown table");
}

TEST(ParseConfig, TopLevelKeySuggestsTheTableItBelongsTo) {
  const ConfigResult result = Parse("listen = \"127.0.0.1:1\"");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].key, "listen");
  EXPECT_EQ(result.errors[0].message, "unknown key; did you mean \"listen\" under [server]?");
}

TEST(ParseConfig, SecretInFileIsAnErrorThatDoesNotEchoTheValue) {
  const ConfigResult result = Parse("[server]\nadmin_token = \"correct-horse-battery-staple\"\n");
  ASSERT_EQ(result.errors.size(), 1u);
  const ConfigError& error = result.errors[0];
  EXPECT_EQ(error.key, "server.admin_token");
  EXPECT_EQ(error.line, 2);
  EXPECT_THAT(error.message, HasSubstr("admin_token_file"));
  EXPECT_THAT(error.message, HasSubstr("HERALD_ADMIN_TOKEN"));
  EXPECT_THAT(result.ErrorsToString(), Not(HasSubstr("correct-horse")));
}

TEST(ParseConfig, AnyKeyNamedLikeASecretIsRejectedWherever) {
  constexpr const char* kValue = "hunter2-hunter2-hunter2";
  struct Case {
    std::string toml;
    const char* key;
  };
  const std::string value = std::string("\"") + kValue + "\"";
  for (const Case& c : {
           Case{"api_token = " + value, "api_token"},
           Case{"[server]\npassword = " + value, "server.password"},
           Case{"[log]\nSecret_Key = " + value, "log.Secret_Key"},
           Case{"[provider]\napp_secret = " + value, "provider.app_secret"},
           Case{"[server]\nauth = { bearer_token = " + value + " }", "server.auth.bearer_token"},
           Case{"[[relays]]\npasswd = " + value, "relays.passwd"},
       }) {
    SCOPED_TRACE(c.toml);
    const ConfigResult result = Parse(c.toml);
    const auto secret_error = std::find_if(result.errors.begin(), result.errors.end(),
                                           [&](const auto& e) { return e.key == c.key; });
    ASSERT_NE(secret_error, result.errors.end()) << result.ErrorsToString();
    EXPECT_THAT(secret_error->message, HasSubstr("secrets must not be written in the config file"));
    EXPECT_THAT(result.ErrorsToString(), Not(HasSubstr(kValue)));
  }
}

TEST(ParseConfig, FileKeyNamedLikeASecretIsOnlyAnUnknownKey) {
  const ConfigResult result = Parse("[server]\npassword_file = \"/etc/herald/password\"");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("unknown key"));
}

TEST(ParseConfig, ReportsAllErrorsTogetherInLineOrder) {
  // toml++ iterates tables in key order (bogus, log, server, storage): the errors must not.
  const ConfigResult result = Parse(R"([storage]
max_batch = 0
[server]
listn = "x"
read_timeout = 30
[log]
level = "loud"
[bogus]
)");
  EXPECT_THAT(Keys(result), ElementsAre("storage.max_batch", "server.listn", "server.read_timeout",
                                        "log.level", "bogus"));
  EXPECT_THAT(Lines(result), ElementsAre(2, 4, 5, 7, 8));
  EXPECT_FALSE(result.config.has_value());
}

TEST(ParseConfig, ErrorsOnOneLineAreOrderedByColumn) {
  const ConfigResult result = Parse("log = { level = \"loud\", format = \"json\" }");
  EXPECT_THAT(Keys(result), ElementsAre("log.level", "log.format"));
}

TEST(ParseConfig, SyntaxErrorReportsItsLineAndColumn) {
  const ConfigResult result = Parse("[server]\nlisten = \"127.0.0.1:1\"\nmax_connections = = 5\n");
  ASSERT_EQ(result.errors.size(), 1u);
  const ConfigError& error = result.errors[0];
  EXPECT_EQ(error.line, 3);
  EXPECT_GT(error.column, 0);
  EXPECT_EQ(error.key, "");
  EXPECT_FALSE(error.message.empty());
  EXPECT_THAT(error.ToString(), ::testing::StartsWith("herald.toml:3:"));
  EXPECT_FALSE(result.config.has_value());
}

TEST(ParseConfig, DuplicateKeyIsASyntaxError) {
  const ConfigResult result = Parse("[log]\nlevel = \"info\"\nlevel = \"warn\"\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, 3);
}

TEST(ConfigError, ToStringLeavesOutUnknownParts) {
  struct Case {
    ConfigError error;
    const char* expected;
  };
  for (const Case& c : {
           Case{{"a.toml", 3, 7, "server.listen", "bad"}, "a.toml:3:7: server.listen: bad"},
           Case{{"a.toml", 3, 0, "server.listen", "bad"}, "a.toml:3: server.listen: bad"},
           Case{{"a.toml", 3, 7, "", "bad"}, "a.toml:3:7: bad"},
           Case{{"a.toml", 0, 0, "", "cannot read"}, "a.toml: cannot read"},
           Case{{"", 0, 0, "log.level", "bad"}, "log.level: bad"},
       }) {
    EXPECT_EQ(c.error.ToString(), c.expected);
  }
}

TEST(ConfigResult, ErrorsToStringPutsOneErrorPerLine) {
  ConfigResult result;
  result.errors = {{"a.toml", 1, 1, "x", "first"}, {"a.toml", 2, 1, "y", "second"}};
  EXPECT_EQ(result.ErrorsToString(), "a.toml:1:1: x: first\na.toml:2:1: y: second");
  EXPECT_FALSE(result.ok());
}

TEST(ParseConfig, DefaultRegionIsUpperCasedAndMayBeEmpty) {
  auto lower = ParseConfig("[contacts]\ndefault_region = \"de\"\n", "herald.toml");
  ASSERT_TRUE(lower.ok()) << lower.ErrorsToString();
  EXPECT_EQ(lower.config->contacts.default_region, "DE");
  auto empty = ParseConfig("[contacts]\ndefault_region = \"\"\n", "herald.toml");
  ASSERT_TRUE(empty.ok()) << empty.ErrorsToString();
  EXPECT_EQ(empty.config->contacts.default_region, "");
}

}  // namespace
}  // namespace herald::config
