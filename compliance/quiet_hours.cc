#include "compliance/quiet_hours.h"

#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "compliance/detail/gate_zone_group.h"

namespace herald::compliance {
namespace {

using detail::GateZoneGroup;
using detail::GateZoneSegment;
using detail::kGateForever;

constexpr std::int64_t kDay_s = 86400;

struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const {
    return std::hash<std::string_view>{}(name);
  }
};
template <typename T>
using NameMap = std::unordered_map<std::string, T, NameHash, std::equal_to<>>;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && (a < 0)); }
std::int64_t FloorMod(std::int64_t a, std::int64_t b) { return a - FloorDiv(a, b) * b; }

// "DE", "de" -> "DE"; anything that is not two ASCII letters -> nullopt.
std::optional<std::array<char, 2>> CountryKey(std::string_view country) {
  if (country.size() != 2) return std::nullopt;
  std::array<char, 2> key{};
  for (int i = 0; i < 2; ++i) {
    char c = country[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return std::nullopt;
    key[i] = c;
  }
  return key;
}

bool AllowedIn(const GateZoneSegment& segment, std::int64_t t_s, const LocalTimeWindow& window) {
  for (std::int32_t offset : segment.offsets()) {
    if (!window.Contains(std::chrono::seconds(FloorMod(t_s + offset, kDay_s)))) return false;
  }
  return true;
}

Result<int> ParseClockPart(std::string_view text, int max) {
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.size() != 2 || ec != std::errc() || end != text.data() + text.size() || value > max) {
    return MakeError(ErrorCode::kInvalidArgument, "bad time \"" + std::string(text) + "\"");
  }
  return value;
}

// "HH:MM" -> minutes since midnight, 00:00 to 24:00.
Result<std::chrono::minutes> ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected HH:MM, got \"" + std::string(text) + "\"");
  }
  Result<int> hours = ParseClockPart(text.substr(0, 2), 24);
  Result<int> minutes = ParseClockPart(text.substr(3, 2), 59);
  if (!hours.ok() || !minutes.ok() || (*hours == 24 && *minutes != 0)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad time \"" + std::string(text) + "\"");
  }
  return std::chrono::minutes(*hours * 60 + *minutes);
}

std::string FormatClock(std::int64_t seconds_of_day) {
  const auto hours = static_cast<int>(seconds_of_day / 3600);
  const auto minutes = static_cast<int>(seconds_of_day / 60 % 60);
  return {static_cast<char>('0' + hours / 10), static_cast<char>('0' + hours % 10), ':',
          static_cast<char>('0' + minutes / 10), static_cast<char>('0' + minutes % 10)};
}

}  // namespace

struct QuietHours::Data {
  struct Country {
    LocalTimeWindow window;
    std::optional<GateZoneGroup> zones;
  };
  // Who is where, resolved: the group of zones and the window that apply.
  struct Target {
    const GateZoneGroup* zones = nullptr;
    LocalTimeWindow window;
    std::string_view country;  // for messages; empty when not known
  };

  QuietHoursConfig config;
  NameMap<Country> countries;           // upper-case code
  NameMap<GateZoneGroup> zone_by_name;  // every zone of the tz database

  Target Resolve(const RecipientLocation& recipient) const {
    Target target;
    target.window = config.default_window;
    const Country* country = nullptr;
    if (auto key = CountryKey(recipient.country)) {
      auto found = countries.find(std::string_view(key->data(), 2));
      if (found != countries.end()) {
        country = &found->second;
        target.window = country->window;
        target.country = found->first;
      }
    }
    if (!recipient.time_zone.empty()) {
      auto zone = zone_by_name.find(recipient.time_zone);
      if (zone != zone_by_name.end()) {
        target.zones = &zone->second;
        return target;
      }
    }
    if (country != nullptr && country->zones) target.zones = &*country->zones;
    return target;
  }
};

bool LocalTimeWindow::Contains(std::chrono::seconds time_of_day) const {
  const std::chrono::seconds from = start, to = end;
  if (from < to) return time_of_day >= from && time_of_day < to;
  return time_of_day >= from || time_of_day < to;
}

