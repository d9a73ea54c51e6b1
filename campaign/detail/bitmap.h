// The bitmap type behind the index and the mapping from contact ids to bitmap keys.
//
// CRoaring 0.2.66's Roaring64Map declares a copy assignment but no move operations, so std::move
// on it copies: results are passed around in std::unique_ptr and assigned with swap().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <roaring/roaring64map.hh>

#include "common/ids.h"

namespace herald::campaign::detail {

using Bitmap = Roaring64Map;  // CRoaring 0.2.x declares it in the global namespace

// ContactId values are signed and opaque; flipping the sign bit maps them onto uint64 keys in
// the same order (so bitmaps iterate in id order, negative ids first).
constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;
inline std::uint64_t KeyOf(ContactId id) { return static_cast<std::uint64_t>(id.value) ^ kSignBit; }
inline ContactId IdOf(std::uint64_t key) {
  return ContactId{static_cast<std::int64_t>(key ^ kSignBit)};
}

inline std::unique_ptr<Bitmap> CopyOf(const Bitmap& bitmap) {
  auto copy = std::make_unique<Bitmap>();
  *copy = bitmap;
  return copy;
}

// Heap bytes of one bitmap: its serialized payload plus the fixed cost of the Roaring64Map, its
// std::map node and the roaring_bitmap_t arrays (measured at about 160 bytes with glibc malloc).
inline std::size_t BitmapBytes(const Bitmap& bitmap) {
  constexpr std::size_t kFixedOverhead = 160;
  return bitmap.getSizeInBytes(true) + kFixedOverhead;
}

}  // namespace herald::campaign::detail
