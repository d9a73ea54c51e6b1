#pragma once

#include <string_view>

namespace herald {

inline constexpr std::string_view kVersion = HERALD_VERSION;

}  // namespace herald
