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
    // tables
    {"TableIsAnInteger", "server = 5", "server", 1, "expected a table, got integer"},
    {"TableIsAnArrayOfTables", "\n[[log]]\nlevel = \"info\"", "log", 2,
     "expected a table, got array"},
};

INSTANTIATE_TEST_SUITE_P(ParseConfig, InvalidValue, ::testing::ValuesIn(kInvalidValues),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace herald::config
