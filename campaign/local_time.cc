#include "campaign/local_time.h"

#include <date/tz.h>

#include <algorithm>

namespace herald::campaign {
namespace {

Result<const date::time_zone*> Zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return MakeError(ErrorCode::kNotFound, "unknown time zone \"" + std::string(name) + "\"",
                     "timezone");
  }
}

// The instant of local time `local` in `zone`; a gap moves it past the gap, an overlap takes the
// first of the two.
SysTime ToSys(const date::time_zone& zone, date::local_time<std::chrono::milliseconds> local) {
  const date::local_info info = zone.get_info(local);
  switch (info.result) {
    case date::local_info::nonexistent:
      return std::chrono::time_point_cast<std::chrono::milliseconds>(info.first.end);
    case date::local_info::ambiguous:
      return SysTime(local.time_since_epoch() - info.first.offset);
    default:
      return SysTime(local.time_since_epoch() - info.first.offset);
  }
}

}  // namespace

Result<std::chrono::minutes> ParseTimeOfDay(std::string_view text, std::string_view field) {
  auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a time of day as HH:MM",
                     std::string(field));
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a time of day from 00:00 to 23:59",
                     std::string(field));
  }
  return std::chrono::minutes(hours * 60 + minutes);
}

Result<SysTime> NextLocalTime(SysTime from, std::chrono::minutes time_of_day,
                              std::span<const std::string> zones) {
  if (zones.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no time zone to place the recipient in");
  }
  SysTime latest = from;
  for (const std::string& name : zones) {
    auto zone = Zone(name);
    if (!zone.ok()) return zone.error();
    const auto local_now = date::local_time<std::chrono::milliseconds>(
        (from + (*zone)->get_info(from).offset).time_since_epoch());
    auto day = date::floor<date::days>(local_now);
    SysTime at = ToSys(**zone, day + time_of_day);
    if (at < from) at = ToSys(**zone, day + date::days(1) + time_of_day);
    latest = std::max(latest, at);
  }
  return latest;
}

Result<SysTime> LocalToInstant(std::string_view local, std::string_view zone_name,
                               std::string_view field) {
  auto zone = Zone(zone_name);
  if (!zone.ok()) return zone.error();
  // YYYY-MM-DDTHH:MM:SS, nothing after it.
  auto number = [&](std::size_t at, std::size_t digits) -> int {
    int value = 0;
    for (std::size_t i = at; i < at + digits; ++i) {
      if (local[i] < '0' || local[i] > '9') return -1;
      value = value * 10 + (local[i] - '0');
    }
    return value;
  };
  const bool shaped = local.size() == 19 && local[4] == '-' && local[7] == '-' &&
                      local[10] == 'T' && local[13] == ':' && local[16] == ':';
  const date::year_month_day day{date::year(shaped ? number(0, 4) : 0),
                                 date::month(shaped ? static_cast<unsigned>(number(5, 2)) : 0),
                                 date::day(shaped ? static_cast<unsigned>(number(8, 2)) : 0)};
  const int hours = shaped ? number(11, 2) : -1;
  const int minutes = shaped ? number(14, 2) : -1;
  const int seconds = shaped ? number(17, 2) : -1;
  if (!shaped || !day.ok() || number(0, 4) < 0 || hours < 0 || hours > 23 || minutes < 0 ||
      minutes > 59 || seconds < 0 || seconds > 59) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected a local time such as 2026-12-05T10:00:00 (no offset) with "
                     "timezone, or an RFC 3339 time with an offset",
                     std::string(field));
  }
  const auto parsed = date::local_days(day) + std::chrono::hours(hours) +
                      std::chrono::minutes(minutes) + std::chrono::seconds(seconds);
  return ToSys(**zone, std::chrono::time_point_cast<std::chrono::milliseconds>(parsed));
}

}  // namespace herald::campaign
