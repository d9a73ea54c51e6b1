#include "compliance/quiet_hours.h"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <span>
#include <string>

namespace herald::compliance {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using ::testing::HasSubstr;

SysTime Utc(int year, unsigned month, unsigned day, int hour, int minute, int second = 0) {
  return SysTime(date::sys_days(date::year(year) / month / day)) + hours(hour) + minutes(minute) +
         std::chrono::seconds(second);
}

// A small zone1970.tab: two zones for DE (Büsingen), three each for BR and US, two for RU.
constexpr std::string_view kZoneTable =
    "# comment\n"
    "DE,DK\t+5230+01322\tEurope/Berlin\tmost of Germany\n"
    "CH,DE\t+4723+00832\tEurope/Zurich\tBuesingen\n"
    "BR\t-2332-04637\tAmerica/Sao_Paulo\n"
    "BR\t-0351-03225\tAmerica/Noronha\n"
    "BR\t-0308-06001\tAmerica/Manaus\n"
    "US\t+404251-0740023\tAmerica/New_York\n"
    "US\t+340308-1181434\tAmerica/Los_Angeles\n"
    "US\t+211825-1575130\tPacific/Honolulu\n"
    "RU\t+554521+0373704\tEurope/Moscow\n"
    "RU\t+5301+15839\tAsia/Kamchatka\n"
    "IN\t+2232+08822\tAsia/Kolkata\n";

QuietHours BuildQuietHours(QuietHoursConfig config = {}) {
  Result<CountryZoneTable> table = ParseCountryZoneTable(kZoneTable, "fixture");
  EXPECT_TRUE(table.ok()) << table.error().ToString();
  Result<QuietHours> built = QuietHours::Build(std::move(config), *table);
  EXPECT_TRUE(built.ok()) << built.error().ToString();
  return std::move(built).value();
}

struct InstantCase {
  const char* name;
  RecipientLocation where;
  SysTime at;
  QuietHoursVerdict expected;
};

void ExpectVerdicts(const QuietHours& quiet_hours, std::span<const InstantCase> cases) {
  for (const InstantCase& test : cases) {
    EXPECT_EQ(quiet_hours.Check(test.at, test.where), test.expected)
        << test.name << ": " << quiet_hours.Explain(test.at, test.where);
  }
}

constexpr auto kAllowed = QuietHoursVerdict::kAllowed;
constexpr auto kQuiet = QuietHoursVerdict::kQuiet;

TEST(QuietHours, FollowsBerlinAcrossBothDaylightSavingChanges) {
  const RecipientLocation berlin{"DE", "Europe/Berlin"};
  const RecipientLocation germany{"DE", ""};  // Berlin and Zurich (Büsingen): same offsets
  const InstantCase cases[] = {
      // 2024-03-31 01:00Z: CET (+1) -> CEST (+2)
      {"Sat 07:30 CET", berlin, Utc(2024, 3, 30, 6, 30), kQuiet},
      {"Sun 08:30 CEST", berlin, Utc(2024, 3, 31, 6, 30), kAllowed},
      {"Sat 20:30 CET", berlin, Utc(2024, 3, 30, 19, 30), kAllowed},
      {"Sun 21:30 CEST", berlin, Utc(2024, 3, 31, 19, 30), kQuiet},
      {"Sun 08:30 CEST, by country", germany, Utc(2024, 3, 31, 6, 30), kAllowed},
      {"Sun 21:30 CEST, by country", germany, Utc(2024, 3, 31, 19, 30), kQuiet},
      // 2024-10-27 01:00Z: CEST (+2) -> CET (+1)
      {"Sat 08:30 CEST", berlin, Utc(2024, 10, 26, 6, 30), kAllowed},
      {"Sun 07:30 CET", berlin, Utc(2024, 10, 27, 6, 30), kQuiet},
      {"Sat 21:30 CEST", berlin, Utc(2024, 10, 26, 19, 30), kQuiet},
      {"Sun 20:30 CET", berlin, Utc(2024, 10, 27, 19, 30), kAllowed},
      {"Sun 07:30 CET, by country", germany, Utc(2024, 10, 27, 6, 30), kQuiet},
  };
  ExpectVerdicts(BuildQuietHours(), cases);
}

TEST(QuietHours, FollowsSaoPauloWhileBrazilHadDaylightSavingAndAfterItEnded) {
  const RecipientLocation sao_paulo{"BR", "America/Sao_Paulo"};
  const InstantCase cases[] = {
      // 2018-11-04 03:00Z: -03 -> -02 (midnight became 01:00)
      {"Sat 07:30 -03", sao_paulo, Utc(2018, 11, 3, 10, 30), kQuiet},
      {"Sun 08:30 -02", sao_paulo, Utc(2018, 11, 4, 10, 30), kAllowed},
      {"Sat 20:30 -03", sao_paulo, Utc(2018, 11, 3, 23, 30), kAllowed},
      {"Sun 21:30 -02", sao_paulo, Utc(2018, 11, 4, 23, 30), kQuiet},
      // 2019-02-17 02:00Z: -02 -> -03 (midnight went back to 23:00), the last change
      {"Sat 08:30 -02", sao_paulo, Utc(2019, 2, 16, 10, 30), kAllowed},
      {"Sun 07:30 -03", sao_paulo, Utc(2019, 2, 17, 10, 30), kQuiet},
      {"Sat 21:30 -02", sao_paulo, Utc(2019, 2, 16, 23, 30), kQuiet},
      {"Sun 20:30 -03", sao_paulo, Utc(2019, 2, 17, 23, 30), kAllowed},
      // No DST since 2019: the days the clocks used to change (first Sunday of November, third
      // Sunday of February) stay at -03 at both ends of the window
      {"Sun 2024-11-03 07:59 -03", sao_paulo, Utc(2024, 11, 3, 10, 59), kQuiet},
      {"Sun 2024-11-03 08:00 -03", sao_paulo, Utc(2024, 11, 3, 11, 0), kAllowed},
      {"Sun 2024-11-03 20:59 -03", sao_paulo, Utc(2024, 11, 3, 23, 59), kAllowed},
      {"Sun 2024-11-03 21:00 -03", sao_paulo, Utc(2024, 11, 4, 0, 0), kQuiet},
      {"Sun 2025-02-16 07:59 -03", sao_paulo, Utc(2025, 2, 16, 10, 59), kQuiet},
      {"Sun 2025-02-16 08:00 -03", sao_paulo, Utc(2025, 2, 16, 11, 0), kAllowed},
      {"Sun 2025-02-16 20:59 -03", sao_paulo, Utc(2025, 2, 16, 23, 59), kAllowed},
      {"Sun 2025-02-16 21:00 -03", sao_paulo, Utc(2025, 2, 17, 0, 0), kQuiet},
      {"2024-11-04 07:30 -03", sao_paulo, Utc(2024, 11, 4, 10, 30), kQuiet},
      {"2025-01-15 07:59 -03", sao_paulo, Utc(2025, 1, 15, 10, 59), kQuiet},
      {"2025-01-15 08:00 -03", sao_paulo, Utc(2025, 1, 15, 11, 0), kAllowed},
  };
  ExpectVerdicts(BuildQuietHours(), cases);
}

TEST(QuietHours, MultiZoneCountryAllowsOnlyInstantsAllowedInEveryZone) {
  const RecipientLocation us{"US", ""};
  const RecipientLocation new_york{"US", "America/New_York"};
  const RecipientLocation brazil{"BR", ""};  // Noronha -02, Sao Paulo -03, Manaus -04
  const InstantCase cases[] = {
      {"08:30 New York, 05:30 LA, 02:30 Honolulu", us, Utc(2024, 7, 1, 12, 30), kQuiet},
      {"the same instant for a New York contact", new_york, Utc(2024, 7, 1, 12, 30), kAllowed},
      {"15:00 NY, 12:00 LA, 09:00 Honolulu", us, Utc(2024, 7, 1, 19, 0), kAllowed},
      {"20:59 NY, 14:59 Honolulu", us, Utc(2024, 7, 2, 0, 59), kAllowed},
      {"21:00 NY", us, Utc(2024, 7, 2, 1, 0), kQuiet},
      {"07:59 Honolulu", us, Utc(2024, 7, 1, 17, 59), kQuiet},
      {"08:00 Honolulu", us, Utc(2024, 7, 1, 18, 0), kAllowed},
      {"winter: 20:59 EST", us, Utc(2024, 1, 16, 1, 59), kAllowed},
      {"winter: 21:00 EST", us, Utc(2024, 1, 16, 2, 0), kQuiet},
      {"08:00 Manaus, 10:00 Noronha", brazil, Utc(2024, 7, 1, 12, 0), kAllowed},
      {"07:59 Manaus", brazil, Utc(2024, 7, 1, 11, 59), kQuiet},
      {"20:30 Noronha, 18:30 Manaus", brazil, Utc(2024, 7, 1, 22, 30), kAllowed},
      {"21:00 Noronha", brazil, Utc(2024, 7, 1, 23, 0), kQuiet},
  };
  const QuietHours quiet_hours = BuildQuietHours();
  ExpectVerdicts(quiet_hours, cases);
  EXPECT_THAT(quiet_hours.Explain(Utc(2024, 7, 1, 12, 30), us),
              HasSubstr("05:30 local in America/Los_Angeles is outside 08:00-21:00 (US)"));
}

TEST(QuietHours, WindowIsHalfOpenToTheMillisecond) {
  const RecipientLocation india{"IN", ""};  // +05:30, no DST
  const InstantCase cases[] = {
      {"07:59:59.999", india, Utc(2024, 7, 1, 2, 30) - milliseconds(1), kQuiet},
      {"08:00:00.000", india, Utc(2024, 7, 1, 2, 30), kAllowed},
      {"20:59:59.999", india, Utc(2024, 7, 1, 15, 30) - milliseconds(1), kAllowed},
      {"21:00:00.000", india, Utc(2024, 7, 1, 15, 30), kQuiet},
  };
  ExpectVerdicts(BuildQuietHours(), cases);
}

TEST(QuietHours, CountryOverridesAndWindowsPastMidnightApply) {
  QuietHoursConfig config;
  config.country_windows["us"] = *ParseLocalTimeWindow("09:00-20:00");
  config.country_windows["IN"] = *ParseLocalTimeWindow("22:00-06:00");
  const QuietHours quiet_hours = BuildQuietHours(config);
  const InstantCase cases[] = {
      {"08:59 Honolulu under 09:00-20:00", {"US", ""}, Utc(2024, 7, 1, 18, 59), kQuiet},
      {"09:00 Honolulu under 09:00-20:00", {"US", ""}, Utc(2024, 7, 1, 19, 0), kAllowed},
      {"a US contact with a zone keeps the US window",
       {"US", "America/New_York"},
       Utc(2024, 7, 1, 12, 30),
       kQuiet},
      {"23:00 India under 22:00-06:00", {"IN", ""}, Utc(2024, 7, 1, 17, 30), kAllowed},
      {"05:59 India", {"IN", ""}, Utc(2024, 7, 1, 0, 29), kAllowed},
      {"06:00 India", {"IN", ""}, Utc(2024, 7, 1, 0, 30), kQuiet},
      {"Germany keeps the default", {"DE", ""}, Utc(2024, 7, 1, 6, 30), kAllowed},
  };
  ExpectVerdicts(quiet_hours, cases);
}

TEST(QuietHours, UnknownZoneIsRefusedAndAnInvalidZoneFallsBackToTheCountry) {
  const QuietHours quiet_hours = BuildQuietHours();
  const SysTime noon = Utc(2024, 7, 1, 12, 0);
  EXPECT_EQ(quiet_hours.Check(noon, {"XX", ""}), QuietHoursVerdict::kUnknownZone);
  EXPECT_EQ(quiet_hours.Check(noon, {"", ""}), QuietHoursVerdict::kUnknownZone);
  EXPECT_EQ(quiet_hours.Check(noon, {"", "Mars/Olympus"}), QuietHoursVerdict::kUnknownZone);
  EXPECT_EQ(quiet_hours.Check(noon, {"de", "Mars/Olympus"}), QuietHoursVerdict::kAllowed);
  EXPECT_EQ(quiet_hours.Check(Utc(2024, 7, 1, 20, 0), {"DE", "Mars/Olympus"}),
            QuietHoursVerdict::kQuiet);
  // A valid zone needs no country; the default window applies.
  EXPECT_EQ(quiet_hours.Check(noon, {"", "Asia/Tokyo"}), QuietHoursVerdict::kQuiet);  // 21:00
  EXPECT_EQ(quiet_hours.Check(noon - hours(1), {"", "Asia/Tokyo"}), QuietHoursVerdict::kAllowed);
}

// ---- NextAllowedTime -----------------------------------------------------------------------

struct NextCase {
  const char* name;
  RecipientLocation where;
  SysTime now;
  SysTime expected;
};

TEST(QuietHoursNextAllowedTime, FindsTheNextOpeningAcrossDaylightSavingChanges) {
  const RecipientLocation berlin{"DE", "Europe/Berlin"};
  const RecipientLocation sao_paulo{"BR", "America/Sao_Paulo"};
  const NextCase cases[] = {
      {"Sat 22:00 CET -> Sun 08:00 CEST", berlin, Utc(2024, 3, 30, 21, 0), Utc(2024, 3, 31, 6, 0)},
      {"Sat 22:00 CEST -> Sun 08:00 CET", berlin, Utc(2024, 10, 26, 20, 0),
       Utc(2024, 10, 27, 7, 0)},
      {"Sun 07:30 CET -> 08:00", berlin, Utc(2024, 10, 27, 6, 30), Utc(2024, 10, 27, 7, 0)},
      {"already allowed: now itself", berlin, Utc(2024, 7, 1, 10, 0) + milliseconds(123),
       Utc(2024, 7, 1, 10, 0) + milliseconds(123)},
      {"Sat 21:30 -03 -> Sun 08:00 -02", sao_paulo, Utc(2018, 11, 4, 0, 30),
       Utc(2018, 11, 4, 10, 0)},
      {"Sat 21:30 -02 -> Sun 08:00 -03", sao_paulo, Utc(2019, 2, 16, 23, 30),
       Utc(2019, 2, 17, 11, 0)},
      {"Sat 2025-02-15 21:30 -03 -> Sun 08:00 -03 (no change any more)", sao_paulo,
       Utc(2025, 2, 16, 0, 30), Utc(2025, 2, 16, 11, 0)},
      {"US: Honolulu opens last", {"US", ""}, Utc(2024, 7, 1, 12, 30), Utc(2024, 7, 1, 18, 0)},
      {"US after 21:00 in New York", {"US", ""}, Utc(2024, 7, 2, 1, 0), Utc(2024, 7, 2, 18, 0)},
  };
  const QuietHours quiet_hours = BuildQuietHours();
  for (const NextCase& test : cases) {
    Result<SysTime> next = quiet_hours.NextAllowedTime(test.now, test.where);
    ASSERT_TRUE(next.ok()) << test.name << ": " << next.error().ToString();
    EXPECT_EQ(*next, test.expected) << test.name << ": got " << date::format("%FT%TZ", *next);
  }
}

TEST(QuietHoursNextAllowedTime, SkipsAWindowOpeningThatFallsIntoTheSpringGap) {
  QuietHoursConfig config;
  config.country_windows["DE"] = *ParseLocalTimeWindow("02:30-23:00");  // 02:30 never happens
  const QuietHours quiet_hours = BuildQuietHours(config);
  Result<SysTime> next = quiet_hours.NextAllowedTime(Utc(2024, 3, 31, 0, 0), {"DE", ""});
  ASSERT_TRUE(next.ok()) << next.error().ToString();
  EXPECT_EQ(*next, Utc(2024, 3, 31, 1, 0)) << "03:00 CEST, the first local time after 02:30";
}

// In the autumn overlap 02:00-03:00 happens twice; each instant has its own local time, so an
// instant quiet in the first pass can be followed by an allowed one in the second.
TEST(QuietHoursNextAllowedTime, TreatsTheRepeatedAutumnHourAsTwoHours) {
  QuietHoursConfig config;
  config.country_windows["DE"] = *ParseLocalTimeWindow("08:00-02:30");
  const QuietHours quiet_hours = BuildQuietHours(config);
  const RecipientLocation germany{"DE", ""};
  EXPECT_EQ(quiet_hours.Check(Utc(2024, 10, 27, 0, 15), germany), kAllowed) << "02:15 CEST";
  EXPECT_EQ(quiet_hours.Check(Utc(2024, 10, 27, 0, 30), germany), kQuiet) << "02:30 CEST";
  EXPECT_EQ(quiet_hours.Check(Utc(2024, 10, 27, 1, 0), germany), kAllowed) << "02:00 CET";
  EXPECT_EQ(quiet_hours.Check(Utc(2024, 10, 27, 1, 30), germany), kQuiet) << "02:30 CET";
  Result<SysTime> next = quiet_hours.NextAllowedTime(Utc(2024, 10, 27, 0, 30), germany);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, Utc(2024, 10, 27, 1, 0)) << "02:00 CET, the second 02:00";
  next = quiet_hours.NextAllowedTime(Utc(2024, 10, 27, 1, 30), germany);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, Utc(2024, 10, 27, 7, 0)) << "08:00 CET";
}

