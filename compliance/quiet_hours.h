// Quiet hours (issue 4, item 6): marketing only inside an allowed window of the recipient's local
// time, e.g. 08:00-21:00 (US TCPA practice; reference/whatsapp.md, "Opt-out and quiet hours").
//
// Where the recipient is:
//   1. the contact's time zone, when it is set and a valid IANA name;
//   2. else every zone of the contact's country (from the tz database's zone1970.tab/zone.tab).
//      A country with several zones (US, BR, RU, AU, MX, CA, ID, ...) allows only instants that
//      are inside the window in EVERY one of its zones;
//   3. else (no valid zone, unknown country) the message is refused as "unknown zone": sending
//      marketing at an unknown local time is the unsafe choice, and a contact's country is
//      normally known from its phone number.
// The window is the country's override when there is one, else the default window (also for
// a contact with a zone but no country).
//
// Local time comes from the UTC offset in effect at the instant (date::time_zone::get_info), so
// DST gaps and overlaps need no special case: every instant has exactly one local time per zone.
// The window is half-open, [start, end): with 08:00-21:00, 20:59:59 is allowed and 21:00 is not.
// tzdata lists transitions up to 2037; date keeps the last offset after that.
//
// Thread rules: QuietHours is immutable once built; any number of threads may use it.
// LoadCountryZoneTable reads a file: call it when a policy is built, never from the gate.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "compliance/consent.h"

namespace herald::compliance {

// Allowed local times [start, end). end may be 24:00; start > end wraps past midnight
// ("22:00-06:00"); start == end is rejected (use 00:00-24:00 for "always").
struct LocalTimeWindow {
  std::chrono::minutes start = std::chrono::hours(8);
  std::chrono::minutes end = std::chrono::hours(21);

  bool Contains(std::chrono::seconds time_of_day) const;
  bool operator==(const LocalTimeWindow&) const = default;
};

// "08:00-21:00" (HH:MM-HH:MM, 24-hour clock).
Result<LocalTimeWindow> ParseLocalTimeWindow(std::string_view text);
std::string FormatLocalTimeWindow(const LocalTimeWindow& window);

struct QuietHoursConfig {
  LocalTimeWindow default_window;
  // ISO 3166-1 alpha-2 code (any case) -> window, e.g. {"US", 08:00-21:00}.
  std::map<std::string, LocalTimeWindow, std::less<>> country_windows;
  PurposeSet purposes{Purpose::kMarketing};  // the purposes quiet hours apply to
};

// ISO 3166-1 alpha-2 country code -> IANA zone names, in file order.
using CountryZoneTable = std::map<std::string, std::vector<std::string>, std::less<>>;

inline constexpr std::string_view kSystemZoneTablePath = "/usr/share/zoneinfo/zone1970.tab";

// The tz database's zone1970.tab or zone.tab format: '#' comments, tab-separated columns
// "codes<TAB>coordinates<TAB>zone[<TAB>comment]", codes comma-separated (zone1970.tab) or one.
// Errors name the line.
Result<CountryZoneTable> ParseCountryZoneTable(std::string_view text, std::string_view source);
// Reads and parses a file; a missing or unreadable file is an error value.
Result<CountryZoneTable> LoadCountryZoneTable(const std::string& path);

// Where a recipient is, as the contact record says. Borrowed views.
struct RecipientLocation {
  std::string_view country;    // ISO 3166-1 alpha-2, any case; empty when unknown
  std::string_view time_zone;  // IANA name; empty when unknown
};

enum class QuietHoursVerdict {
  kAllowed,
  kQuiet,        // outside the window in (one of) the recipient's zone(s)
  kUnknownZone,  // neither a valid zone nor a known country
};

class QuietHours {
 public:
  QuietHours();  // applies to no purpose
  // Resolves every zone of `zones` and every zone of the tz database once. Fails on a zone name
  // the tz database does not know, on a malformed country code in the config, or when the tz
  // database cannot be read.
  static Result<QuietHours> Build(QuietHoursConfig config, const CountryZoneTable& zones);

  bool AppliesTo(Purpose purpose) const;
  QuietHoursVerdict Check(SysTime now, const RecipientLocation& recipient) const;

  // The earliest instant >= now at which Check says kAllowed. Errors: unknown zone
  // (kNotFound), or no instant is ever allowed in every zone of the country under its window
  // (kFailedPrecondition), e.g. Russia's eleven zones with a 09:00-12:00 window.
  Result<SysTime> NextAllowedTime(SysTime now, const RecipientLocation& recipient) const;

  // For a refusal's detail: "21:30 local in Europe/Berlin is outside 08:00-21:00 (DE)".
  std::string Explain(SysTime now, const RecipientLocation& recipient) const;

  struct Data;  // implementation detail

 private:
  std::shared_ptr<const Data> data_;
};

}  // namespace herald::compliance
