#include "compliance/service_window.h"

#include <algorithm>

namespace herald::compliance {

const ServiceWindow* FindServiceWindow(std::span<const ServiceWindow> windows, SenderId sender) {
  for (const ServiceWindow& window : windows) {
    if (window.sender == sender) return &window;
  }
  return nullptr;
}

std::optional<SysTime> ServiceWindowClosesAt(const ServiceWindow& window,
                                             const ServiceWindowPolicy& policy) {
  std::optional<SysTime> closes;
  if (window.last_inbound) closes = *window.last_inbound + policy.length;
  if (window.entry_point_until) {
    closes = closes ? std::max(*closes, *window.entry_point_until) : *window.entry_point_until;
  }
  if (closes) *closes -= policy.safety_margin;
  return closes;
}

bool IsServiceWindowOpen(const ServiceWindow& window, SysTime now,
                         const ServiceWindowPolicy& policy) {
  std::optional<SysTime> closes = ServiceWindowClosesAt(window, policy);
  return closes && now < *closes;
}

}  // namespace herald::compliance