TEST(QuietHoursNextAllowedTime, ReportsACountryWhoseZonesNeverShareAnAllowedInstant) {
  QuietHoursConfig config;
  config.country_windows["RU"] = *ParseLocalTimeWindow("09:00-12:00");  // Moscow +3, Kamchatka +12
  const QuietHours quiet_hours = BuildQuietHours(config);
  Result<SysTime> next = quiet_hours.NextAllowedTime(Utc(2024, 7, 1, 0, 0), {"RU", ""});
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(next.error().message, HasSubstr("no instant is inside 09:00-12:00"));
  EXPECT_EQ(quiet_hours.Check(Utc(2024, 7, 1, 6, 0), {"RU", ""}), QuietHoursVerdict::kQuiet);

  Result<SysTime> unknown = quiet_hours.NextAllowedTime(Utc(2024, 7, 1, 0, 0), {"XX", ""});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

// NextAllowedTime agrees with Check: the result is allowed and nothing before it is (sampled
// every 10 minutes). The US group's precomputed timeline is compared with its zones checked one
// by one, which takes date's path for single zones.
TEST(QuietHoursNextAllowedTime, AgreesWithCheckAtRandomInstants) {
  const QuietHours quiet_hours = BuildQuietHours();
  const RecipientLocation us{"US", ""};
  const RecipientLocation us_zones[] = {
      {"US", "America/New_York"}, {"US", "America/Los_Angeles"}, {"US", "Pacific/Honolulu"}};
  std::mt19937_64 random(42);
  std::uniform_int_distribution<std::int64_t> seconds(157'766'400, 2'208'988'800);  // 1975-2040
  for (int i = 0; i < 300; ++i) {
    const SysTime now = SysTime(std::chrono::seconds(seconds(random)));
    bool all = true;
    for (const RecipientLocation& zone : us_zones) {
      all = all && quiet_hours.Check(now, zone) == QuietHoursVerdict::kAllowed;
    }
    ASSERT_EQ(quiet_hours.Check(now, us) == QuietHoursVerdict::kAllowed, all)
        << date::format("%FT%TZ", now);
    Result<SysTime> next = quiet_hours.NextAllowedTime(now, us);
    ASSERT_TRUE(next.ok());
    ASSERT_GE(*next, now);
    ASSERT_LT(*next - now, hours(24));
    ASSERT_EQ(quiet_hours.Check(*next, us), QuietHoursVerdict::kAllowed);
    for (SysTime t = now; t < *next - std::chrono::seconds(1); t += minutes(10)) {
      ASSERT_EQ(quiet_hours.Check(t, us), QuietHoursVerdict::kQuiet) << date::format("%FT%TZ", t);
    }
    if (*next > now) {
      ASSERT_EQ(quiet_hours.Check(*next - std::chrono::seconds(1), us), QuietHoursVerdict::kQuiet);
    }
  }
}

// ---- windows and zone tables -----------------------------------------------------------------

TEST(LocalTimeWindow, ParsesHoursAndMinutesAndRejectsNonsense) {
  struct Case {
    const char* text;
    bool ok;
  } cases[] = {
      {"08:00-21:00", true},  {"00:00-24:00", true},  {"22:00-06:00", true},  {"8:00-21:00", false},
      {"08:00-08:00", false}, {"24:00-05:00", false}, {"08:60-21:00", false}, {"08:00", false},
      {"25:00-26:00", false}, {"08:00-24:01", false}, {"aa:bb-cc:dd", false},
  };
  for (const Case& test : cases) {
    Result<LocalTimeWindow> window = ParseLocalTimeWindow(test.text);
    EXPECT_EQ(window.ok(), test.ok) << test.text;
    if (window.ok()) {
      EXPECT_EQ(FormatLocalTimeWindow(*window), test.text);
    }
  }
}

TEST(CountryZoneTable, ReadsCommaSeparatedCountriesAndNamesTheBadLine) {
  Result<CountryZoneTable> table = ParseCountryZoneTable(kZoneTable, "fixture");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->at("DE"), (std::vector<std::string>{"Europe/Berlin", "Europe/Zurich"}));
  EXPECT_EQ(table->at("DK"), (std::vector<std::string>{"Europe/Berlin"}));
  EXPECT_EQ(table->at("US").size(), 3u);

  Result<CountryZoneTable> bad = ParseCountryZoneTable("# c\nUS\t+1\n", "t.tab");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "t.tab:2");
  Result<CountryZoneTable> lower = ParseCountryZoneTable("us\t+1\tAmerica/New_York\n", "t.tab");
  ASSERT_FALSE(lower.ok());
  EXPECT_THAT(lower.error().message, HasSubstr("\"us\" is not an upper-case country code"));
}

