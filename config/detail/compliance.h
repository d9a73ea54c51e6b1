// Readers for the [compliance] table's values (the schema in schema.cc says which key uses which).
// Internal to config/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/detail/field.h"

namespace herald::config::detail {

void ReadWindowMargin(const Field& field, Config& config);
void ReadDefaultTemplateLanguage(const Field& field, Config& config);
void ReadMaxMarketing(const Field& field, Config& config);
void ReadFrequencyCapPeriod(const Field& field, Config& config);
void ReadQuietHoursDefault(const Field& field, Config& config);
void ReadQuietHoursPurposes(const Field& field, Config& config);
void ReadMaxMatcherMemory(const Field& field, Config& config);

// Entries of the tables whose keys are data: compliance.quiet_hours.countries (a country code and
// its window) and compliance.stop_keywords (a language and its keywords).
void ReadQuietHoursCountry(const Field& field, std::string_view country, Config& config);
// The strings of an array value, or nullopt after reporting a wrong type.
std::optional<std::vector<std::string>> ReadStrings(const Field& field, std::string_view example);

void ReadStopKeywords(const Field& field, std::string_view language, Config& config);
// Their keys in the default config, sorted, as the example config lists them.
std::vector<std::string> DefaultQuietHoursCountries();
std::vector<std::string> DefaultStopKeywordLanguages();

// "08:00-21:00": HH:MM-HH:MM on a 24-hour clock, end up to 24:00 and after start.
Result<LocalTimeWindow> ParseLocalTimeWindow(std::string_view text);

}  // namespace herald::config::detail
