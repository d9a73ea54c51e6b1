// Character classes and normalisations shared by the segment parser and the contact index, so
// that a term and a contact's facts are folded the same way.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace herald::campaign::detail {

inline bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

// Characters of tag names and attribute keys: ASCII letters, digits, '_', '-', '.', and any byte
// of a multi-byte UTF-8 sequence.
inline bool IsNameChar(char c) {
  return IsAsciiLetter(c) || IsDigit(c) || c == '_' || c == '-' || c == '.' ||
         static_cast<unsigned char>(c) >= 0x80;
}

std::string AsciiLowerCopy(std::string_view text);

// Tags and attribute keys: ASCII lower case.
inline std::string NormalizeName(std::string_view name) { return AsciiLowerCopy(name); }

// Countries: ASCII upper case ("de" -> "DE").
std::string NormalizeCountry(std::string_view country);

// The strict number syntax of expressions and attribute values: -?D+(.D+)?([eE][+-]?D+)?, finite.
std::optional<double> ParseDecimal(std::string_view text);

// Whether `code` (upper case) is an assigned ISO 3166-1 alpha-2 code, and the usual code for a
// common mistake ("UK" -> "GB").
bool IsAssignedCountryCode(std::string_view code);
std::optional<std::string_view> CountryCodeHint(std::string_view code);

}  // namespace herald::campaign::detail