Result<LocalTimeWindow> ParseLocalTimeWindow(std::string_view text) {
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected a window like 08:00-21:00, got \"" + std::string(text) + "\"");
  }
  Result<std::chrono::minutes> start = ParseClock(text.substr(0, dash));
  if (!start.ok()) return std::move(start).error();
  Result<std::chrono::minutes> end = ParseClock(text.substr(dash + 1));
  if (!end.ok()) return std::move(end).error();
  if (*start == std::chrono::hours(24)) {
    return MakeError(ErrorCode::kInvalidArgument, "a window cannot start at 24:00");
  }
  if (*start == *end) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "an empty window (start equals end); use 00:00-24:00 for always");
  }
  return LocalTimeWindow{*start, *end};
}

std::string FormatLocalTimeWindow(const LocalTimeWindow& window) {
  return FormatClock(window.start.count() * 60) + "-" + FormatClock(window.end.count() * 60);
}

Result<CountryZoneTable> ParseCountryZoneTable(std::string_view text, std::string_view source) {
  CountryZoneTable table;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string_view> columns;
    for (std::size_t pos = 0; pos <= line.size();) {
      std::size_t tab = std::min(line.find('\t', pos), line.size());
      columns.push_back(std::string_view(line).substr(pos, tab - pos));
      pos = tab + 1;
    }
    const std::string where = std::string(source) + ":" + std::to_string(number);
    if (columns.size() < 3 || columns[2].empty()) {
      return MakeError(ErrorCode::kCorruption, "expected codes, coordinates and a zone", where);
    }
    for (std::size_t pos = 0; pos <= columns[0].size();) {
      std::size_t comma = std::min(columns[0].find(',', pos), columns[0].size());
      std::string_view code = columns[0].substr(pos, comma - pos);
      auto key = CountryKey(code);
      if (!key || code != std::string_view(key->data(), 2)) {
        std::string message(1, '"');  // built stepwise: GCC 12 -O3 warns on "lit" + string
        message.append(code).append("\" is not an upper-case country code");
        return MakeError(ErrorCode::kCorruption, std::move(message), where);
      }
      std::vector<std::string>& zones = table[std::string(code)];
      if (std::find(zones.begin(), zones.end(), columns[2]) == zones.end()) {
        zones.emplace_back(columns[2]);
      }
      pos = comma + 1;
    }
  }
  return table;
}

Result<CountryZoneTable> LoadCountryZoneTable(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return MakeError(ErrorCode::kNotFound, "cannot read the country zone table " + path, path);
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) return MakeError(ErrorCode::kIoError, "error reading " + path, path);
  return ParseCountryZoneTable(content.str(), path);
}

QuietHours::QuietHours() {
  auto data = std::make_shared<Data>();
  data->config.purposes = PurposeSet{};
  data_ = std::move(data);
}

bool QuietHours::AppliesTo(Purpose purpose) const {
  return data_->config.purposes.Contains(purpose);
}

namespace {

using Zones = std::vector<const date::time_zone*>;

Result<Zones> LocateZones(const std::string& country, const std::vector<std::string>& names) {
  Zones zones;
  for (const std::string& name : names) {
    try {
      zones.push_back(date::locate_zone(name));
    } catch (const std::exception&) {
      return MakeError(ErrorCode::kNotFound,
                       "time zone \"" + name + "\" of " + country + " is not in the tz database",
                       country);
    }
  }
  return zones;
}

Status AddCountryWindows(QuietHours::Data& data, const QuietHoursConfig& config) {
  for (const auto& [code, window] : config.country_windows) {
    auto key = CountryKey(code);
    if (!key) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "\"" + code + "\" is not an ISO 3166-1 alpha-2 country code", code);
    }
    if (window.start == window.end) {
      return MakeError(ErrorCode::kInvalidArgument, "an empty quiet-hours window", code);
    }
    data.countries[std::string(key->data(), 2)].window = window;
  }
  return Status::Ok();
}

}  // namespace

Result<QuietHours> QuietHours::Build(QuietHoursConfig config, const CountryZoneTable& zones) {
  auto data = std::make_shared<Data>();
  if (config.default_window.start == config.default_window.end) {
    return MakeError(ErrorCode::kInvalidArgument, "an empty default quiet-hours window");
  }
  try {
    for (const auto& [country, names] : zones) {
      Result<Zones> located = LocateZones(country, names);
      if (!located.ok()) return std::move(located).error();
      Data::Country& entry = data->countries[country];
      entry.window = config.default_window;
      if (!located->empty()) entry.zones.emplace(std::move(located).value());
    }
    Status windows = AddCountryWindows(*data, config);
    if (!windows.ok()) return windows.error();
    for (const date::time_zone& zone : date::get_tzdb().zones) {
      data->zone_by_name.emplace(zone.name(), GateZoneGroup({&zone}));
    }
  } catch (const std::exception& error) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     std::string("cannot use the tz database: ") + error.what());
  }
  data->config = std::move(config);
  QuietHours quiet_hours;
  quiet_hours.data_ = std::move(data);
  return quiet_hours;
}

