// common/money.h: amounts of money as integers of millionths of the currency unit (micros), so
// sums are exact: 0.0250 USD is 25,000.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald {

// Micros as a decimal amount with up to six digits after the point, trailing zeros dropped but
// at least two: 25000 -> "0.025", 1500000 -> "1.50".
std::string FormatMicros(std::int64_t micros);
// "0.0250" -> 25000. At most six decimals; no sign, no exponent. nullopt otherwise.
std::optional<std::int64_t> ParseMicros(std::string_view text);

}  // namespace herald
