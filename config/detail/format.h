// Durations and sizes written back the way the config file writes them, for messages and docs.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace herald::config::detail {

// The largest unit that divides exactly: 3600000ms -> "1h", 1500ms -> "1500ms", 0 -> "0s".
std::string FormatDuration(std::chrono::milliseconds duration);

// The largest binary unit that divides exactly: 1048576 -> "1MiB", 1000 -> "1000B".
std::string FormatSize(std::size_t bytes);

}  // namespace herald::config::detail
