// Config and token set-up shared by the daemon integration tests.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace herald::testing {

inline const std::string kToken = "integration-test-token-0123456789";

// A config on a free port (0) with the database and token file in `dir`. The token file is
// private to the owner, as a real one should be (heraldd warns about one others can read).
inline std::string TestConfig(const TempDir& dir, const std::string& extra_server = {},
                              const std::string& token = kToken) {
  std::ofstream(dir / "admin.token") << token << "\n";
  std::filesystem::permissions(dir / "admin.token", std::filesystem::perms::owner_read |
                                                        std::filesystem::perms::owner_write);
  return "[server]\nlisten = \"127.0.0.1:0\"\nadmin_token_file = \"" +
         (dir / "admin.token").string() + "\"\n" + extra_server + "\n[storage]\npath = \"" +
         (dir / "herald.db").string() +
         "\"\n[daemon]\nshutdown_grace = \"5s\"\n[log]\nformat = \"text\"\n";
}

// "HH:MM" two hours before now in UTC: its next occurrence is hours away in every zone, so a
// campaign sending at that local time stays running with its deliveries queued.
inline std::string LocalTimeFarAway() {
  const auto now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
  const auto minutes =
      (now.time_since_epoch() / std::chrono::minutes(1) + 24 * 60 - 120) % (24 * 60);
  char text[16];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return text;
}

// Quiet hours lifted (any local time may send), for tests that send marketing messages now and
// must not depend on the hour they run at (08:00-21:00 in the recipients' zones by default).
inline constexpr const char* kAnyHourQuietHours =
    "[compliance.quiet_hours]\ndefault = \"00:00-24:00\"\n"
    "[compliance.quiet_hours.countries]\nUS = \"00:00-24:00\"\n";

// The [provider] tables for a Cloud-API-compatible server at `base_url` (the fake one in
// tests/support/fake_cloud_api.h), its access token in a private file in `dir`.
inline std::string CloudApiProviderConfig(const TempDir& dir, const std::string& base_url,
                                          const std::string& token,
                                          const std::string& request_timeout) {
  std::ofstream(dir / "cloud.token") << token << "\n";
  std::filesystem::permissions(dir / "cloud.token", std::filesystem::perms::owner_read |
                                                        std::filesystem::perms::owner_write);
  return "[provider]\nkind = \"cloud_api\"\n[provider.cloud_api]\nbase_url = \"" + base_url +
         "\"\naccess_token_file = \"" + (dir / "cloud.token").string() +
         "\"\nrequest_timeout = \"" + request_timeout + "\"\n";
}

}  // namespace herald::testing
