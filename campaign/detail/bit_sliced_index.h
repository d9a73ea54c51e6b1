// A bit-sliced index (O'Neil and Quass, "Improved query performance with variant indexes", 1997)
// of one uint32 value per contact: slice i holds the contacts whose value has bit i set. A range
// comparison is about two bitmap operations per bit, so it stays in compressed-bitmap algebra
// (no scan over contacts) and costs about one bit per contact per varying bit whether contact
// ids are dense or not. ContactIndex keeps last_inbound here in minutes since the Unix epoch.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "campaign/detail/bitmap.h"

namespace herald::campaign::detail {

class BitSlicedIndex {
 public:
  void Set(std::uint64_t key, std::uint32_t value);    // the key must not have a value yet
  void Clear(std::uint64_t key, std::uint32_t value);  // `value` is the key's current value

  // Keys whose value is > threshold / < threshold. Thresholds outside uint32 are allowed.
  std::unique_ptr<Bitmap> GreaterThan(std::int64_t threshold) const;
  std::unique_ptr<Bitmap> LessThan(std::int64_t threshold) const;

  const Bitmap& present() const { return present_; }
  void Compact();
  std::size_t MemoryBytes() const;

 private:
  static constexpr int kBits = 32;
  Bitmap present_;
  std::array<Bitmap, kBits> slices_;
};

}  // namespace herald::campaign::detail
