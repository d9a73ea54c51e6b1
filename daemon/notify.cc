#include "daemon/notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <string>

namespace herald::daemon::notify {
namespace {

void Send(const std::string& message) { sd_notify(0, message.c_str()); }

std::string StatusLine(std::string_view status) {
  std::string line = "STATUS=";
  // STATUS is one line: newlines would start a new (bogus) assignment.
  for (char c : status) line += (c == '\n' ? ' ' : c);
  return line;
}

}  // namespace

void Ready(std::string_view status) { Send("READY=1\n" + StatusLine(status)); }

void Reloading() {
  // MONOTONIC_USEC lets newer systemd (Type=notify-reload) match the reload; older ones ignore it.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
  Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\n" + StatusLine("reloading"));
}

void Stopping(std::string_view status) { Send("STOPPING=1\n" + StatusLine(status)); }

void Status(std::string_view status) { Send(StatusLine(status)); }

void Watchdog() { Send("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> WatchdogInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

}  // namespace herald::daemon::notify
