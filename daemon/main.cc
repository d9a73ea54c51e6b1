// heraldd: the Herald daemon. See docs/operations.md.
#include <CLI/CLI.hpp>
#include <iostream>

#include "daemon/daemon.h"
#include "daemon/version.h"

namespace {

// What --help prints after the options: where the config and the secrets come from, and every
// environment variable heraldd reads (keep in step with config/secrets.cc, daemon/logging.cc,
// daemon/notify.cc and common/temp_file.cc).
constexpr const char* kHelpFooter = R"(
Config:
  Without --config, the embedded defaults: the database ./herald.db (relative to the working
  directory), listening on 127.0.0.1:8420, logs on stderr. Every key and its default is in
  herald.example.toml (systemd/ in the source, /usr/share/doc/herald/ when installed).
  SIGHUP re-reads the config and the admin token; SIGTERM or SIGINT stops (drains requests for
  [daemon] shutdown_grace; a second signal stops at once).

Admin token (the first that is set):
  [server] admin_token_file     a file holding the token (at least 16 characters)
  HERALD_ADMIN_TOKEN            the token itself
  $CREDENTIALS_DIRECTORY/admin_token   a systemd credential (LoadCredential=admin_token:...)
  otherwise heraldd generates one next to the database: admin.token, mode 0600.
  Secrets never go on the command line.

Environment:
  HERALD_ADMIN_TOKEN            the admin token (above)
  CREDENTIALS_DIRECTORY         set by systemd: where the admin_token credential is
  NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID
                                set by systemd (Type=notify): readiness, status, watchdog pings
  JOURNAL_STREAM                set by systemd: with [log] format = "auto", log to journald
  TMPDIR                        where uploads and exports are spooled (default /tmp)

Documentation: docs/operations.md (running it), docs/openapi.yaml (the admin API).)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"heraldd: schedules WhatsApp campaigns behind a compliance gate"};
  std::string config_path;
  std::string check_path;
  bool show_version = false;
  app.add_option("--config", config_path, "TOML config file (default: the embedded defaults)")
      ->type_name("FILE")
      ->check(CLI::Validator(CLI::ExistingFile).description(""));  // not "FILE:FILE" in --help
  app.add_option("--check-config", check_path,
                 "Validate FILE, its secrets and their file modes, then exit 0 (valid) or 1")
      ->type_name("FILE");
  app.add_flag("--version", show_version, "Print the version and exit");
  app.footer(kHelpFooter);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);  // --help prints the usage and exits 0
  }
  if (show_version) {
    std::cout << "heraldd " << herald::kVersion << '\n';
    return 0;
  }
  if (!check_path.empty()) return herald::daemon::CheckConfig(check_path, std::cout, std::cerr);
  herald::daemon::DaemonOptions options;
  if (!config_path.empty()) options.config_path = config_path;
  return herald::daemon::RunDaemon(options);
}
