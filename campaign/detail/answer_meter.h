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
#include <optional>
#include <ratio>

namespace herald::campaign::detail {

class AnswerMeter {
 public:
  using Time = std::chrono::steady_clock::time_point;

  void AddAccepted(Time now) { ++SlotAt(now).accepted; }
  void AddThrottled(Time now) { ++SlotAt(now).throttled; }

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

  std::array<Slot, kBuckets> slots_{};
};

}  // namespace herald::campaign::detail
