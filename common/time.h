// common/time.h: the one conversion of instants to and from what storage and the API carry.
// Storage keeps milliseconds since the Unix epoch (UTC); the API writes RFC 3339 in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace herald {

// Milliseconds since 1970-01-01T00:00:00Z.
constexpr std::int64_t ToUnixMillis(SysTime time) { return time.time_since_epoch().count(); }
constexpr SysTime FromUnixMillis(std::int64_t millis) {
  return SysTime(std::chrono::milliseconds(millis));
}

// "2026-12-04T05:03:47.123Z": UTC, milliseconds always written, so the text sorts as the time.
std::string FormatRfc3339(SysTime time);
// Reads RFC 3339 with a 'Z' or a numeric offset and optional fractional seconds (to the
// millisecond; finer digits are cut). nullopt when the text is not such a time.
std::optional<SysTime> ParseRfc3339(std::string_view text);

}  // namespace herald
