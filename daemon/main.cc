// heraldd: the Herald daemon. See docs/operations.md.
#include <CLI/CLI.hpp>
#include <iostream>

#include "daemon/daemon.h"
#include "daemon/version.h"

int main(int argc, char** argv) {
  CLI::App app{"heraldd: schedules WhatsApp campaigns behind a compliance gate"};
  std::string config_path;
  std::string check_path;
  app.add_option("--config", config_path, "TOML config file (default: the embedded defaults)")
      ->check(CLI::ExistingFile);
  app.add_option("--check-config", check_path, "validate FILE and its secrets, then exit 0 or 1");
  app.add_flag_callback(
      "--version", [] { throw CLI::Success(); }, "print the version and exit");
  app.footer("Secrets come from *_file config keys or environment variables, never arguments.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success&) {
    std::cout << "heraldd " << herald::kVersion << '\n';
    return 0;
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  if (!check_path.empty()) return herald::daemon::CheckConfig(check_path, std::cout, std::cerr);
  herald::daemon::DaemonOptions options;
  if (!config_path.empty()) options.config_path = config_path;
  return herald::daemon::RunDaemon(options);
}
