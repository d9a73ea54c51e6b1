// What the config file may contain: its tables, keys and enum spellings. toml++-free, so tests
// can check the documentation (systemd/herald.example.toml) against it.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace herald::config::detail {

// In the order of the LogLevel and LogFormat enumerators.
inline constexpr std::array<std::string_view, 7> kLogLevelNames{"trace", "debug",    "info", "warn",
                                                                "error", "critical", "off"};
inline constexpr std::array<std::string_view, 3> kLogFormatNames{"auto", "text", "journal"};

// Every key as a dotted path ("server.listen"), in schema order.
std::vector<std::string> KnownKeys();

}  // namespace herald::config::detail
