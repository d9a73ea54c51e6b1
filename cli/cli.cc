#include "cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <ostream>

#include "cli/command.h"
#include "common/utf8.h"

#ifndef HERALD_VERSION
#define HERALD_VERSION "unknown"
#endif

namespace herald::cli {
namespace {

// Every subcommand's registration function; a new subcommand adds one line here.
constexpr void (*kCommandRegistrations[])(CLI::App&, CommandTable&) = {
    &RegisterStatusCommand,   &RegisterContactsCommands,  &RegisterTagsCommands,
    &RegisterSegmentCommands, &RegisterWordsCommands,     &RegisterTemplatesCommands,
    &RegisterSendersCommands, &RegisterCampaignsCommands, &RegisterHooksCommands,
    &RegisterPricesCommands,  &RegisterForecastCommand,   &RegisterReportCommands,
};

constexpr const char* kHelpFooter = R"(Exit codes:
  0  success; for `status`: the daemon is ready; for `contacts import`: it completed
  1  the request failed, the daemon reports not ready, an import failed or was cancelled, or
     `words test` found that the text would be blocked
  2  usage error (unknown option, missing argument)
  3  cannot reach the daemon (connection refused, timeout) or it is temporarily unavailable
  4  authentication failed (401/403), or the command needs a token and none was given

The admin token is never accepted as a command-line value (ps and shell history would show it):
give it with --token-file FILE or the HERALD_TOKEN environment variable.)";

// The global options as CLI11 parses them, before the environment fills the gaps.
struct RawGlobalOptions {
  std::string url;
  std::string token_file;
  std::string token_on_command_line;  // a hidden --token, only to explain why it is refused
  bool json = false;
  double timeout_seconds = 30;
  std::string actor;
};

// A name the daemon can record as the actor (http::CheckActor): 1 to 200 bytes of UTF-8, none a
// control character.
bool IsUsableActor(std::string_view actor) {
  if (actor.empty() || actor.size() > 200) return false;
  for (char c : actor) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return IsValidUtf8(actor);
}

std::string CheckActor(const std::string& text) {
  return IsUsableActor(text) ? "" : "must be 1 to 200 bytes of UTF-8 without control characters";
}

// A CLI11 validator: "" when `text` is an acceptable --timeout, else why not.
std::string CheckTimeoutSeconds(const std::string& text) {
  double seconds = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc() || end != text.data() + text.size() ||
      !(seconds >= 0.001 && seconds <= 86400)) {
    return "must be a number of seconds from 0.001 to 86400";
  }
  return "";
}

void AddGlobalOptions(CLI::App& app, RawGlobalOptions& raw) {
  app.add_option("--url", raw.url,
                 "Base URL of the heraldd admin API (env HERALD_URL; default " +
                     std::string(kDefaultApiUrl) + ")")
      ->type_name("URL");
  app.add_option("--token-file", raw.token_file,
                 "Read the admin bearer token from FILE (else env HERALD_TOKEN). There is no "
                 "--token option: secrets never go on command lines")
      ->type_name("FILE");
  app.add_option("--token", raw.token_on_command_line)->group("");  // hidden
  app.add_flag("--json", raw.json, "Print machine-readable JSON (the server's JSON, indented)");
  app.add_option("--timeout", raw.timeout_seconds,
                 "Time limit for each request in seconds (default 30; connecting: 5)")
      ->type_name("SECONDS")
      ->check(CheckTimeoutSeconds);
  app.add_option("--actor", raw.actor,
                 "Who changes are recorded for in the daemon's audit log (else env USER, else "
                 "\"cli\"); sent as X-Herald-Actor")
      ->type_name("NAME")
      ->check(CheckActor);
}

GlobalOptions ResolveGlobalOptions(const RawGlobalOptions& raw, const EnvLookup& env) {
  GlobalOptions options;
  if (!raw.url.empty()) {
    options.url = raw.url;
  } else if (std::optional<std::string> url = env("HERALD_URL"); url && !url->empty()) {
    options.url = *url;
  }
  options.token_file = raw.token_file;
  options.json = raw.json;
  options.timeout = std::chrono::milliseconds(std::llround(raw.timeout_seconds * 1000));
  if (!raw.actor.empty()) {
    options.actor = raw.actor;
  } else if (std::optional<std::string> user = env("USER"); user && IsUsableActor(*user)) {
    options.actor = *user;
  }
  return options;
}

// The subcommand the user chose: the deepest one parsed (`herald campaigns start` -> start).
const CLI::App* ChosenCommand(const CLI::App& app) {
  const CLI::App* chosen = &app;
  while (!chosen->get_subcommands().empty()) chosen = chosen->get_subcommands().front();
  return chosen;
}

std::string UsageErrorMessage(const CLI::App*, const CLI::Error& error) {
  return "herald: error: " + std::string(error.what()) + "\nRun 'herald --help' for usage.\n";
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
           const EnvLookup& env) {
  CLI::App app("herald: command-line client for the heraldd admin API", "herald");
  // Inherited by subcommands, so these come before registration.
  app.failure_message(&UsageErrorMessage);
  app.footer(kHelpFooter);
  app.fallthrough();  // global options may follow the subcommand: `herald status --json`
  app.set_version_flag("--version", "herald " HERALD_VERSION);
  app.require_subcommand(1);

  RawGlobalOptions raw;
  AddGlobalOptions(app, raw);
  CommandTable commands;
  for (auto* register_command : kCommandRegistrations) register_command(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error, out, err);  // prints help, the version or the usage error
    return code == static_cast<int>(CLI::ExitCodes::Success) ? static_cast<int>(ExitCode::kOk)
                                                             : static_cast<int>(ExitCode::kUsage);
  }
  if (app.count("--token") > 0) {
    err << "herald: error: the token is never accepted on the command line (ps and shell history "
           "would show it); use --token-file FILE or the HERALD_TOKEN environment variable\n";
    return static_cast<int>(ExitCode::kUsage);
  }

  const CLI::App* chosen = ChosenCommand(app);
  const CommandAction* action = commands.Find(chosen);
  if (action == nullptr) {
    err << chosen->help();
    return static_cast<int>(ExitCode::kUsage);
  }
  // Progress lines only go to a real terminal: not to a test's stream, a pipe or a log file.
  const bool err_is_terminal = &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
  CommandContext context(ResolveGlobalOptions(raw, env), out, err, env, err_is_terminal);
  try {
    return static_cast<int>((*action)(context));
  } catch (const std::exception& exception) {
    // A bug (an unexpected exception from a library); say so rather than abort.
    err << "herald: error: internal: " << exception.what() << "\n";
    return static_cast<int>(ExitCode::kFailed);
  }
}

}  // namespace herald::cli
