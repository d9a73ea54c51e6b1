// contacts/detail/utf8.h: the one place where import text meets its encoding. UTF-8 validation
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) with a fast path for ASCII
// text, the file-level error for text that is not UTF-8, and transcoding from the single-byte
// encodings that spreadsheet exports use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/utf8.h"
#include "contacts/import_reader.h"

namespace herald::contacts::detail {

using herald::FindInvalidUtf8;  // common/utf8.h
using herald::IsValidUtf8;

// The error for an import that is not UTF-8: where (`line`, and `where` when not empty, e.g.
// "column \"name\""), the byte, the encoding the file probably has and how to convert it.
// `starts_file`: the byte is the file's first, where a UTF-16 byte order mark would be.
Error NotUtf8Error(std::int64_t line, std::string_view where, unsigned char byte, bool starts_file);

// Appends `bytes`, in `encoding` (not kUtf8), to `out` as UTF-8: 1 to 3 bytes for each byte.
void AppendAsUtf8(std::string_view bytes, Encoding encoding, char* out, std::size_t* written);
inline constexpr std::size_t kMaxUtf8BytesPerByte = 3;

}  // namespace herald::contacts::detail
