#include "campaign/detail/tier_window.h"

#include <algorithm>
#include <vector>

namespace herald::campaign::detail {

TierWindow::TierWindow(std::optional<std::size_t> limit, std::chrono::milliseconds window)
    : limit_(limit), window_(window) {}

bool TierWindow::Reserve(std::int64_t recipient, SysTime now) {
  Evict(now);
  User* user = users_.Find(recipient);
  if (user == nullptr) {
    if (limit_.has_value() && users_.size() >= *limit_) return false;
    user = users_.TryEmplace(recipient, User{}).first;
  }
  ++user->in_flight;
  ++pending_;
  return true;
}

void TierWindow::Confirm(std::int64_t recipient, SysTime accepted_at) {
  User& user = *users_.TryEmplace(recipient, User{}).first;
  if (user.in_flight > 0) {
    --user.in_flight;
    --pending_;
  }
  RecordAccepted(user, recipient, accepted_at);
}

void TierWindow::Release(std::int64_t recipient) {
  User* user = users_.Find(recipient);
  if (user == nullptr || user->in_flight == 0) return;
  --user->in_flight;
  --pending_;
  if (user->in_flight == 0 && user->last_accepted == SysTime::min()) users_.Erase(recipient);
}

void TierWindow::Seed(std::int64_t recipient, SysTime accepted_at) {
  RecordAccepted(*users_.TryEmplace(recipient, User{}).first, recipient, accepted_at);
}

void TierWindow::RecordAccepted(User& user, std::int64_t recipient, SysTime accepted_at) {
  if (accepted_at <= user.last_accepted) return;  // an older message: the newer one counts
  // A user already in the heap keeps their item; Evict moves it to their newest instant.
  if (user.last_accepted == SysTime::min()) accepted_.emplace(accepted_at, recipient);
  user.last_accepted = accepted_at;
}

void TierWindow::Evict(SysTime now) {
  const SysTime oldest_counted = now - window_;  // the window is (now - window, now]
  while (!accepted_.empty() && accepted_.top().first <= oldest_counted) {
    const std::int64_t recipient = accepted_.top().second;
    accepted_.pop();
    User* user = users_.Find(recipient);
    if (user == nullptr) continue;
    if (user->last_accepted > oldest_counted) {
      accepted_.emplace(user->last_accepted, recipient);  // sent to again since
    } else if (user->in_flight > 0) {
      user->last_accepted = SysTime::min();  // still counted: a message to them is in flight
    } else {
      users_.Erase(recipient);
    }
  }
}

std::optional<SysTime> TierWindow::NextFree(SysTime now, std::chrono::milliseconds recheck) const {
  std::optional<SysTime> next;
  if (limit_.has_value() && *limit_ == 0) return next;
  if (!accepted_.empty()) next = std::max(now, accepted_.top().first + window_);
  if (pending_ > 0) next = next.has_value() ? std::min(*next, now + recheck) : now + recheck;
  return next;
}

}  // namespace herald::campaign::detail
