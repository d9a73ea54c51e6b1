// contacts/contact_record.h: one row of a contact import file, validated but not yet normalised.
//
// A ContactRecord is what a CSV or JSON Lines row says about one contact after every field has been
// checked (country, language, time zone, consent, tags, attribute names); the phone number is kept
// as written, because E.164 normalisation needs libphonenumber and a default region (see
// contacts/phone_number.h). Empty optionals mean "the file says nothing": the importer changes
// nothing for them. A row that fails a check becomes a Reject instead, naming line, column and
// value, so that an import reports every row it did not take.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/clock.h"

namespace herald::contacts {

// A consent decision stated by the file for one purpose (marketing or utility).
struct ConsentChange {
  bool granted = false;
  std::optional<SysTime> at;  // empty: the file gives no time; the importer uses the import time
  std::string source;         // empty: the file gives no source; the importer uses its default

  friend bool operator==(const ConsentChange&, const ConsentChange&) = default;
};

struct ContactRecord {
  std::int64_t line = 0;  // physical line where the row starts (1-based; a CSV header is line 1)
  std::string phone;      // as written, surrounding spaces trimmed; never empty
  std::optional<std::string> name;
  // Valid tag names (1-64 ASCII letters, digits, '_', '-', '.'), spelling as written, no two equal
  // when compared case-insensitively, in file order.
  std::vector<std::string> tags;
  std::optional<std::string> country;   // ISO 3166 alpha-2, upper case: "DE"
  std::optional<std::string> language;  // "de", "de_AT", "pt_BR", "zh_Hant_TW"
  std::optional<std::string> timezone;  // an IANA name known to the system tzdata
  std::optional<ConsentChange> marketing;
  std::optional<ConsentChange> utility;
  // Every other column (CSV) or key (JSON): key matches [a-z0-9_]{1,64}, value non-empty; in file
  // order, keys unique.
  std::vector<std::pair<std::string, std::string>> attributes;

  friend bool operator==(const ContactRecord&, const ContactRecord&) = default;
};

// A row that was not taken, with the reason for people and the row as it was read, so that it can
// be written to a rejects CSV (see RejectsCsvWriter), corrected and imported again.
struct Reject {
  std::int64_t line = 0;  // physical line where the row starts
  // "line 12: column \"country\": \"Germany\" is not an ISO 3166 alpha-2 code"
  std::string reason;
  // CSV: the row's fields as read, without a formula guard (import_reader.h); their number may
  // differ from the header's. JSON Lines: one field, the line's text.
  std::vector<std::string> fields;

  // `reason` without its "line N: ", for where the line is shown beside it (the rejects CSV).
  std::string_view ReasonWithoutLine() const {
    const std::string prefix = "line " + std::to_string(line) + ": ";
    std::string_view text = reason;
    if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
    return text;
  }

  friend bool operator==(const Reject&, const Reject&) = default;
};

using RowResult = std::variant<ContactRecord, Reject>;

}  // namespace herald::contacts