QuietHoursVerdict QuietHours::Check(SysTime now, const RecipientLocation& recipient) const {
  const Data::Target target = data_->Resolve(recipient);
  if (target.zones == nullptr) return QuietHoursVerdict::kUnknownZone;
  const std::int64_t t_s = FloorDiv(now.time_since_epoch().count(), 1000);
  return AllowedIn(target.zones->SegmentAt(t_s), t_s, target.window) ? QuietHoursVerdict::kAllowed
                                                                     : QuietHoursVerdict::kQuiet;
}

namespace {

// The earliest allowed instant in [t_s, min(segment end, t_s + 1 day)), or nullopt. Inside one
// segment the offsets are fixed, so the allowed set repeats daily and is an intersection of one
// window per offset: its earliest point after t_s is t_s itself or the opening of one of the
// windows, and looking one day ahead covers the rest of the segment.
std::optional<std::int64_t> FirstAllowedInSegment(const GateZoneSegment& segment, std::int64_t t_s,
                                                  const LocalTimeWindow& window) {
  if (AllowedIn(segment, t_s, window)) return t_s;
  const std::int64_t limit = segment.end_s - kDay_s > t_s ? t_s + kDay_s : segment.end_s;
  const std::int64_t start_s = std::chrono::seconds(window.start).count();
  std::array<std::int64_t, detail::kGateMaxGroupOffsets> openings{};
  std::size_t count = 0;
  for (std::int32_t offset : segment.offsets()) {
    const std::int64_t local = t_s + offset;
    std::int64_t opening = local - FloorMod(local, kDay_s) + start_s - offset;
    if (opening <= t_s) opening += kDay_s;
    if (opening < limit) openings[count++] = opening;
  }
  std::sort(openings.begin(), openings.begin() + count);
  for (std::size_t i = 0; i < count; ++i) {
    if (AllowedIn(segment, openings[i], window)) return openings[i];
  }
  return std::nullopt;
}

}  // namespace

Result<SysTime> QuietHours::NextAllowedTime(SysTime now, const RecipientLocation& recipient) const {
  const Data::Target target = data_->Resolve(recipient);
  if (target.zones == nullptr) {
    return MakeError(ErrorCode::kNotFound, "the recipient's time zone is unknown (country \"" +
                                               std::string(recipient.country) + "\", zone \"" +
                                               std::string(recipient.time_zone) + "\")");
  }
  const std::int64_t now_s = FloorDiv(now.time_since_epoch().count(), 1000);
  std::int64_t t_s = now_s;
  // Each round moves to the next segment; tzdata has a few thousand transitions per country.
  for (int round = 0; round < 100000; ++round) {
    const GateZoneSegment segment = target.zones->SegmentAt(t_s);
    if (std::optional<std::int64_t> found = FirstAllowedInSegment(segment, t_s, target.window)) {
      if (*found == now_s) return now;
      return SysTime(std::chrono::seconds(*found));
    }
    if (segment.end_s == kGateForever) break;
    t_s = segment.end_s;
  }
  return MakeError(ErrorCode::kFailedPrecondition,
                   "no instant is inside " + FormatLocalTimeWindow(target.window) +
                       " in every time zone of " + target.zones->Label());
}

std::string QuietHours::Explain(SysTime now, const RecipientLocation& recipient) const {
  const Data::Target target = data_->Resolve(recipient);
  if (target.zones == nullptr) {
    return "no valid time zone and no known country (zone \"" + std::string(recipient.time_zone) +
           "\", country \"" + std::string(recipient.country) + "\")";
  }
  const std::string rule = FormatLocalTimeWindow(target.window) +
                           (target.country.empty() ? "" : " (" + std::string(target.country) + ")");
  const date::sys_seconds at = std::chrono::floor<std::chrono::seconds>(now);
  for (const date::time_zone* zone : target.zones->zones()) {
    const std::int64_t local = (at + zone->get_info(at).offset).time_since_epoch().count();
    if (!target.window.Contains(std::chrono::seconds(FloorMod(local, kDay_s)))) {
      return FormatClock(FloorMod(local, kDay_s)) + " local in " + zone->name() + " is outside " +
             rule;
    }
  }
  return "inside " + rule + " in " + target.zones->Label();
}

}  // namespace herald::compliance
