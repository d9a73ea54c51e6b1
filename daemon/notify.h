// daemon/notify.h: the systemd notification protocol (sd_notify) for Type=notify services.
// Without NOTIFY_SOCKET (not under systemd) every call is a cheap no-op.
//
// Thread rules: any thread (sd_notify is a datagram send).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace herald::daemon::notify {

void Ready(std::string_view status);
void Reloading();
void Stopping(std::string_view status);
void Status(std::string_view status);
void Watchdog();
// The watchdog interval systemd expects pings at (WATCHDOG_USEC), when the watchdog is enabled
// for this process.
std::optional<std::chrono::microseconds> WatchdogInterval();

}  // namespace herald::daemon::notify
