// Runs the real heraldd binary as a child process for integration tests, with a NOTIFY_SOCKET
// the test listens on (the sd_notify protocol: one datagram of KEY=VALUE lines per message).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace herald::testing {

struct HttpResult {
  int status = 0;  // 0: no response (connection failed or closed)
  std::string body;
  std::string error;
  std::string content_type;  // the Content-Type header, "" when none
};

// One blocking HTTP/1.1 request on a new connection to 127.0.0.1:port, with `headers` added.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;
HttpResult HttpRequest(int port, const std::string& method, const std::string& target,
                       const std::string& token = {}, const std::string& body = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(10),
                       const HttpHeaders& headers = {});

class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Waits for a message containing `key=value` as one of its lines; returns the whole message.
  std::optional<std::string> WaitFor(const std::string& assignment,
                                     std::chrono::milliseconds timeout);
  // Every message received so far.
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::optional<std::string> Receive(std::chrono::milliseconds timeout);
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
  std::size_t next_unmatched_ = 0;
};

class DaemonProcess {
 public:
  // `config_toml` is written to <dir>/herald.toml and passed with --config.
  DaemonProcess(const std::filesystem::path& dir, const std::string& config_toml,
                std::map<std::string, std::string> extra_env = {});
  ~DaemonProcess();  // SIGKILL if still running

  // Waits for READY=1 and parses the bound port from STATUS ("listening on host:port").
  bool WaitReady(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for the process to exit; its exit code, or -signal when killed by a signal.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout);
  void Signal(int signal_number);

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  NotifySocket& notify() { return notify_; }
  const std::filesystem::path& config_path() const { return config_path_; }
  std::string Log() const;  // the child's stderr so far

 private:
  std::filesystem::path config_path_;
  std::filesystem::path log_path_;
  NotifySocket notify_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool exited_ = false;
};

// The path of the built heraldd binary (from HERALD_BUILD_DIR, set by CTest).
std::filesystem::path HeralddPath();

// Runs a command line to completion; returns its exit code and combined output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& extra_env = {});

}  // namespace herald::testing
