#include "campaign/detail/tier_window.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "campaign/detail/bitmap.h"

namespace herald::campaign::detail {
namespace {

std::int64_t MillisOf(SysTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

TierWindow::TierWindow(std::optional<std::size_t> limit, std::chrono::milliseconds window)
    : limit_(limit), window_(window) {}

TierWindow::TierWindow(TierWindow&&) noexcept = default;
TierWindow& TierWindow::operator=(TierWindow&&) noexcept = default;
TierWindow::~TierWindow() = default;

void TierWindow::SetLimit(std::optional<std::size_t> limit) {
  const bool was_limited = limit_.has_value();
  limit_ = limit;
  if (!was_limited && limit_) BucketsToTable();
  if (was_limited && !limit_) TableToBuckets();
}

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
  if (!limit_) {
    AddToBucket(recipient, accepted_at);
    if (user.in_flight == 0 && user.last_accepted == SysTime::min()) users_.Erase(recipient);
    return;
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
  if (!limit_) return AddToBucket(recipient, accepted_at);
  RecordAccepted(*users_.TryEmplace(recipient, User{}).first, recipient, accepted_at);
}

void TierWindow::RecordAccepted(User& user, std::int64_t recipient, SysTime accepted_at) {
  if (accepted_at <= user.last_accepted) return;  // an older message: the newer one counts
  // A user already in the heap keeps their item; Evict moves it to their newest instant.
  if (user.last_accepted == SysTime::min()) accepted_.emplace(accepted_at, recipient);
  user.last_accepted = accepted_at;
}

void TierWindow::AddToBucket(std::int64_t recipient, SysTime accepted_at) {
  const std::int64_t width = std::max<std::int64_t>(1, window_.count() / kUnlimitedBuckets);
  const std::int64_t at = MillisOf(accepted_at);
  const std::int64_t bucket = at / width - (at % width < 0 ? 1 : 0);  // floor
  std::unique_ptr<Roaring64Map>& users = buckets_[bucket];
  if (!users) users = std::make_unique<Roaring64Map>();
  users->add(KeyOf(ContactId{recipient}));
}

void TierWindow::BucketsToTable() {
  const std::int64_t width = std::max<std::int64_t>(1, window_.count() / kUnlimitedBuckets);
  for (const auto& [bucket, users] : buckets_) {
    const SysTime bucket_end{std::chrono::milliseconds((bucket + 1) * width)};
    for (std::uint64_t key : *users) {
      const std::int64_t recipient = IdOf(key).value;
      RecordAccepted(*users_.TryEmplace(recipient, User{}).first, recipient, bucket_end);
    }
  }
  buckets_.clear();
}

void TierWindow::TableToBuckets() {
  while (!accepted_.empty()) {
    const std::int64_t recipient = accepted_.top().second;
    accepted_.pop();
    User* user = users_.Find(recipient);
    if (user == nullptr || user->last_accepted == SysTime::min()) continue;
    AddToBucket(recipient, user->last_accepted);
    user->last_accepted = SysTime::min();
    if (user->in_flight == 0) users_.Erase(recipient);
  }
  accepted_ = {};  // gives its array back
  if (users_.size() == 0) users_ = FlatMap<User>();
}

void TierWindow::Evict(SysTime now) {
  const SysTime oldest_counted = now - window_;  // the window is (now - window, now]
  const std::int64_t width = std::max<std::int64_t>(1, window_.count() / kUnlimitedBuckets);
  // A bucket leaves once every instant in it is at or before oldest_counted.
  while (!buckets_.empty() &&
         (buckets_.begin()->first + 1) * width <= MillisOf(oldest_counted) + 1) {
    buckets_.erase(buckets_.begin());
  }
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

std::size_t TierWindow::used() const {
  if (limit_ || buckets_.empty()) return users_.size();
  Roaring64Map all;
  for (const auto& [bucket, users] : buckets_) all |= *users;
  std::size_t in_flight_only = 0;  // a message in flight and none accepted in the window
  users_.ForEach([&](std::int64_t recipient, const User&) {
    if (!all.contains(KeyOf(ContactId{recipient}))) ++in_flight_only;
  });
  return static_cast<std::size_t>(all.cardinality()) + in_flight_only;
}

std::optional<SysTime> TierWindow::NextFree(SysTime now, std::chrono::milliseconds recheck) const {
  std::optional<SysTime> next;
  if (limit_.has_value() && *limit_ == 0) return next;
  if (!accepted_.empty()) next = std::max(now, accepted_.top().first + window_);
  if (pending_ > 0) next = next.has_value() ? std::min(*next, now + recheck) : now + recheck;
  return next;
}

}  // namespace herald::campaign::detail
