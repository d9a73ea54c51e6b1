#include "contacts/phone_number.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace herald::contacts {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberUtil& Util() { return *PhoneNumberUtil::GetInstance(); }

std::string_view NumberTypeName(PhoneNumberUtil::PhoneNumberType type) {
  switch (type) {
    case PhoneNumberUtil::FIXED_LINE:
      return "fixed line";
    case PhoneNumberUtil::TOLL_FREE:
      return "toll free";
    case PhoneNumberUtil::PREMIUM_RATE:
      return "premium rate";
    case PhoneNumberUtil::SHARED_COST:
      return "shared cost";
    case PhoneNumberUtil::VOIP:
      return "VoIP";
    case PhoneNumberUtil::PERSONAL_NUMBER:
      return "personal number";
    case PhoneNumberUtil::PAGER:
      return "pager";
    case PhoneNumberUtil::UAN:
      return "UAN";
    case PhoneNumberUtil::VOICEMAIL:
      return "voicemail";
    default:
      return "unknown type";
  }
}

bool HasDigit(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "00" is the international call prefix in most of the world; libphonenumber only understands it
// relative to a region, so "0049…" without a default region would be refused. Treat a leading
// "00" as "+" when there is no region to read the number in.
std::string Prepare(std::string_view raw, bool have_region) {
  auto first = raw.find_first_not_of(" \t");
  if (have_region || first == std::string_view::npos || raw.substr(first, 2) != "00") {
    return std::string(raw);
  }
  // Built by appending rather than with replace(), which GCC 12 at -O3 flags with a false
  // -Wrestrict.
  std::string text;
  text.reserve(raw.size() - 1);
  text.append(raw.substr(0, first)).append(1, '+').append(raw.substr(first + 2));
  return text;
}

bool Reject(PhoneRejection* rejection, PhoneRejectReason reason, std::string detail) {
  if (rejection != nullptr) *rejection = PhoneRejection{reason, std::move(detail)};
  return false;
}

std::string UpperAscii(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper;
}

// "00…" after any leading blanks: an international call prefix, not a national number.
bool StartsWithDoubleZero(std::string_view raw) {
  const auto first = raw.find_first_not_of(" \t");
  return first != std::string_view::npos && raw.substr(first, 2) == "00";
}

bool RejectParseError(PhoneNumberUtil::ErrorType error, PhoneRejection* rejection) {
  switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      return Reject(rejection, PhoneRejectReason::kInvalidCountryCode,
                    "unknown country calling code");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return Reject(rejection, PhoneRejectReason::kTooShort, "too short");
    case PhoneNumberUtil::TOO_LONG_NSN:
      return Reject(rejection, PhoneRejectReason::kTooLong, "too long");
    default:
      return Reject(rejection, PhoneRejectReason::kNotANumber, "not a phone number");
  }
}

// Length problems are reported as such; other invalid numbers as "invalid".
bool RejectInvalid(const PhoneNumber& number, PhoneRejection* rejection) {
  switch (Util().IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::TOO_SHORT:
    case PhoneNumberUtil::INVALID_LENGTH:
      return Reject(rejection, PhoneRejectReason::kTooShort,
                    "too short for a number of its country");
    case PhoneNumberUtil::TOO_LONG:
      return Reject(rejection, PhoneRejectReason::kTooLong, "too long for a number of its country");
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
      return Reject(rejection, PhoneRejectReason::kInvalidCountryCode,
                    "unknown country calling code");
    default:
      return Reject(rejection, PhoneRejectReason::kInvalid,
                    "not a valid number in its country's numbering plan");
  }
}

