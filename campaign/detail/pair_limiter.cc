#include "campaign/detail/pair_limiter.h"

namespace herald::campaign::detail {

std::optional<PairLimiter::Time> PairLimiter::BusyUntil(std::int64_t recipient, Time now) const {
  const Time* free_at = next_free_.Find(recipient);
  if (free_at == nullptr || *free_at <= now) return std::nullopt;
  return *free_at;
}

void PairLimiter::Take(std::int64_t recipient, Time now, std::chrono::nanoseconds interval) {
  // Two evictions per take: at most one key is added per call, so the map never holds more than
  // what is still constrained plus what one tick would clear.
  Evict(now, 2);
  Remember(recipient, now + interval);
}

void PairLimiter::Block(std::int64_t recipient, Time until) {
  const Time* free_at = next_free_.Find(recipient);
  if (free_at != nullptr && *free_at >= until) return;
  Remember(recipient, until);
}

void PairLimiter::Remember(std::int64_t recipient, Time free_at) {
  *next_free_.TryEmplace(recipient, free_at).first = free_at;
  expiries_.emplace_back(free_at, recipient);
}

void PairLimiter::Evict(Time now, std::size_t max_evictions) {
  for (std::size_t n = 0; n < max_evictions && !expiries_.empty(); ++n) {
    const auto [free_at, recipient] = expiries_.front();
    if (free_at > now) break;
    expiries_.pop_front();
    // A later take or block rewrote the key: its own expiry item comes later.
    const Time* current = next_free_.Find(recipient);
    if (current != nullptr && *current == free_at) next_free_.Erase(recipient);
  }
}

}  // namespace herald::campaign::detail
