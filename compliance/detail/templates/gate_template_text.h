// Internal to compliance/: a template text split at its placeholders, so that the gate renders a
// message and counts its length without parsing the text again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace herald::compliance::detail {

// A literal run [begin, end) of the text, or (placeholder >= 0) the placeholder with that index
// in the text's Placeholders::names.
struct GateTextPiece {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::int32_t placeholder = -1;
};

struct GateCompiledText {
  std::vector<GateTextPiece> pieces;
  std::size_t literal_chars = 0;  // code points outside the placeholders
};

// Unicode code points in UTF-8 text: the bytes that do not continue a sequence. Invalid UTF-8
// counts one per stray lead byte, which never undercounts a valid text.
inline std::size_t GateCountCodePoints(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char byte : text) count += (byte & 0xC0) != 0x80;
  return count;
}

}  // namespace herald::compliance::detail
