// What the platform answered one number recently (campaign/pacer.h): messages accepted and
// messages refused with a number throttle (130429). After a throttle, the share accepted times
// the rate the number was sending at is the best estimate of its real limit: a server that
// throttles above its limit accepts exactly its limit, whatever the delays on the way, which
// stretch both counts alike.
//
// Buckets of 100 ms over 5 s. The share covers about the last second (the current bucket so far
// and the nine before it), and further back, up to 5 s, until it holds kMinAnswers answers: at
// low rates one second holds too few for a share finer than a few percent. It never reaches back
// to the bucket of the previous cut: those answers belong to the rate before it.
//
// Thread rules: a plain value owned by the pacer; not thread-safe.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <ratio>

namespace herald::campaign::detail {

class AnswerMeter {
 public:
  using Time = std::chrono::steady_clock::time_point;

  void AddAccepted(Time now) {
    ++SlotAt(now).accepted;
    Note(now);
    if (recent_.empty() || now >= recent_.back()) recent_.push_back(now);
  }
  void AddThrottled(Time now) {
    ++SlotAt(now).throttled;
    Note(now);
  }

  static constexpr std::uint64_t kMinAnswers = 40;

  // accepted / (accepted + throttled) since `since` (the previous cut; Time::min() for none);
  // nullopt when nothing was answered.
  std::optional<double> AcceptedShare(Time now, Time since) const {
    const std::int64_t current = BucketOf(now);
    const std::int64_t oldest =
        since == Time::min() ? current - kBuckets : std::max(current - kBuckets, BucketOf(since));
    std::uint64_t accepted = 0;
    std::uint64_t throttled = 0;
    for (std::int64_t bucket = current; bucket > oldest; --bucket) {
      if (bucket <= current - kBucketsPerSecond && accepted + throttled >= kMinAnswers) break;
      const Slot& slot = slots_[Index(bucket)];
      if (slot.bucket != bucket) continue;
      accepted += slot.accepted;
      throttled += slot.throttled;
    }
    if (accepted + throttled == 0) return std::nullopt;
    return static_cast<double>(accepted) / static_cast<double>(accepted + throttled);
  }

  // Answers accepted in the last second exactly (now - 1 s, now], when the number has been
  // answered for a second or more (it was sending for the whole second); else nullopt. A
  // server that throttles above its limit accepts at most its limit in any second, so after a
  // throttle this bounds the limit however the number paused within that second (a Retry-After
  // pause makes the number send in bursts, and the share accepted of a burst says little: only
  // its last request is refused).
  std::optional<double> AcceptedLastSecond(Time now) {
    Trim(now);
    if (recent_.empty() || now - earliest_ < std::chrono::seconds(1)) return std::nullopt;
    const auto first =
        std::upper_bound(recent_.begin(), recent_.end(), now - std::chrono::seconds(1));
    return static_cast<double>(recent_.end() - first);
  }

 private:
  using Bucket = std::chrono::duration<std::int64_t, std::ratio<1, 10>>;  // 100 ms
  static constexpr std::int64_t kBucketsPerSecond = 10;
  static constexpr std::int64_t kBuckets = 50;

  struct Slot {
    std::int64_t bucket = INT64_MIN;
    std::uint32_t accepted = 0;
    std::uint32_t throttled = 0;
  };

  static std::int64_t BucketOf(Time now) {
    return std::chrono::floor<Bucket>(now.time_since_epoch()).count();
  }

  static std::size_t Index(std::int64_t bucket) {
    return static_cast<std::size_t>(((bucket % kBuckets) + kBuckets) % kBuckets);
  }

  Slot& SlotAt(Time now) {
    const std::int64_t bucket = BucketOf(now);
    Slot& slot = slots_[Index(bucket)];
    if (slot.bucket != bucket) slot = Slot{bucket, 0, 0};
    return slot;
  }

  // The start of the current run of answers: reset when the number was silent for two seconds
  // (longer than the pause of a Retry-After, which is part of sending).
  void Note(Time now) {
    if (last_answer_ == Time::min() || now - last_answer_ > std::chrono::seconds(2)) {
      earliest_ = now;
    }
    last_answer_ = std::max(last_answer_, now);
    Trim(now);
  }
  void Trim(Time now) {
    while (!recent_.empty() && now - recent_.front() > std::chrono::seconds(1)) {
      recent_.pop_front();
    }
  }

  std::array<Slot, kBuckets> slots_{};
  std::deque<Time> recent_;  // accepted answers of the last second, in order
  Time earliest_ = Time::min();
  Time last_answer_ = Time::min();
};

}  // namespace herald::campaign::detail
