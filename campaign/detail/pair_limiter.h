// The pair rate of one business number (campaign/pacer.h): at most one message per `interval` to
// the same user (reference/whatsapp.md, 131056: "about 1 message per 6 seconds per pair").
//
// A key lives only while it constrains something: it is evicted once its user's next turn has
// come. Keys leave in the order they were written (a FIFO of expiry instants), so eviction is
// amortised O(1); Take evicts a little on every call, so memory stays bounded even without
// ticks: about rate x interval keys, plus rate x backoff while a Block is pending (a blocked key
// expires later than the keys written after it and holds them until it expires).
//
// Thread rules: a plain value owned by the pacer; not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "campaign/detail/flat_map.h"

namespace herald::campaign::detail {

class PairLimiter {
 public:
  using Time = std::chrono::steady_clock::time_point;

  // nullopt when the user's turn is free at `now`; otherwise the instant it becomes free.
  std::optional<Time> BusyUntil(std::int64_t recipient, Time now) const;
  // Takes the user's turn (the caller checked BusyUntil): the next one is now + interval.
  void Take(std::int64_t recipient, Time now, std::chrono::nanoseconds interval);
  // The user waits until `until` (the platform answered 131056), unless already later.
  void Block(std::int64_t recipient, Time until);
  // Forgets users whose turn has come, at most `max_evictions` of them.
  void Evict(Time now, std::size_t max_evictions = SIZE_MAX);

  std::size_t size() const { return next_free_.size(); }

 private:
  void Remember(std::int64_t recipient, Time free_at);

  FlatMap<Time> next_free_;
  std::deque<std::pair<Time, std::int64_t>> expiries_;  // in write order
};

}  // namespace herald::campaign::detail