TEST(CountryZoneTable, LoadingAMissingFileIsAnErrorValue) {
  Result<CountryZoneTable> missing = LoadCountryZoneTable("/nonexistent/zone1970.tab");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(CountryZoneTable, UnknownZoneNamesFailTheBuild) {
  Result<CountryZoneTable> table = ParseCountryZoneTable("XX\t+1\tMars/Olympus\n", "t.tab");
  ASSERT_TRUE(table.ok());
  Result<QuietHours> built = QuietHours::Build({}, *table);
  ASSERT_FALSE(built.ok());
  EXPECT_THAT(built.error().message, HasSubstr("Mars/Olympus"));
  EXPECT_EQ(built.error().field, "XX");
}

TEST(CountryZoneTable, SystemTableGivesTheUsAllItsZones) {
  Result<CountryZoneTable> table = LoadCountryZoneTable(std::string(kSystemZoneTablePath));
  ASSERT_TRUE(table.ok()) << table.error().ToString();
  ASSERT_TRUE(table->contains("US"));
  EXPECT_GE(table->at("US").size(), 20u);
  Result<QuietHours> built = QuietHours::Build({}, *table);
  ASSERT_TRUE(built.ok()) << built.error().ToString();
  EXPECT_EQ(built->Check(Utc(2024, 7, 1, 12, 30), {"US", ""}), QuietHoursVerdict::kQuiet);
  EXPECT_EQ(built->Check(Utc(2024, 7, 1, 19, 0), {"US", ""}), QuietHoursVerdict::kAllowed);
  EXPECT_EQ(built->Check(Utc(2024, 7, 1, 19, 0), {"GB", ""}), QuietHoursVerdict::kAllowed);
  Result<SysTime> next = built->NextAllowedTime(Utc(2024, 7, 1, 12, 30), {"US", ""});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, Utc(2024, 7, 1, 18, 0)) << "Honolulu and Adak (HDT) open at 18:00Z";
}

}  // namespace
}  // namespace herald::compliance
