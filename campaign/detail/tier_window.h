// A business portfolio's messaging limit (campaign/pacer.h): unique users reached by
// business-initiated messages in a moving 24 hours (reference/whatsapp.md, "Messaging limits").
//
// A user holds a slot while a message to them was accepted within the window, or while a message
// to them is in flight (reserved by Reserve, then confirmed or released). Reservations count, so
// several acquires before their answers cannot together overshoot the limit; the same user twice
// holds one slot. Times are wall-clock (SysTime): the window outlives a restart, when it is
// rebuilt with Seed from the stored accepted_at instants.
//
// With a limit, each counted user has one item in a min-heap of instants, written when they were
// first counted; when it comes up and the user was sent to again since, it is put back at their
// newest instant. So memory is one entry and one heap item per user holding a slot (about 80
// bytes), however many messages they got, and seeds may come in any order. An accept costs O(1)
// for a user already counted, O(log users) for a new one. A limit bounds the users, hence the
// memory.
//
// Without a limit (TIER_UNLIMITED) nothing is refused, and the users reached only matter if a
// limit comes later; a campaign to a million users must not cost 80 MB for that. So the window
// keeps them by time bucket (window / kUnlimitedBuckets wide) in Roaring bitmaps (contact ids
// cluster: a few bits per user), and only users with a message in flight in the table. When a
// limit is set, the buckets' users move into the table as accepted at their bucket's end: each
// counts at most one bucket width longer than it would have (the safe side).
//
// Thread rules: a plain value owned by the pacer; not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "campaign/detail/flat_map.h"
#include "common/clock.h"

class Roaring64Map;  // CRoaring's, in the global namespace (campaign/detail/bitmap.h)

namespace herald::campaign::detail {

inline constexpr int kUnlimitedBuckets = 96;  // 15 minutes of a 24-hour window

class TierWindow {
 public:
  TierWindow(std::optional<std::size_t> limit, std::chrono::milliseconds window);

  TierWindow(TierWindow&&) noexcept;
  TierWindow& operator=(TierWindow&&) noexcept;
  ~TierWindow();

  void SetLimit(std::optional<std::size_t> limit);

  // True when the user holds a slot now: already counted (a second message in the window), or a
  // free slot was reserved for them. False when the limit is reached. Evicts first.
  bool Reserve(std::int64_t recipient, SysTime now);
  // A reserved message was accepted at `accepted_at`: the user counts until accepted_at + window.
  void Confirm(std::int64_t recipient, SysTime accepted_at);
  // A reserved message was not accepted: its reservation ends.
  void Release(std::int64_t recipient);
  // A message accepted before a restart.
  void Seed(std::int64_t recipient, SysTime accepted_at);
  // Users whose last accepted message left the window and who have nothing in flight.
  void Evict(SysTime now);

  // The earliest instant at which a slot may free up, when the limit is reached: when the oldest
  // accepted message leaves the window, or `now + recheck` when reservations are pending (they
  // may be released). nullopt when nothing can free a slot (limit 0).
  std::optional<SysTime> NextFree(SysTime now, std::chrono::milliseconds recheck) const;

  // Users holding a slot. Without a limit, a union of the buckets: O(buckets), for snapshots.
  std::size_t used() const;
  std::size_t pending() const { return pending_; }
  std::optional<std::size_t> limit() const { return limit_; }

 private:
  struct User {
    SysTime last_accepted = SysTime::min();  // min: none in the window
    std::uint32_t in_flight = 0;
  };

  void RecordAccepted(User& user, std::int64_t recipient, SysTime accepted_at);
  void AddToBucket(std::int64_t recipient, SysTime accepted_at);
  void BucketsToTable();  // a limit was set
  void TableToBuckets();  // the limit was lifted

  std::optional<std::size_t> limit_;
  std::chrono::milliseconds window_;
  using Item = std::pair<SysTime, std::int64_t>;  // (an accepted instant, the user)

  FlatMap<User> users_;  // every user holding a slot; without a limit, those with one in flight
  // One item per user with an accepted message: at or before their last_accepted.
  std::priority_queue<Item, std::vector<Item>, std::greater<>> accepted_;
  std::size_t pending_ = 0;  // reservations in flight
  // Without a limit: users with an accepted message, by bucket (accepted_at / bucket width).
  std::map<std::int64_t, std::unique_ptr<Roaring64Map>> buckets_;
};

}  // namespace herald::campaign::detail
