// The value checks of field_rules.h: names, text helpers, and one parser per kind of value.
#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <utility>

#include "common/names.h"
#include "contacts/detail/field_rules.h"

namespace herald::contacts::detail {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char ToUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Lower case for ASCII, Latin-1 letters (U+00C0-U+00DE but U+00D7) and basic Cyrillic
// (U+0410-U+042F): enough to compare the consent words of field_rules.h ignoring case.
std::string FoldCase(std::string_view text) {
  std::string folded(text);
  for (std::size_t i = 0; i < folded.size(); ++i) {
    const auto byte = static_cast<unsigned char>(folded[i]);
    if (byte < 0x80) {
      folded[i] = ToLower(folded[i]);
      continue;
    }
    if (i + 1 >= folded.size()) break;
    const auto next = static_cast<unsigned char>(folded[i + 1]);
    if (byte == 0xC3 && next >= 0x80 && next <= 0x9E && next != 0x97) {
      folded[i + 1] = static_cast<char>(next + 0x20);  // À..Þ -> à..þ
    } else if (byte == 0xD0 && next >= 0x90 && next <= 0x9F) {
      folded[i + 1] = static_cast<char>(next + 0x20);  // А..П -> а..п
    } else if (byte == 0xD0 && next >= 0xA0 && next <= 0xAF) {
      folded[i] = static_cast<char>(0xD1);  // Р..Я -> р..я
      folded[i + 1] = static_cast<char>(next - 0x20);
    }
    ++i;
  }
  return folded;
}

bool AllOf(std::string_view text, bool (*predicate)(char)) {
  return std::all_of(text.begin(), text.end(), predicate);
}

// Reads `digits` decimal digits at text[*i].
bool ReadNumber(std::string_view text, std::size_t* i, std::size_t digits, int* value) {
  if (text.size() - *i < digits) return false;
  int result = 0;
  for (std::size_t k = 0; k < digits; ++k) {
    const char c = text[*i + k];
    if (!IsAsciiDigit(c)) return false;
    result = result * 10 + (c - '0');
  }
  *i += digits;
  *value = result;
  return true;
}

bool ReadChar(std::string_view text, std::size_t* i, char expected) {
  if (*i >= text.size() || text[*i] != expected) return false;
  ++*i;
  return true;
}

// hh:mm[:ss[.fraction]] at text[*i], as a duration since midnight.
bool ReadTimeOfDay(std::string_view text, std::size_t* i, std::chrono::milliseconds* time) {
  int hours = 0, minutes = 0, seconds = 0, millis = 0;
  if (!ReadNumber(text, i, 2, &hours) || !ReadChar(text, i, ':') ||
      !ReadNumber(text, i, 2, &minutes) || hours > 23 || minutes > 59) {
    return false;
  }
  if (ReadChar(text, i, ':')) {
    if (!ReadNumber(text, i, 2, &seconds) || seconds > 59) return false;
    if (ReadChar(text, i, '.')) {
      std::size_t digits = 0;
      for (; *i < text.size() && IsAsciiDigit(text[*i]); ++*i, ++digits) {
        if (digits < 3) millis = millis * 10 + (text[*i] - '0');
      }
      if (digits == 0) return false;
      for (; digits < 3; ++digits) millis *= 10;  // ".5" is 500 ms; beyond ms is truncated
    }
  }
  *time = std::chrono::hours(hours) + std::chrono::minutes(minutes) +
          std::chrono::seconds(seconds) + std::chrono::milliseconds(millis);
  return true;
}

// Z, or +hh:mm, +hhmm, +hh (or -), at text[*i], as the offset from UTC.
bool ReadUtcOffset(std::string_view text, std::size_t* i, std::chrono::minutes* offset) {
  if (ReadChar(text, i, 'Z') || ReadChar(text, i, 'z')) {
    *offset = std::chrono::minutes(0);
    return true;
  }
  int sign = 0;
  if (ReadChar(text, i, '+')) sign = 1;
  if (sign == 0 && ReadChar(text, i, '-')) sign = -1;
  int hours = 0, minutes = 0;
  if (sign == 0 || !ReadNumber(text, i, 2, &hours) || hours > 23) return false;
  if (*i < text.size()) {
    ReadChar(text, i, ':');
    if (!ReadNumber(text, i, 2, &minutes) || minutes > 59) return false;
  }
  *offset = sign * (std::chrono::hours(hours) + std::chrono::minutes(minutes));
  return true;
}

}  // namespace

