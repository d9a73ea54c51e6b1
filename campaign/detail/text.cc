#include "campaign/detail/text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <vector>

namespace herald::campaign::detail {
namespace {

// The 249 assigned ISO 3166-1 alpha-2 codes, plus the three region codes libphonenumber derives
// from numbers that ISO does not assign: AC (Ascension Island), TA (Tristan da Cunha) and XK
// (Kosovo). Contacts' countries come from libphonenumber, so those must be selectable.
constexpr std::string_view kCountryCodes =
    "AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO "
    "DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU "
    "GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW "
    "KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU "
    "MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW "
    "PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD "
    "TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE "
    "YT ZA ZM ZW";

std::size_t Digits(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && IsDigit(text[end])) ++end;
  return end - at;
}

}  // namespace

std::string AsciiLowerCopy(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

std::string NormalizeCountry(std::string_view country) {
  std::string out(country);
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

std::optional<double> ParseDecimal(std::string_view text) {
  std::size_t at = (!text.empty() && text[0] == '-') ? 1 : 0;
  std::size_t n = Digits(text, at);
  if (n == 0) return std::nullopt;
  at += n;
  if (at < text.size() && text[at] == '.') {
    n = Digits(text, at + 1);
    if (n == 0) return std::nullopt;
    at += 1 + n;
  }
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) ++at;
    n = Digits(text, at);
    if (n == 0) return std::nullopt;
    at += n;
  }
  if (at != text.size()) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool IsAssignedCountryCode(std::string_view code) {
  if (code.size() != 2) return false;
  for (std::size_t at = 0; at + 2 <= kCountryCodes.size(); at += 3) {
    if (kCountryCodes.substr(at, 2) == code) return true;
  }
  return false;
}

std::optional<std::string_view> CountryCodeHint(std::string_view code) {
  if (code == "UK") return "GB";  // ISO reserves UK; the United Kingdom is GB
  if (code == "EL") return "GR";  // the EU's code for Greece
  return std::nullopt;
}

}  // namespace herald::campaign::detail
