#include "campaign/detail/bit_sliced_index.h"

#include <limits>

namespace herald::campaign::detail {

void BitSlicedIndex::Set(std::uint64_t key, std::uint32_t value) {
  present_.add(key);
  for (int bit = 0; bit < kBits && (value >> bit) != 0; ++bit) {
    if ((value >> bit) & 1u) slices_[bit].add(key);
  }
}

void BitSlicedIndex::Clear(std::uint64_t key, std::uint32_t value) {
  present_.remove(key);
  for (int bit = 0; bit < kBits && (value >> bit) != 0; ++bit) {
    if ((value >> bit) & 1u) slices_[bit].remove(key);
  }
}

std::unique_ptr<Bitmap> BitSlicedIndex::GreaterThan(std::int64_t threshold) const {
  if (threshold < 0) return CopyOf(present_);
  auto greater = std::make_unique<Bitmap>();
  if (threshold >= std::numeric_limits<std::uint32_t>::max()) return greater;
  const auto c = static_cast<std::uint32_t>(threshold);
  // `equal` holds the keys whose bits above `bit` equal those of c.
  Bitmap equal;
  equal = present_;
  for (int bit = kBits - 1; bit >= 0 && !equal.isEmpty(); --bit) {
    if (slices_[bit].isEmpty()) {
      // The usual case for the high bits: skip the copies the general step would make.
      if ((c >> bit) & 1u) break;  // no key has this bit: none is still equal
      continue;
    }
    if ((c >> bit) & 1u) {
      equal &= slices_[bit];
    } else {
      *greater |= (equal & slices_[bit]);
      equal -= slices_[bit];
    }
  }
  return greater;
}

std::unique_ptr<Bitmap> BitSlicedIndex::LessThan(std::int64_t threshold) const {
  auto less = std::make_unique<Bitmap>();
  if (threshold <= 0) return less;
  if (threshold > std::numeric_limits<std::uint32_t>::max()) {
    *less = present_;
    return less;
  }
  const auto c = static_cast<std::uint32_t>(threshold);
  Bitmap equal;
  equal = present_;
  for (int bit = kBits - 1; bit >= 0 && !equal.isEmpty(); --bit) {
    if (slices_[bit].isEmpty()) {
      if ((c >> bit) & 1u) {
        *less |= equal;  // every key still equal has a 0 where c has a 1
        break;
      }
      continue;
    }
    if ((c >> bit) & 1u) {
      *less |= (equal - slices_[bit]);
      equal &= slices_[bit];
    } else {
      equal -= slices_[bit];
    }
  }
  return less;
}

void BitSlicedIndex::Compact() {
  present_.runOptimize();
  present_.shrinkToFit();
  for (Bitmap& slice : slices_) {
    slice.runOptimize();
    slice.shrinkToFit();
  }
}

std::size_t BitSlicedIndex::MemoryBytes() const {
  std::size_t bytes = BitmapBytes(present_);
  for (const Bitmap& slice : slices_) bytes += BitmapBytes(slice);
  return bytes;
}

}  // namespace herald::campaign::detail