Field FieldForName(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Field>, 12> kNames = {{
      {"phone", Field::kPhone},
      {"name", Field::kName},
      {"tags", Field::kTags},
      {"country", Field::kCountry},
      {"language", Field::kLanguage},
      {"timezone", Field::kTimezone},
      {"consent_marketing", Field::kConsentMarketing},
      {"consent_marketing_at", Field::kConsentMarketingAt},
      {"consent_marketing_source", Field::kConsentMarketingSource},
      {"consent_utility", Field::kConsentUtility},
      {"consent_utility_at", Field::kConsentUtilityAt},
      {"consent_utility_source", Field::kConsentUtilitySource},
  }};
  for (const auto& [known, field] : kNames) {
    if (known == name) return field;
  }
  return Field::kAttribute;
}

bool IsConsentField(Field field) {
  return field == Field::kConsentMarketing || field == Field::kConsentUtility;
}

bool IsAttributeKey(std::string_view key) {
  return !key.empty() && key.size() <= 64 &&
         AllOf(key, [](char c) { return (c >= 'a' && c <= 'z') || IsAsciiDigit(c) || c == '_'; });
}

std::string_view TrimBlanks(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string ToLowerAscii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = ToLower(c);
  return lower;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ToLower(x) == ToLower(y);
         });
}

std::string Quoted(std::string_view text) {
  constexpr std::size_t kMaxBytes = 64;
  std::string quoted = "\"";
  std::size_t end = text.size();
  if (end > kMaxBytes) {
    end = kMaxBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  }
  for (char c : text.substr(0, end)) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (c == '\n') {
      quoted += "\\n";
    } else if (c == '\r') {
      quoted += "\\r";
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      quoted += '?';
    } else {
      quoted += c;
    }
  }
  if (end < text.size()) quoted += "...";
  quoted += '"';
  return quoted;
}

std::optional<bool> ParseConsentValue(std::string_view value) {
  // English, German, French, Spanish, Portuguese and Russian words, and what exports write.
  static constexpr std::array<std::string_view, 15> kGranted = {"yes",
                                                                "y",
                                                                "true",
                                                                "1",
                                                                "granted",
                                                                "opt-in",
                                                                "opted_in",
                                                                "opted-in",  // English
                                                                "ja",
                                                                "j",    // German
                                                                "oui",  // French
                                                                "si",
                                                                "s\xC3\xAD",  // Spanish: sí
                                                                "sim",        // Portuguese
                                                                "\xD0\xB4\xD0\xB0"};  // Russian: да
  static constexpr std::array<std::string_view, 13> kRevoked = {
      "no",
      "n",
      "false",
      "0",
      "revoked",
      "opt-out",
      "opted_out",
      "opted-out",  // English, es, pt
      "nein",       // German
      "non",        // French
      "n\xC3\xA3o",
      "nao",                        // Portuguese: não
      "\xD0\xBD\xD0\xB5\xD1\x82"};  // Russian: нет
  const std::string folded = FoldCase(value);
  for (std::string_view word : kGranted) {
    if (folded == word) return true;
  }
  for (std::string_view word : kRevoked) {
    if (folded == word) return false;
  }
  return std::nullopt;
}

std::optional<SysTime> ParseTimestamp(std::string_view value) {
  std::size_t i = 0;
  int year = 0, month = 0, day = 0;
  if (!ReadNumber(value, &i, 4, &year) || !ReadChar(value, &i, '-') ||
      !ReadNumber(value, &i, 2, &month) || !ReadChar(value, &i, '-') ||
      !ReadNumber(value, &i, 2, &day)) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year(year), date::month(static_cast<unsigned>(month)),
                                 date::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  SysTime at = std::chrono::time_point_cast<std::chrono::milliseconds>(date::sys_days(ymd));
  if (i == value.size()) return at;  // a date alone: midnight UTC
  if (value[i] != 'T' && value[i] != 't' && value[i] != ' ') return std::nullopt;
  ++i;
  std::chrono::milliseconds time_of_day{};
  std::chrono::minutes offset{};
  if (!ReadTimeOfDay(value, &i, &time_of_day) || !ReadUtcOffset(value, &i, &offset) ||
      i != value.size()) {
    return std::nullopt;
  }
  return at + time_of_day - offset;
}

std::optional<std::string> NormaliseCountry(std::string_view value) {
  if (value.size() != 2 || !IsAsciiLetter(value[0]) || !IsAsciiLetter(value[1])) {
    return std::nullopt;
  }
  return std::string{ToUpper(value[0]), ToUpper(value[1])};
}

bool IsTagName(std::string_view tag) { return names::IsTag(tag); }

bool IsKnownTimeZone(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  try {
    (void)date::locate_zone(name);
    return true;
  } catch (const std::exception&) {  // not found, or no tzdata at all
    return false;
  }
}

}  // namespace herald::contacts::detail
