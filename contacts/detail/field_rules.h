// contacts/detail/field_rules.h: what each import column or key means and how its value is
// checked, shared by the CSV and JSON Lines readers so that both accept and reject the same values
// with the same reasons.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "contacts/contact_record.h"

namespace herald::contacts::detail {

enum class Field : std::uint8_t {
  kPhone,
  kName,
  kTags,
  kCountry,
  kLanguage,
  kTimezone,
  kConsentMarketing,
  kConsentMarketingAt,
  kConsentMarketingSource,
  kConsentUtility,
  kConsentUtilityAt,
  kConsentUtilitySource,
  kAttribute,  // any other name
};

// The field a column or key names; `name` is lower case without surrounding spaces.
Field FieldForName(std::string_view name);
bool IsConsentField(Field field);  // kConsentMarketing or kConsentUtility

// [a-z0-9_]{1,64}
bool IsAttributeKey(std::string_view key);
inline constexpr std::string_view kAttributeKeyRule = "1-64 characters of a-z, 0-9 and _";

std::string_view TrimBlanks(std::string_view text);  // spaces and tabs
std::string ToLowerAscii(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// `text` in double quotes for a message: shortened to about 64 bytes (at a UTF-8 boundary),
// control characters and quotes escaped.
std::string Quoted(std::string_view text);

// The value checks, exposed for tests. Each returns nullopt for a value it does not accept.
std::optional<bool> ParseConsentValue(std::string_view value);  // true: granted
// "2024-05-01", "2024-05-01T10:00Z", "2024-05-01T10:00:00.250+02:00", "... 10:00:00-0500"
std::optional<SysTime> ParseTimestamp(std::string_view value);
std::optional<std::string> NormaliseCountry(std::string_view value);  // "de" -> "DE"
bool IsTagName(std::string_view tag);
// What separates tags inside one tags value, in every format and with either CSV delimiter: a tag
// name holds none of them, so a quoted "vip;new" in a ';'-delimited file is two tags as well.
inline constexpr std::string_view kTagSeparators = ",;|";
bool IsKnownTimeZone(std::string_view name);  // in the system tzdata

// Builds one ContactRecord from its fields, given in any order; checks each value as it is set.
// Problems are returned for people, without line or column ("\"Germany\" is not an ISO 3166
// alpha-2 code"); the caller adds where.
class RecordBuilder {
 public:
  void Reset(std::int64_t line);
  // Sets a field other than kAttribute from a trimmed, non-empty value.
  std::optional<std::string> Set(Field field, std::string_view value);
  std::optional<std::string> AddTag(std::string_view tag);  // trimmed; empty is ignored
  // `field` is kConsentMarketing or kConsentUtility.
  void SetConsent(Field field, bool granted);
  void AddAttribute(std::string key, std::string value) {
    record_.attributes.emplace_back(std::move(key), std::move(value));
  }
  ContactRecord& record() { return record_; }
  bool has_phone() const { return !record_.phone.empty(); }

  // The record, with consent changes for the purposes whose value was given; duplicate tags
  // (ignoring case) removed. Leaves the builder to be Reset.
  ContactRecord Finish();

 private:
  struct PendingConsent {
    std::optional<bool> granted;
    std::optional<SysTime> at;
    std::string source;
  };
  PendingConsent& ConsentFor(Field field);
  std::optional<std::string> SetConsentPart(Field field, std::string_view value);

  ContactRecord record_;
  PendingConsent marketing_;
  PendingConsent utility_;
};

}  // namespace herald::contacts::detail
