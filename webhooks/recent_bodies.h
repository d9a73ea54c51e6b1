// webhooks/recent_bodies.h: the bodies of webhook requests received lately, by a 64-bit hash (the
// first 8 bytes of their SHA-256), so that a request the platform sends again (it retries one it
// got no answer to, with the same body) is recognised without a unique index on disk: hashes of
// random bodies in a B-tree turn every insert into a random page write, and that write
// amplification, not the rows, was what limited ingestion.
//
// Bounded: hashes older than `window` go, and beyond `capacity` the oldest go first. A body sent
// again after that is stored a second time; processing applies it idempotently, so nothing
// changes twice.
//
// Thread rules: a plain value; one owner (the storage writer's thread, in the service's store
// jobs).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "common/clock.h"

namespace herald::webhooks {

// The first 8 bytes of SHA-256(body), as a signed integer (what SQLite stores).
std::int64_t BodyHash(std::string_view body);

class RecentBodies {
 public:
  RecentBodies(std::chrono::milliseconds window, std::size_t capacity)
      : window_(window), capacity_(capacity) {}

  // True when `hash` is new (and remembers it); false when it was seen within the window.
  bool Add(std::int64_t hash, SysTime at);
  // Forgets `hash` (a store that rolled back).
  void Remove(std::int64_t hash);
  std::size_t size() const { return hashes_.size(); }

 private:
  void Evict(SysTime now);

  std::chrono::milliseconds window_;
  std::size_t capacity_;
  std::unordered_set<std::int64_t> hashes_;
  std::deque<std::pair<SysTime, std::int64_t>> order_;  // oldest first
};

}  // namespace herald::webhooks
