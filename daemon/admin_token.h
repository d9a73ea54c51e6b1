// daemon/admin_token.h: where the admin API's bearer token comes from when none is configured.
//
// Thread rules: start-up and reload, on the main thread.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"

namespace herald::daemon {

struct AdminToken {
  std::string token;
  std::string source;  // for the log, never the token itself: "HERALD_ADMIN_TOKEN", a path, …
};

// Reads `path`, or creates it with a fresh random token (256 bits, hex) and mode 0600 when it does
// not exist. Used when neither a token file, the environment nor a credential provides a token,
// so that a fresh install is never left with an open admin API.
Result<AdminToken> ReadOrCreateTokenFile(const std::filesystem::path& path);

}  // namespace herald::daemon
