// contacts/phone_number.h: normalises phone numbers to E.164 and derives their country, with
// libphonenumber. WhatsApp addresses a user by number, so a wrong normalisation sends to a
// stranger: nothing is guessed. National formats need a default region; numbers that are invalid,
// impossible or not mobile are refused with a stable reason.
//
// Thread rules: Normalise is const and safe from any thread (libphonenumber's util is).
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
  std::string detail;  // for people, e.g. "not a mobile number (fixed line)"
};

class PhoneNormaliser {
 public:
  // `default_region`: ISO alpha-2 used to read numbers written without a country code ("" for
  // none: such numbers are then refused with kMissingRegion).
  explicit PhoneNormaliser(std::string default_region = {});

  // Normalises `raw` ("+49 151 1234-5678", "0151 12345678" with region DE, "004915112345678").
  // On failure the error's field is "phone" and its message starts with the reason's name.
  Result<NormalisedPhone> Normalise(std::string_view raw) const;
  // The same, with the rejection as a value.
  bool Normalise(std::string_view raw, NormalisedPhone* phone, PhoneRejection* rejection) const;

  // True when `region` is an ISO alpha-2 region libphonenumber knows ("DE", "US", …).
  static bool IsKnownRegion(std::string_view region);

 private:
  std::string default_region_;
};

}  // namespace herald::contacts
