#include "common/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <random>
#include <string>

namespace herald {
namespace {

using namespace std::chrono;  // NOLINT(build/namespaces): dates read best as 2024y / February / 29

// An instant from its civil UTC parts: the reference the conversions are checked against.
SysTime Utc(year_month_day date, hours h = {}, minutes m = {}, seconds s = {},
            milliseconds ms = {}) {
  return SysTime(sys_days(date)) + h + m + s + ms;
}

struct FormatCase {
  const char* what;
  SysTime time;
  const char* text;
};

class FormatRfc3339Test : public ::testing::TestWithParam<FormatCase> {};

TEST_P(FormatRfc3339Test, WritesUtcWithThreeFractionalDigits) {
  EXPECT_EQ(FormatRfc3339(GetParam().time), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Time, FormatRfc3339Test,
    ::testing::Values(
        FormatCase{"epoch", FromUnixMillis(0), "1970-01-01T00:00:00.000Z"},
        FormatCase{"one_ms", FromUnixMillis(1), "1970-01-01T00:00:00.001Z"},
        FormatCase{"fifty_ms", FromUnixMillis(50), "1970-01-01T00:00:00.050Z"},
        FormatCase{"ms_before_epoch", FromUnixMillis(-1), "1969-12-31T23:59:59.999Z"},
        FormatCase{"day_before_epoch", FromUnixMillis(-86'400'000), "1969-12-31T00:00:00.000Z"},
        FormatCase{"long_before_epoch", Utc(1901y / March / 2, 3h, 4min, 5s, 6ms),
                   "1901-03-02T03:04:05.006Z"},
        FormatCase{"leap_day", Utc(2024y / February / 29, 23h, 59min, 59s, 999ms),
                   "2024-02-29T23:59:59.999Z"},
        FormatCase{"leap_day_of_a_century", Utc(2000y / February / 29, 12h),
                   "2000-02-29T12:00:00.000Z"},
        FormatCase{"documented_example", Utc(2026y / December / 4, 5h, 3min, 47s, 123ms),
                   "2026-12-04T05:03:47.123Z"}),
    [](const auto& info) { return std::string(info.param.what); });

struct ParseCase {
  const char* what;
  const char* text;
  std::optional<SysTime> time;  // nullopt: refused
};

class ParseRfc3339Test : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseRfc3339Test, ReadsTheInstantOrRefusesTheText) {
  EXPECT_EQ(ParseRfc3339(GetParam().text), GetParam().time) << GetParam().text;
}

const SysTime kExample = Utc(2026y / December / 4, 5h, 3min, 47s);

INSTANTIATE_TEST_SUITE_P(
    Time, ParseRfc3339Test,
    ::testing::Values(
        ParseCase{"utc", "2026-12-04T05:03:47Z", kExample},
        ParseCase{"lower_case_z_and_t", "2026-12-04t05:03:47z", kExample},
        ParseCase{"east_offset", "2026-12-04T07:03:47+02:00", kExample},
        ParseCase{"west_half_hour_offset", "2026-12-03T23:33:47-05:30", kExample},
        ParseCase{"zero_offset", "2026-12-04T05:03:47-00:00", kExample},
        ParseCase{"offset_back_over_a_leap_day", "2024-03-01T01:00:00+02:00",
                  Utc(2024y / February / 29, 23h)},
        ParseCase{"one_fractional_digit", "2026-12-04T05:03:47.1Z", kExample + 100ms},
        ParseCase{"two_fractional_digits", "2026-12-04T05:03:47.12Z", kExample + 120ms},
        ParseCase{"three_fractional_digits", "2026-12-04T05:03:47.123Z", kExample + 123ms},
        ParseCase{"six_digits_cut_to_ms", "2026-12-04T05:03:47.123999Z", kExample + 123ms},
        ParseCase{"nine_digits_cut_to_ms", "2026-12-04T05:03:47.987654321+00:00", kExample + 987ms},
        ParseCase{"fraction_with_offset", "2026-12-04T07:03:47.5+02:00", kExample + 500ms},
        ParseCase{"fraction_before_epoch", "1969-12-31T23:59:59.500Z", FromUnixMillis(-500)},
        ParseCase{"leap_day", "2024-02-29T00:00:00Z", Utc(2024y / February / 29)},
        ParseCase{"missing_zone", "2026-12-04T05:03:47", std::nullopt},
        ParseCase{"missing_zone_after_fraction", "2026-12-04T05:03:47.123", std::nullopt},
        ParseCase{"no_leap_day_in_2023", "2023-02-29T00:00:00Z", std::nullopt},
        ParseCase{"month_13", "2026-13-01T00:00:00Z", std::nullopt},
        ParseCase{"month_0", "2026-00-01T00:00:00Z", std::nullopt},
        ParseCase{"day_32", "2026-01-32T00:00:00Z", std::nullopt},
        ParseCase{"april_31", "2026-04-31T00:00:00Z", std::nullopt},
        ParseCase{"hour_24", "2026-12-04T24:00:00Z", std::nullopt},
        ParseCase{"minute_60", "2026-12-04T05:60:00Z", std::nullopt},
        ParseCase{"trailing_garbage", "2026-12-04T05:03:47Zjunk", std::nullopt},
        ParseCase{"trailing_space", "2026-12-04T05:03:47Z ", std::nullopt},
        ParseCase{"garbage_after_offset", "2026-12-04T07:03:47+02:00x", std::nullopt},
        ParseCase{"empty", "", std::nullopt}, ParseCase{"date_only", "2026-12-04", std::nullopt},
        ParseCase{"dot_without_digits", "2026-12-04T05:03:47.Z", std::nullopt},
        ParseCase{"offset_without_colon", "2026-12-04T07:03:47+0200", std::nullopt},
        ParseCase{"short_offset", "2026-12-04T07:03:47+02:0", std::nullopt},
        ParseCase{"offset_hour_24", "2026-12-04T07:03:47+24:00", std::nullopt},
        ParseCase{"one_digit_month", "2026-1-04T05:03:47Z", std::nullopt},
        ParseCase{"slashes", "2026/12/04T05:03:47Z", std::nullopt}),
    [](const auto& info) { return std::string(info.param.what); });

TEST(Time, FormattedInstantsParseBackToThemselves) {
  std::mt19937_64 random(20261204);
  // From 1900 to 2200, in milliseconds since the epoch.
  std::uniform_int_distribution<std::int64_t> millis(-2'208'988'800'000, 7'258'118'400'000);
  for (int i = 0; i < 20'000; ++i) {
    const SysTime time = FromUnixMillis(millis(random));
    const std::string text = FormatRfc3339(time);
    EXPECT_EQ(ParseRfc3339(text), time) << text;
  }
  // Every millisecond around the epoch and around a leap day's midnight.
  for (SysTime centre : {FromUnixMillis(0), Utc(2024y / March / 1)}) {
    for (milliseconds delta = -1500ms; delta <= 1500ms; ++delta) {
      const std::string text = FormatRfc3339(centre + delta);
      EXPECT_EQ(ParseRfc3339(text), centre + delta) << text;
    }
  }
}

TEST(Time, FormattedTextSortsAsTheInstants) {
  const SysTime instants[] = {FromUnixMillis(-1), FromUnixMillis(0),          FromUnixMillis(9),
                              FromUnixMillis(10), Utc(2024y / February / 29), kExample};
  for (std::size_t i = 1; i < std::size(instants); ++i) {
    EXPECT_LT(FormatRfc3339(instants[i - 1]), FormatRfc3339(instants[i]));
  }
}

}  // namespace
}  // namespace herald
