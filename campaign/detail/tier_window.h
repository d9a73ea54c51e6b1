// A business portfolio's messaging limit (campaign/pacer.h): unique users reached by
// business-initiated messages in a moving 24 hours (reference/whatsapp.md, "Messaging limits").
//
// A user holds a slot while a message to them was accepted within the window, or while a message
// to them is in flight (reserved by Reserve, then confirmed or released). Reservations count, so
// several acquires before their answers cannot together overshoot the limit; the same user twice
// holds one slot. Times are wall-clock (SysTime): the window outlives a restart, when it is
// rebuilt with Seed from the stored accepted_at instants.
//
// Each counted user has one item in a min-heap of instants, written when they were first counted;
// when it comes up and the user was sent to again since, it is put back at their newest instant.
// So memory is one entry and one heap item per user holding a slot, however many messages they
// got, and seeds may come in any order. An accept costs O(1) for a user already counted,
// O(log users) for a new one.
//
// Thread rules: a plain value owned by the pacer; not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "campaign/detail/flat_map.h"
#include "common/clock.h"

namespace herald::campaign::detail {

class TierWindow {
 public:
  TierWindow(std::optional<std::size_t> limit, std::chrono::milliseconds window);

  void SetLimit(std::optional<std::size_t> limit) { limit_ = limit; }

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

  std::size_t used() const { return users_.size(); }
  std::size_t pending() const { return pending_; }
  std::optional<std::size_t> limit() const { return limit_; }

 private:
  struct User {
    SysTime last_accepted = SysTime::min();  // min: none in the window
    std::uint32_t in_flight = 0;
  };

  void RecordAccepted(User& user, std::int64_t recipient, SysTime accepted_at);

  std::optional<std::size_t> limit_;
  std::chrono::milliseconds window_;
  using Item = std::pair<SysTime, std::int64_t>;  // (an accepted instant, the user)

  FlatMap<User> users_;  // every user holding a slot
  // One item per user with an accepted message: at or before their last_accepted.
  std::priority_queue<Item, std::vector<Item>, std::greater<>> accepted_;
  std::size_t pending_ = 0;  // reservations in flight
};

}  // namespace herald::campaign::detail
