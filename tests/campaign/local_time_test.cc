#include "campaign/local_time.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/time.h"

namespace herald::campaign {
namespace {

SysTime Utc(const char* text) { return *ParseRfc3339(text); }
std::chrono::minutes At(int hours, int minutes = 0) {
  return std::chrono::minutes(hours * 60 + minutes);
}
std::string Next(const char* from, std::chrono::minutes at, std::vector<std::string> zones) {
  auto next = NextLocalTime(Utc(from), at, zones);
  return next.ok() ? FormatRfc3339(*next) : next.error().ToString();
}

TEST(LocalTime, TodayWhenTheHourIsStillToComeElseTomorrow) {
  // Berlin is UTC+1 in December.
  EXPECT_EQ(Next("2026-12-04T08:00:00Z", At(10), {"Europe/Berlin"}), "2026-12-04T09:00:00.000Z");
  EXPECT_EQ(Next("2026-12-04T09:00:00Z", At(10), {"Europe/Berlin"}), "2026-12-04T09:00:00.000Z");
  EXPECT_EQ(Next("2026-12-04T09:00:01Z", At(10), {"Europe/Berlin"}), "2026-12-05T09:00:00.000Z");
  // Tokyo's 10:00 on its next day has come while it is still the 4th in UTC.
  EXPECT_EQ(Next("2026-12-04T08:00:00Z", At(10), {"Asia/Tokyo"}), "2026-12-05T01:00:00.000Z");
}

TEST(LocalTime, AcrossZonesEachRecipientGetsItsOwnHour) {
  EXPECT_EQ(Next("2026-12-04T00:00:00Z", At(10), {"America/New_York"}), "2026-12-04T15:00:00.000Z");
  EXPECT_EQ(Next("2026-12-04T00:00:00Z", At(10), {"America/Los_Angeles"}),
            "2026-12-04T18:00:00.000Z");
  // A country with several zones and no zone of the contact: the hour has come everywhere.
  EXPECT_EQ(Next("2026-12-04T00:00:00Z", At(10), {"America/New_York", "America/Los_Angeles"}),
            "2026-12-04T18:00:00.000Z");
}

TEST(LocalTime, DaylightSavingGapAndOverlap) {
  // 2026-03-29 02:30 does not exist in Berlin: the first instant after the gap (03:00 CEST).
  EXPECT_EQ(Next("2026-03-29T00:00:00Z", At(2, 30), {"Europe/Berlin"}), "2026-03-29T01:00:00.000Z");
  // 2026-10-25 02:30 happens twice in Berlin: the first (CEST, UTC+2).
  EXPECT_EQ(Next("2026-10-25T00:00:00Z", At(2, 30), {"Europe/Berlin"}), "2026-10-25T00:30:00.000Z");
}

TEST(LocalTime, BadInputIsAnErrorNamingIt) {
  EXPECT_EQ(ParseTimeOfDay("10:00", "local_time").value(), At(10));
  EXPECT_EQ(ParseTimeOfDay("23:59", "local_time").value(), At(23, 59));
  for (const char* bad : {"24:00", "9:00", "10:60", "10-00", "", "10:00:00"}) {
    auto parsed = ParseTimeOfDay(bad, "local_time");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().field, "local_time");
  }
  EXPECT_EQ(
      NextLocalTime(Utc("2026-12-04T00:00:00Z"), At(10), std::vector<std::string>{"Mars/Base"})
          .error()
          .code,
      ErrorCode::kNotFound);
  EXPECT_FALSE(NextLocalTime(Utc("2026-12-04T00:00:00Z"), At(10), {}).ok());
}

TEST(LocalTime, LocalWallClockInAZone) {
  EXPECT_EQ(FormatRfc3339(*LocalToInstant("2026-12-05T10:00:00", "Europe/Berlin", "start_at")),
            "2026-12-05T09:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(*LocalToInstant("2026-07-05T10:00:00", "Europe/Berlin", "start_at")),
            "2026-07-05T08:00:00.000Z");
  auto bad = LocalToInstant("tomorrow", "Europe/Berlin", "start_at");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "start_at");
  EXPECT_FALSE(LocalToInstant("2026-12-05T10:00:00Z", "Europe/Berlin", "start_at").ok());
}

}  // namespace
}  // namespace herald::campaign
