// Reads a whole file, with the operating system's reason when that fails.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"

namespace herald::config::detail {

// The file's bytes, or an error whose message is the OS reason ("No such file or directory") and
// whose code is kNotFound, kPermissionDenied or kIoError. The path is left to the caller to name.
Result<std::string> ReadFile(const std::filesystem::path& path);

}  // namespace herald::config::detail
