// The 24-hour customer service window (issue 4, item 3; reference/whatsapp.md, "The 24-hour
// customer service window").
//
// A user's message to a business number opens (or restarts) a window for that (business number,
// user) pair; inside it free-form messages may be sent, outside it only approved templates. A user
// who came through a click-to-WhatsApp ad and was answered in time gets a 72-hour free entry
// point window, which the caller records as `entry_point_until`.
//
// Herald closes the window a safety margin early, so that a message queued just before the edge
// does not reach the platform after it (error 131047): the window is open while
//   now < last_inbound + length - safety_margin   or   now < entry_point_until - safety_margin.
// Exactly 24 hours after the last inbound message it is closed even with no margin.
//
// Thread rules: plain values and pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <span>

#include "common/clock.h"
#include "common/ids.h"

namespace herald::compliance {

struct ServiceWindowPolicy {
  std::chrono::milliseconds length = std::chrono::hours(24);  // a platform fact, kept in config
  std::chrono::milliseconds safety_margin = std::chrono::minutes(10);
};

// The window state of one (business number, user) pair.
struct ServiceWindow {
  SenderId sender;                           // the business number the user wrote to
  std::optional<SysTime> last_inbound;       // the user's latest message to `sender`
  std::optional<SysTime> entry_point_until;  // end of a 72-hour free entry point window
};

// The window of `sender` among a contact's windows, or nullptr when the user never wrote to it.
const ServiceWindow* FindServiceWindow(std::span<const ServiceWindow> windows, SenderId sender);

// The first instant at which free-form messages are no longer allowed (margin applied), or
// nullopt when the window was never opened.
std::optional<SysTime> ServiceWindowClosesAt(const ServiceWindow& window,
                                             const ServiceWindowPolicy& policy);

bool IsServiceWindowOpen(const ServiceWindow& window, SysTime now,
                         const ServiceWindowPolicy& policy);

}  // namespace herald::compliance
