// The bitmaps of a ContactIndex. Keys of the maps are normalised as in detail/text.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "campaign/detail/bit_sliced_index.h"
#include "campaign/detail/bitmap.h"

namespace herald::campaign::detail {

struct AttributeIndex {
  Bitmap present;                                    // contacts having the attribute
  std::unordered_map<std::string, Bitmap> by_value;  // exact value -> contacts
  std::map<double, Bitmap> by_number;                // numeric reading -> contacts, for ranges
};

struct IndexState {
  Bitmap all;
  Bitmap opted_out;
  Bitmap consent_marketing;
  Bitmap consent_utility;
  std::unordered_map<std::string, Bitmap> tags;
  std::map<std::string, Bitmap> countries;  // ordered for the per-country breakdown
  std::map<std::string, Bitmap> languages;  // ordered: lang:de scans the keys starting with "de"
  std::unordered_map<std::string, AttributeIndex> attributes;
  BitSlicedIndex last_inbound;  // minutes since the Unix epoch, clamped to uint32
};

// The minute of an instant as stored in IndexState::last_inbound: floor(minutes since the Unix
// epoch), clamped to [0, 2^32 - 1]. No WhatsApp message predates 1970, and 2^32 minutes reach
// past the year 10000.
std::uint32_t StoredMinute(std::int64_t minute_since_epoch);

}  // namespace herald::campaign::detail
