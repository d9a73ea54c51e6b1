// contacts/detail/utf8.h: UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF), with a fast path for ASCII text.
#pragma once

#include <string_view>

namespace herald::contacts::detail {

bool IsValidUtf8(std::string_view text);

}  // namespace herald::contacts::detail
