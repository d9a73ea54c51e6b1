#include "cli/command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace herald::cli {
namespace {

constexpr size_t kMaxTokenFileBytes = 64 * 1024;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string StripTrailingWhitespace(std::string text) {
  while (!text.empty() && IsSpace(text.back())) text.pop_back();
  return text;
}

// A bearer token is one word: whitespace or control characters inside mean the file is not a token
// file (or holds something else too), and a newline would inject request headers.
bool IsWellFormedToken(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string SystemErrorText(int error_number) { return std::strerror(error_number); }

// POSIX I/O rather than iostreams: it reports *why* a file is unreadable (ENOENT, EACCES, EISDIR).
Result<std::string> ReadTokenFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(ErrorCode::kIoError,
                     "cannot read token file '" + path + "': " + SystemErrorText(errno));
  }
  std::string contents;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int read_errno = errno;
      ::close(fd);
      return MakeError(ErrorCode::kIoError,
                       "cannot read token file '" + path + "': " + SystemErrorText(read_errno));
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
    if (contents.size() > kMaxTokenFileBytes) {
      ::close(fd);
      return MakeError(ErrorCode::kInvalidArgument,
                       "token file '" + path + "' is too large to be a token file");
    }
  }
  ::close(fd);
  return contents;
}

}  // namespace

CommandContext::CommandContext(GlobalOptions options, std::ostream& out, std::ostream& err,
                               const EnvLookup& env, bool err_is_terminal)
    : options_(std::move(options)),
      out_(out),
      err_(err),
      env_(env),
      err_is_terminal_(err_is_terminal) {}

Result<std::optional<std::string>> CommandContext::Token() const {
  if (!options_.token_file.empty()) {
    Result<std::string> contents = ReadTokenFile(options_.token_file);
    if (!contents.ok()) return std::move(contents).error();
    std::string token = StripTrailingWhitespace(std::move(*contents));
    if (token.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "token file '" + options_.token_file + "' is empty");
    }
    if (!IsWellFormedToken(token)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "token file '" + options_.token_file +
                           "' does not hold a single token (whitespace or control characters)");
    }
    return std::optional<std::string>(std::move(token));
  }
  std::optional<std::string> from_env = env_("HERALD_TOKEN");
  if (!from_env) return std::optional<std::string>();
  std::string token = StripTrailingWhitespace(std::move(*from_env));
  if (token.empty()) return std::optional<std::string>();  // set but empty: as if unset
  if (!IsWellFormedToken(token)) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "HERALD_TOKEN does not hold a single token (whitespace or control characters)");
  }
  return std::optional<std::string>(std::move(token));
}

Result<ApiClient> CommandContext::Client(std::optional<std::string> token) const {
  ApiClientOptions client_options;
  client_options.base_url = options_.url;
  client_options.token = std::move(token);
  client_options.total_timeout = options_.timeout;
  client_options.headers.emplace_back("X-Herald-Actor", options_.actor);
  return ApiClient::Create(std::move(client_options));
}

Result<ApiClient> CommandContext::AuthenticatedClient() const {
  Result<std::optional<std::string>> token = Token();
  if (!token.ok()) return std::move(token).error();
  if (!token->has_value()) {
    return MakeError(ErrorCode::kUnauthenticated, "this command needs the admin token");
  }
  return Client(std::move(*token));
}

ExitCode CommandContext::Fail(const Error& error) {
  err_ << "herald: error: " << error.ToString() << "\n";
  if (error.code == ErrorCode::kUnauthenticated) {
    err_ << "herald: hint: the admin token is read from --token-file FILE or the HERALD_TOKEN "
            "environment variable\n";
  }
  return ExitCodeFor(error);
}

ExitCode ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
      return ExitCode::kAuthFailed;
    case ErrorCode::kUnavailable:
      return ExitCode::kUnreachable;
    default:
      return ExitCode::kFailed;
  }
}

}  // namespace herald::cli
