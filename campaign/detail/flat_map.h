// An open-addressing hash map from int64 keys (contact ids) to small values, for the pacer's
// per-recipient tables (the pair turns of a number, the users in a portfolio's tier window).
//
// Why not std::unordered_map: with a million users whose ids are not dense, its bucket array and
// separately allocated nodes cost two cache misses per lookup and an allocation per insert.
// Here a lookup is one probe sequence in one array: linear probing at a load of at most 1/2, and
// a delete shifts the following entries back (no tombstones), so the table never degrades.
//
// The hash keeps neighbours together: ids are taken in blocks of 8 consecutive values, the block
// number is scattered by Fibonacci hashing and the 8 ids of a block get consecutive slots. Dense
// ids sent to in order (a campaign walking its segment) then share cache lines, while strides and
// other patterns are spread like any hashed key.
//
// Pointers returned by Find and TryEmplace are valid until the next TryEmplace or Erase.
//
// Thread rules: a plain value; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace herald::campaign::detail {

template <typename V>
class FlatMap {
 public:
  FlatMap() : slots_(kMinCapacity), shift_(64 - kMinBits) {}

  V* Find(std::int64_t key) {
    for (std::size_t i = Home(key);; i = Next(i)) {
      if (!slots_[i].used) return nullptr;
      if (slots_[i].key == key) return &slots_[i].value;
    }
  }
  const V* Find(std::int64_t key) const { return const_cast<FlatMap*>(this)->Find(key); }

  // The value of `key`, inserted as `value` when absent; second: whether it was inserted.
  std::pair<V*, bool> TryEmplace(std::int64_t key, V value) {
    if (2 * (size_ + 1) > slots_.size()) Grow();
    std::size_t i = Home(key);
    for (; slots_[i].used; i = Next(i)) {
      if (slots_[i].key == key) return {&slots_[i].value, false};
    }
    slots_[i] = Slot{key, std::move(value), true};
    ++size_;
    return {&slots_[i].value, true};
  }

  // Backward-shift deletion: each following entry whose home is not between the hole and itself
  // moves into the hole, so that every probe sequence stays unbroken.
  bool Erase(std::int64_t key) {
    std::size_t hole = Home(key);
    for (; !slots_[hole].used || slots_[hole].key != key; hole = Next(hole)) {
      if (!slots_[hole].used) return false;
    }
    for (std::size_t j = Next(hole); slots_[j].used; j = Next(j)) {
      const std::size_t home = Home(slots_[j].key);
      const bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (stays) continue;
      slots_[hole] = std::move(slots_[j]);
      hole = j;
    }
    slots_[hole].used = false;
    --size_;
    return true;
  }

  std::size_t size() const { return size_; }

  // Calls visit(key, value) for every entry, in no particular order.
  template <typename Visit>
  void ForEach(Visit&& visit) const {
    for (const Slot& slot : slots_) {
      if (slot.used) visit(slot.key, slot.value);
    }
  }

 private:
  static constexpr int kMinBits = 4;
  static constexpr std::size_t kMinCapacity = std::size_t{1} << kMinBits;
  static constexpr int kBlockBits = 3;  // 8 consecutive ids share a block

  struct Slot {
    std::int64_t key = 0;
    V value{};
    bool used = false;
  };

  std::size_t Home(std::int64_t key) const {
    const auto unsigned_key = static_cast<std::uint64_t>(key);
    const std::uint64_t block = (unsigned_key >> kBlockBits) * 0x9E3779B97F4A7C15ull;
    const std::uint64_t base = (block >> shift_) & ~((std::uint64_t{1} << kBlockBits) - 1);
    return static_cast<std::size_t>((base + (unsigned_key & ((1u << kBlockBits) - 1))) &
                                    (slots_.size() - 1));
  }
  std::size_t Next(std::size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    --shift_;
    size_ = 0;
    for (Slot& slot : old) {
      if (slot.used) TryEmplace(slot.key, std::move(slot.value));
    }
  }

  std::vector<Slot> slots_;
  int shift_;
  std::size_t size_ = 0;
};

}  // namespace herald::campaign::detail
