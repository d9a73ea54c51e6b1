// The `herald` command-line client: entry point and exit codes.
//
// main() is a thin wrapper around RunCli, which takes its streams and environment as parameters so
// that tests run the whole CLI in-process. Subcommands are written against cli/command.h.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace herald::cli {

// Exit codes are part of the CLI's interface (scripts test them): see docs/cli.md.
enum class ExitCode {
  kOk = 0,      // success; for `status`: the daemon is ready
  kFailed = 1,  // the request failed, or the daemon reports not ready
  kUsage = 2,   // bad options or arguments
  kUnreachable =
      3,            // no answer from the daemon (refused, timeout) or it is temporarily unavailable
  kAuthFailed = 4,  // the daemon rejected the token (401/403) or none was given
};

// Looks up an environment variable; nullopt when unset. Injected so tests control the environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The real process environment (std::getenv).
EnvLookup ProcessEnvironment();

// Parses argv, runs the chosen subcommand and returns the process exit code. Normal output goes to
// `out`; errors ("herald: error: ...") and usage errors go to `err`; --help goes to `out`.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
           const EnvLookup& env);

}  // namespace herald::cli
