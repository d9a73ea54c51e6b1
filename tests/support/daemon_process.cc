#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace herald::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::vector<std::string> Environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string line = *entry;
    std::string name = line.substr(0, line.find('='));
    if (!extra.count(name) && name != "NOTIFY_SOCKET" && name != "WATCHDOG_USEC" &&
        name != "WATCHDOG_PID" && name != "JOURNAL_STREAM" && name != "HERALD_ADMIN_TOKEN") {
      env.push_back(line);
    }
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Forks and execs; stdout and stderr go to `log_path`. "$PID" in an env value is replaced by the
// child's pid (for WATCHDOG_PID).
pid_t Spawn(std::vector<std::string> argv, std::vector<std::string> env,
            const std::filesystem::path& log_path) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  dup2(log, 1);
  dup2(log, 2);
  for (auto& entry : env) {
    if (auto at = entry.find("$PID"); at != std::string::npos) {
      entry.replace(at, 4, std::to_string(getpid()));
    }
  }
  auto args = CStrings(argv);
  auto envp = CStrings(env);
  execve(args[0], args.data(), envp.data());
  _exit(127);
}

}  // namespace

std::filesystem::path HeralddPath() {
  const char* build = std::getenv("HERALD_BUILD_DIR");
  if (build == nullptr) throw std::runtime_error("HERALD_BUILD_DIR is not set (run through ctest)");
  return std::filesystem::path(build) / "daemon" / "heraldd";
}

HttpResult HttpRequest(int port, const std::string& method, const std::string& target,
                       const std::string& token, const std::string& body,
                       std::chrono::milliseconds timeout, const HttpHeaders& headers) {
  HttpResult result;
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                           static_cast<unsigned short>(port)));
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    result.status = static_cast<int>(response.result_int());
    result.body = response.body();
    result.content_type = std::string(response[http::field::content_type]);
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

NotifySocket::NotifySocket(const std::filesystem::path& path) : path_(path) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::runtime_error("cannot bind notify socket " + path.string());
  }
}

NotifySocket::~NotifySocket() {
  ::close(fd_);
  std::filesystem::remove(path_);
}

std::optional<std::string> NotifySocket::Receive(std::chrono::milliseconds timeout) {
  pollfd poller{fd_, POLLIN, 0};
  if (::poll(&poller, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  char buffer[4096];
  ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
  if (n <= 0) return std::nullopt;
  messages_.emplace_back(buffer, static_cast<std::size_t>(n));
  return messages_.back();
}

std::optional<std::string> NotifySocket::WaitFor(const std::string& assignment,
                                                 std::chrono::milliseconds timeout) {
  auto matches = [&](const std::string& message) {
    std::istringstream lines(message);
    for (std::string line; std::getline(lines, line);) {
      if (line == assignment) return true;
    }
    return false;
  };
  // Messages already received but not yet matched by an earlier wait count too, in order.
  while (next_unmatched_ < messages_.size()) {
    const std::string& message = messages_[next_unmatched_++];
    if (matches(message)) return message;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto message = Receive(left);
    if (!message) return std::nullopt;
    next_unmatched_ = messages_.size();
    if (matches(*message)) return message;
  }
}

DaemonProcess::DaemonProcess(const std::filesystem::path& dir, const std::string& config_toml,
                             std::map<std::string, std::string> extra_env)
    : config_path_(dir / "herald.toml"),
      log_path_(dir / "heraldd.log"),
      notify_(dir / "notify.sock") {
  std::ofstream(config_path_) << config_toml;
  extra_env["NOTIFY_SOCKET"] = notify_.path().string();
  pid_ = Spawn({HeralddPath().string(), "--config", config_path_.string()}, Environment(extra_env),
               log_path_);
}

DaemonProcess::~DaemonProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool DaemonProcess::WaitReady(std::chrono::milliseconds timeout) {
  auto message = notify_.WaitFor("READY=1", timeout);
  if (!message) return false;
  constexpr std::string_view kMarker = "listening on ";
  auto at = message->find(kMarker);
  if (at == std::string::npos) return false;
  auto end = message->find(';', at);
  std::string address = message->substr(at + kMarker.size(), end - at - kMarker.size());
  port_ = std::stoi(address.substr(address.rfind(':') + 1));
  return true;
}

std::optional<int> DaemonProcess::WaitExit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return -WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

void DaemonProcess::Signal(int signal_number) { ::kill(pid_, signal_number); }

std::string DaemonProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& extra_env) {
  char pattern[] = "/tmp/herald-command-XXXXXX";
  int fd = mkstemp(pattern);
  ::close(fd);
  pid_t pid = Spawn(argv, Environment(extra_env), pattern);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  std::ifstream in(pattern);
  std::stringstream buffer;
  buffer << in.rdbuf();
  result.output = buffer.str();
  std::filesystem::remove(pattern);
  return result;
}

}  // namespace herald::testing
