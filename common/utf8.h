// common/utf8.h: UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), with a fast path for ASCII text. Used by the import readers and the name rules, and
// to make text from a request safe to echo in JSON (which must be UTF-8, RFC 8259).
//
// Thread rules: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace herald {

// The offset of the first byte of the first invalid sequence in `text`; npos when it is all valid.
std::size_t FindInvalidUtf8(std::string_view text);
inline bool IsValidUtf8(std::string_view text) {
  return FindInvalidUtf8(text) == std::string_view::npos;
}
// `text` with each byte that starts no valid sequence replaced by U+FFFD; valid text unchanged.
std::string ReplaceInvalidUtf8(std::string_view text);

}  // namespace herald
