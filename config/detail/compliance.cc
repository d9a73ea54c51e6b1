#include "config/detail/compliance.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <utility>

#include "common/language_tag.h"
#include "common/suggest.h"

namespace herald::config::detail {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kGiB = std::size_t{1} << 30;
constexpr std::size_t kMaxStopKeywordBytes = 64;
constexpr std::array<std::string_view, 2> kQuietHoursPurposes{"marketing", "utility"};

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "en", "fil", "en_US", "pt_BR", "es_419": the language codes WhatsApp templates use. The config
// spells them canonically (LanguageTag::canonical), as they are stored and compared.
bool IsLanguageCode(std::string_view code) {
  const Result<LanguageTag> tag = LanguageTag::Parse(code);
  return tag.ok() && tag->canonical() == code;
}

constexpr std::string_view kLanguageHelp =
    R"(expected a language code like "en", "de" or "pt_BR" (lower-case language, optional "_" and upper-case region))";

// Two digits from `text` at `at`, or nullopt.
std::optional<int> TwoDigits(std::string_view text, std::size_t at) {
  if (!IsDigit(text[at]) || !IsDigit(text[at + 1])) return std::nullopt;
  return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

std::optional<minutes> ParseClock(std::string_view text, std::size_t at) {
  const auto hour = TwoDigits(text, at);
  const auto minute = TwoDigits(text, at + 3);
  if (!hour || !minute || text[at + 2] != ':' || *hour > 24 || *minute > 59) return std::nullopt;
  if (*hour == 24 && *minute != 0) return std::nullopt;
  return hours(*hour) + minutes(*minute);
}

std::string FormatClock(minutes time) {
  const auto pad = [](long value) { return (value < 10 ? "0" : "") + std::to_string(value); };
  return pad(time.count() / 60) + ":" + pad(time.count() % 60);
}

// Reads the window text of `field` into `out`; false after reporting what is wrong.
bool ReadWindow(const Field& field, LocalTimeWindow& out) {
  const auto text = field.String(FormatClock(out.start) + "-" + FormatClock(out.end));
  if (!text) return false;
  auto window = ParseLocalTimeWindow(*text);
  if (!window) {
    field.Fail(window.error().message);
    return false;
  }
  out = *window;
  return true;
}

}  // namespace

// The strings of an array value, or nullopt after reporting a wrong type.
std::optional<std::vector<std::string>> ReadStrings(const Field& field, std::string_view example) {
  const auto* array = field.node().as_array();
  if (array == nullptr) {
    field.Fail("expected an array of strings like " + std::string(example) + ", got " +
               std::string(TypeName(field.node().type())));
    return std::nullopt;
  }
  std::vector<std::string> strings;
  bool ok = true;
  for (const toml::node& element : *array) {
    if (const auto* text = element.as_string()) {
      strings.push_back(text->get());
    } else {
      field.Element(element).Fail("expected a string, got " +
                                  std::string(TypeName(element.type())));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return strings;
}

namespace {}  // namespace

Result<LocalTimeWindow> ParseLocalTimeWindow(std::string_view text) {
  const auto invalid = [&](std::string why) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid time window " + Quoted(text) + " (" +
                                                      std::move(why) +
                                                      R"(); expected "HH:MM-HH:MM" on a 24-hour )"
                                                      R"(clock, e.g. "08:00-21:00")");
  };
  if (text.size() != 11 || text[5] != '-') return invalid("not HH:MM-HH:MM");
  const auto start = ParseClock(text, 0);
  const auto end = ParseClock(text, 6);
  if (!start || !end) return invalid("hours run from 00 to 24, minutes from 00 to 59");
  if (*start == hours(24)) return invalid("a window cannot start at 24:00");
  if (*start >= *end) {
    return invalid("the start must be before the end; a window cannot wrap past midnight");
  }
  return LocalTimeWindow{*start, *end};
}

void ReadWindowMargin(const Field& field, Config& config) {
  const auto text = field.String("10m");
  if (!text) return;
  const auto margin = ParseDuration(*text);
  if (!margin) return field.Fail(margin.error().message);
  if (*margin >= hours(24)) {
    // The margin is taken off a 24-hour window: a whole day would leave nothing.
    return field.Fail("must be less than 24h (the length of the service window), got " +
                      field.Written());
  }
  config.compliance.window_margin = *margin;
}

void ReadDefaultTemplateLanguage(const Field& field, Config& config) {
  const auto text = field.String("en");
  if (!text) return;
  if (!IsLanguageCode(*text))
    return field.Fail(std::string(kLanguageHelp) + ", got " + Quoted(*text));
  config.compliance.default_template_language = *text;
}

void ReadMaxMarketing(const Field& field, Config& config) {
  ReadCount(field, 0, 1000, config.compliance.frequency_cap.max_marketing);
}

void ReadFrequencyCapPeriod(const Field& field, Config& config) {
  ReadDuration(field, {hours(1), hours(24 * 90)}, config.compliance.frequency_cap.period);
}

void ReadQuietHoursDefault(const Field& field, Config& config) {
  (void)ReadWindow(field, config.compliance.quiet_hours.default_window);
}

void ReadQuietHoursPurposes(const Field& field, Config& config) {
  const auto purposes = ReadStrings(field, R"(["marketing"])");
  if (!purposes) return;
  std::vector<std::string> read;
  for (const std::string& purpose : *purposes) {
    if (std::find(kQuietHoursPurposes.begin(), kQuietHoursPurposes.end(), purpose) ==
        kQuietHoursPurposes.end()) {
      std::string message =
          "unknown purpose " + Quoted(purpose) + "; expected marketing or utility";
      if (const auto close = herald::ClosestMatch(purpose, kQuietHoursPurposes)) {
        message += "; did you mean " + Quoted(*close) + "?";
      }
      return field.Fail(std::move(message));
    }
    if (std::find(read.begin(), read.end(), purpose) != read.end()) {
      return field.Fail("purpose " + Quoted(purpose) + " is listed twice");
    }
    read.push_back(purpose);
  }
  config.compliance.quiet_hours.purposes = std::move(read);
}

void ReadMaxMatcherMemory(const Field& field, Config& config) {
  ReadSize(field, 8 * kMiB, 16 * kGiB, config.compliance.word_filter.max_matcher_memory_bytes);
}

void ReadQuietHoursCountry(const Field& field, std::string_view country, Config& config) {
  const bool alpha2 = country.size() == 2 && IsUpper(country[0]) && IsUpper(country[1]);
  if (!alpha2) {
    return field.Fail(
        "expected an ISO 3166 alpha-2 country code in upper case, like \"US\" or "
        "\"DE\", as the key, got " +
        Quoted(country));
  }
  LocalTimeWindow window;
  if (ReadWindow(field, window))
    config.compliance.quiet_hours.countries[std::string(country)] = window;
}

void ReadStopKeywords(const Field& field, std::string_view language, Config& config) {
  if (!IsLanguageCode(language)) {
    return field.Fail(std::string(kLanguageHelp) + " as the key, got " + Quoted(language));
  }
  const auto keywords = ReadStrings(field, R"(["STOP", "UNSUBSCRIBE"])");
  if (!keywords) return;
  for (const std::string& keyword : *keywords) {
    if (keyword.empty()) return field.Fail("a keyword is empty");
    if (keyword.size() > kMaxStopKeywordBytes) {
      return field.Fail("keyword " + Quoted(keyword) + " is longer than " +
                        std::to_string(kMaxStopKeywordBytes) + " bytes");
    }
    if (std::isspace(static_cast<unsigned char>(keyword.front())) ||
        std::isspace(static_cast<unsigned char>(keyword.back()))) {
      return field.Fail("keyword " + Quoted(keyword) + " starts or ends with whitespace");
    }
    if (std::count(keywords->begin(), keywords->end(), keyword) > 1) {
      return field.Fail("keyword " + Quoted(keyword) + " is listed twice");
    }
  }
  auto& languages = config.compliance.stop_keywords;
  if (keywords->empty()) {
    languages.erase(std::string(language));
  } else {
    languages[std::string(language)] = *keywords;
  }
}

std::vector<std::string> DefaultQuietHoursCountries() {
  std::vector<std::string> keys;
  for (const auto& [country, window] : ComplianceConfig{}.quiet_hours.countries) {
    keys.push_back(country);
  }
  return keys;
}

std::vector<std::string> DefaultStopKeywordLanguages() {
  std::vector<std::string> keys;
  for (const auto& [language, keywords] : ComplianceConfig{}.stop_keywords)
    keys.push_back(language);
  return keys;
}

}  // namespace herald::config::detail
