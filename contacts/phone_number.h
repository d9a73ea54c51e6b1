// contacts/phone_number.h: normalises phone numbers to E.164 and derives their country, with
// libphonenumber. WhatsApp addresses a user by number, so a wrong normalisation sends to a
// stranger: nothing is guessed. National formats need a region (the row's country, else the
// default region); numbers that are invalid, impossible or not mobile are refused with a stable
// reason.
//
// Thread rules: Normalise is const and safe from any thread (libphonenumber's util is). A
// normaliser holds nothing but its default region: one serves every region, so an import needs
// neither one per row nor a cache of them.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace herald::contacts {

enum class PhoneRejectReason {
  kNotANumber,          // no digits, letters mixed in, …
  kMissingRegion,       // national format and no default region to read it in
  kInvalidCountryCode,  // +999 …
  kTooShort,
  kTooLong,
  kInvalid,    // possible length, but no such number in its region's plan
  kNotMobile,  // fixed line, toll free, premium rate, …: cannot receive WhatsApp
};

// Stable machine-readable name: "not_a_number", "missing_region", "invalid_country_code",
// "too_short", "too_long", "invalid", "not_mobile".
std::string_view PhoneRejectReasonName(PhoneRejectReason reason);

struct NormalisedPhone {
  std::string e164;     // "+4915112345678"
  std::string country;  // ISO 3166-1 alpha-2 of the number's region, e.g. "DE"
};

struct PhoneRejection {
  PhoneRejectReason reason;
  // For people, e.g. "not a mobile number (fixed line)"; for a number read in a region, the region
  // first: "read as DE: not a mobile number (fixed line)".
  std::string detail;
};

class PhoneNormaliser {
 public:
  // `default_region`: ISO alpha-2 used to read numbers written without a country code ("" for
  // none: such numbers are then refused with kMissingRegion).
  explicit PhoneNormaliser(std::string default_region = {});

  // Normalises `raw` ("+49 151 1234-5678", "0151 12345678" with region DE, "004915112345678").
  // On failure the error's field is "phone" and its message starts with the reason's name.
  Result<NormalisedPhone> Normalise(std::string_view raw) const;
  // The same, with the rejection as a value. `row_region` (ISO alpha-2, any case; "" for none) is
  // where the number's own record says it is, e.g. a CSV row's country: a national number ("415-
  // 555-2672", "0151 12345678") is read in it rather than in the default region. A number with an
  // international prefix ("+…", "00…") is not national: "00" keeps meaning what it means in the
  // default region. A row region libphonenumber does not know refuses a national number
  // (kMissingRegion) instead of falling back to the default.
  bool Normalise(std::string_view raw, NormalisedPhone* phone, PhoneRejection* rejection,
                 std::string_view row_region = {}) const;

  // True when `region` is an ISO alpha-2 region libphonenumber knows ("DE", "US", …).
  static bool IsKnownRegion(std::string_view region);

 private:
  std::string default_region_;
};

}  // namespace herald::contacts
