// daemon/daemon.h: heraldd's lifecycle. Start storage and the HTTP server, tell systemd when
// ready, reload on SIGHUP, drain and stop on SIGTERM/SIGINT, feed the watchdog.
//
// Thread model: the calling (main) thread runs the one io_context that owns the network, the
// signals and the timers; the storage writer has its own thread.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>

namespace herald::daemon {

struct DaemonOptions {
  std::optional<std::filesystem::path> config_path;  // none: the embedded defaults
};

// Runs until SIGTERM or SIGINT. Returns the process exit code: 0 after a clean stop, 1 when it
// could not start (the reason is logged and sent to systemd as STATUS=).
int RunDaemon(const DaemonOptions& options);

// `heraldd --check-config FILE`: validates the file and the secrets it points to. 0 when valid,
// 1 with every problem printed to `err`. A secret file other users may read or write (the
// configured token file, the credential, or the generated admin.token the daemon would use) is a
// warning on `err` naming the file, its mode and the chmod that fixes it; the exit code stays 0.
int CheckConfig(const std::filesystem::path& path, std::ostream& out, std::ostream& err);

}  // namespace herald::daemon
