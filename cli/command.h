// What a `herald` subcommand is written against.
//
// A subcommand is a registration function `void RegisterXCommand(CLI::App& app, CommandTable&
// table)` listed in cli.cc: it adds its CLI::App subcommand (with its own options, bound to
// storage the action captures) and an action for it. After parsing, RunCli runs the action of the
// deepest chosen subcommand with a CommandContext holding the global options, the output streams,
// the token and an ApiClient factory. Actions report failures through CommandContext::Fail, which
// prints the error and picks the exit code.
//
// Thread rules: everything here runs on the CLI's one thread.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "common/result.h"

namespace CLI {
class App;
}  // namespace CLI

namespace herald::cli {

// The global options after resolution against the environment.
struct GlobalOptions {
  std::string url{kDefaultApiUrl};  // --url, else HERALD_URL, else the default
  std::string token_file;           // --token-file; empty when not given
  bool json = false;                // --json
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // --timeout, per request
  std::string actor{"cli"};  // --actor, else $USER, else "cli": sent as X-Herald-Actor
};

class CommandContext {
 public:
  // `err_is_terminal`: err() is a terminal, so progress lines (rewritten with '\r') may go there.
  CommandContext(GlobalOptions options, std::ostream& out, std::ostream& err, const EnvLookup& env,
                 bool err_is_terminal = false);

  const GlobalOptions& options() const { return options_; }
  bool json() const { return options_.json; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  bool err_is_terminal() const { return err_is_terminal_; }

  // The admin token: read from --token-file when given (an unreadable, empty or malformed file is
  // an error naming the file), else HERALD_TOKEN, else nullopt. Trailing whitespace is stripped.
  Result<std::optional<std::string>> Token() const;

  // A client for options().url that sends `token` when present, and the actor as X-Herald-Actor.
  Result<ApiClient> Client(std::optional<std::string> token) const;

  // A client with the token; kUnauthenticated (saying how to provide one) when there is none.
  Result<ApiClient> AuthenticatedClient() const;

  // Prints "herald: error: <error>" (plus a hint for authentication failures) to err() and returns
  // the exit code the error stands for.
  ExitCode Fail(const Error& error);

 private:
  GlobalOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  const EnvLookup& env_;  // borrowed from RunCli's caller
  bool err_is_terminal_;
};

// The exit code an error stands for: kUnauthenticated/kPermissionDenied -> kAuthFailed,
// kUnavailable -> kUnreachable, anything else -> kFailed.
ExitCode ExitCodeFor(const Error& error);

// Writes `json` pretty-printed (two-space indent) and a newline: the --json output format.
void PrintJson(std::ostream& out, const boost::json::value& json);

using CommandAction = std::function<ExitCode(CommandContext&)>;

// Which action belongs to which parsed CLI::App subcommand.
class CommandTable {
 public:
  void Add(const CLI::App* command, CommandAction action) {
    entries_.emplace_back(command, std::move(action));
  }
  // nullptr when `command` has no action (a group such as `herald campaigns` alone).
  const CommandAction* Find(const CLI::App* command) const {
    for (const auto& [app, action] : entries_) {
      if (app == command) return &action;
    }
    return nullptr;
  }

 private:
  std::vector<std::pair<const CLI::App*, CommandAction>> entries_;
};

// `herald status`: readiness (GET /readyz) and, with a token, details (GET /v1/status).
void RegisterStatusCommand(CLI::App& app, CommandTable& table);

// `herald contacts import|show|erase|tag`: imports (/v1/contacts/imports) and single contacts.
void RegisterContactsCommands(CLI::App& app, CommandTable& table);

// `herald tags apply|rename|delete`: tags across many contacts (/v1/tags).
void RegisterTagsCommands(CLI::App& app, CommandTable& table);
void RegisterSendersCommands(CLI::App& app, CommandTable& table);
void RegisterHooksCommands(CLI::App& app, CommandTable& table);
void RegisterPricesCommands(CLI::App& app, CommandTable& table);
void RegisterForecastCommand(CLI::App& app, CommandTable& table);
// `herald report campaign|costs|month`: the reports (/v1/campaigns/{id}/report, …/costs,
// /v1/reports/monthly).
void RegisterReportCommands(CLI::App& app, CommandTable& table);
void RegisterCampaignsCommands(CLI::App& app, CommandTable& table);

// `herald segment count|preview|export|save|list|show|delete`: segment expressions and saved
// segments (/v1/segments).
void RegisterSegmentCommands(CLI::App& app, CommandTable& table);

// `herald words list|create|show|history|add|remove|import|export|test`: the compliance gate's
// word lists (/v1/wordlists).
void RegisterWordsCommands(CLI::App& app, CommandTable& table);

// `herald templates list|put`: the stored message templates (/v1/templates).
void RegisterTemplatesCommands(CLI::App& app, CommandTable& table);

}  // namespace herald::cli