// Canonical E.164 ("+" and 8 to 15 digits, no leading zero after the country code) is the common
// case in exports from other systems. libphonenumber's Parse costs more than the rest of the
// checks together (it runs its ICU regexes over the raw text), so build the number directly:
// country codes are prefix-free, so the first known prefix of 1 to 3 digits is the one.
bool ParseCanonicalE164(std::string_view text, PhoneNumber* number) {
  if (text.size() < 9 || text.size() > 16 || text[0] != '+') return false;
  for (char c : text.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  for (std::size_t length = 1; length <= 3; ++length) {
    int country_code = std::stoi(std::string(text.substr(1, length)));
    std::string region;
    Util().GetRegionCodeForCountryCode(country_code, &region);
    if (region == "ZZ") continue;
    std::string_view national = text.substr(1 + length);
    if (national.empty() || national[0] == '0') return false;  // leading zeros: let Parse decide
    number->set_country_code(country_code);
    number->set_national_number(std::stoull(std::string(national)));
    return true;
  }
  return false;
}

// Reads `text` in `region` ("ZZ" for an international number) and checks it is a valid mobile.
bool ReadMobile(const std::string& text, const std::string& region, NormalisedPhone* phone,
                PhoneRejection* rejection) {
  PhoneNumber number;
  if (!ParseCanonicalE164(text, &number)) {
    auto error = Util().Parse(text, region, &number);
    if (error != PhoneNumberUtil::NO_PARSING_ERROR) return RejectParseError(error, rejection);
  }
  // GetNumberType is UNKNOWN exactly when IsValidNumber is false (both match the region's
  // patterns), so one call answers both questions.
  auto type = Util().GetNumberType(number);
  if (type == PhoneNumberUtil::UNKNOWN) return RejectInvalid(number, rejection);
  if (type != PhoneNumberUtil::MOBILE && type != PhoneNumberUtil::FIXED_LINE_OR_MOBILE) {
    return Reject(rejection, PhoneRejectReason::kNotMobile,
                  "not a mobile number (" + std::string(NumberTypeName(type)) + ")");
  }
  std::string number_region;
  Util().GetRegionCodeForNumber(number, &number_region);
  phone->country = number_region;
  Util().Format(number, PhoneNumberUtil::E164, &phone->e164);
  return true;
}

}  // namespace

std::string_view PhoneRejectReasonName(PhoneRejectReason reason) {
  switch (reason) {
    case PhoneRejectReason::kNotANumber:
      return "not_a_number";
    case PhoneRejectReason::kMissingRegion:
      return "missing_region";
    case PhoneRejectReason::kInvalidCountryCode:
      return "invalid_country_code";
    case PhoneRejectReason::kTooShort:
      return "too_short";
    case PhoneRejectReason::kTooLong:
      return "too_long";
    case PhoneRejectReason::kInvalid:
      return "invalid";
    case PhoneRejectReason::kNotMobile:
      return "not_mobile";
  }
  return "invalid";
}

PhoneNormaliser::PhoneNormaliser(std::string default_region)
    : default_region_(UpperAscii(default_region)) {}

bool PhoneNormaliser::IsKnownRegion(std::string_view region) {
  const std::string upper = UpperAscii(region);
  static const std::set<std::string> kRegions = [] {
    std::set<std::string> regions;
    Util().GetSupportedRegions(&regions);
    return regions;
  }();
  return kRegions.count(upper) > 0;
}

bool PhoneNormaliser::Normalise(std::string_view raw, NormalisedPhone* phone,
                                PhoneRejection* rejection, std::string_view row_region) const {
  if (!HasDigit(raw)) return Reject(rejection, PhoneRejectReason::kNotANumber, "no digits");
  const bool by_row = !row_region.empty() && !StartsWithDoubleZero(raw);
  const std::string region = by_row ? UpperAscii(row_region) : default_region_;
  std::string text = Prepare(raw, !region.empty());
  bool international = text.find('+') != std::string::npos;
  if (!international && region.empty()) {
    return Reject(rejection, PhoneRejectReason::kMissingRegion,
                  "national format needs a country code (+…) or a default region");
  }
  if (!international && !IsKnownRegion(region)) {
    return Reject(rejection, PhoneRejectReason::kMissingRegion,
                  std::string(by_row ? "national format, and the row's country "
                                     : "national format, and the default region ") +
                      region + " has no numbering plan");
  }
  // A rejection of a number read in a region says which: the same digits are valid in another.
  PhoneRejection refused;
  if (!ReadMobile(text, international ? "ZZ" : region, phone, &refused)) {
    if (!international) refused.detail = "read as " + region + ": " + refused.detail;
    return Reject(rejection, refused.reason, std::move(refused.detail));
  }
  return true;
}

Result<NormalisedPhone> PhoneNormaliser::Normalise(std::string_view raw) const {
  NormalisedPhone phone;
  PhoneRejection rejection;
  if (Normalise(raw, &phone, &rejection)) return phone;
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(PhoneRejectReasonName(rejection.reason)) + ": " + rejection.detail,
                   "phone");
}

}  // namespace herald::contacts
