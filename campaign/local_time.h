// campaign/local_time.h: "10:00 in each recipient's local time" (issue 16, item 3). A campaign
// with a local send time gives each delivery the first instant, at or after the campaign's start,
// at which it is that time of day where the recipient is.
//
// Where the recipient is: the contact's time zone; else the zones of its country (the tz
// database's zone1970.tab, compliance/quiet_hours.h). A country with several zones (US, BR, RU,
// …) gets the instant at which the time of day has come in every one of them (the westernmost
// zone's), so that nobody gets the message before the hour; libphonenumber's C++ library has no
// number-to-zone mapper (only its Java one does), so a contact without a zone is placed no finer
// than its country. A local time that does not exist on that day (a DST gap) is taken as the
// first instant after the gap; one that exists twice (an overlap) as the first.
//
// Thread rules: pure functions; the tz database is read once by the date library (thread-safe).
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace herald::campaign {

// "HH:MM", 24-hour clock, 00:00-23:59. kInvalidArgument naming `field` otherwise.
Result<std::chrono::minutes> ParseTimeOfDay(std::string_view text, std::string_view field);

// The first instant >= `from` at which it is `time_of_day` in every zone of `zones`: per zone the
// next occurrence of that local time (today's when it is still to come, else tomorrow's), and
// the latest of those.
// kNotFound naming the zone when the tz database does not know one; kInvalidArgument when
// `zones` is empty.
Result<SysTime> NextLocalTime(SysTime from, std::chrono::minutes time_of_day,
                              std::span<const std::string> zones);

// An instant given as local wall-clock time ("2026-12-05T10:00:00", no offset) in `zone`.
// kInvalidArgument naming `field` when the text is not such a time; kNotFound for the zone.
Result<SysTime> LocalToInstant(std::string_view local, std::string_view zone,
                               std::string_view field);

}  // namespace herald::campaign
