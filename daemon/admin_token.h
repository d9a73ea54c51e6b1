// daemon/admin_token.h: where the admin API's bearer token comes from when none is configured.
//
// Thread rules: start-up and reload, on the main thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace herald::daemon {

struct AdminToken {
  std::string token;
  std::string source;  // for the log, never the token itself: "HERALD_ADMIN_TOKEN", a path, …
  // The file it came from can be read or written by other users: logged at start and reload.
  std::vector<config::SecretFileWarning> warnings;
};

// Reads `path`, or creates it with a fresh random token (256 bits, hex) and mode 0600 when it does
// not exist. Used when neither a token file, the environment nor a credential provides a token,
// so that a fresh install is never left with an open admin API. An existing file that other users
// may read or write gives a warning (someone loosened its mode after heraldd created it).
Result<AdminToken> ReadOrCreateTokenFile(const std::filesystem::path& path);

}  // namespace herald::daemon
