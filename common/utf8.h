// common/utf8.h: UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), with a fast path for ASCII text. Used by the import readers and the name rules.
//
// Thread rules: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace herald {

// The offset of the first byte of the first invalid sequence in `text`; npos when it is all valid.
std::size_t FindInvalidUtf8(std::string_view text);
inline bool IsValidUtf8(std::string_view text) {
  return FindInvalidUtf8(text) == std::string_view::npos;
}

}  // namespace herald
