#include "contacts/detail/utf8.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace herald::contacts::detail {
Error NotUtf8Error(std::int64_t line, std::string_view where, unsigned char byte,
                   bool starts_file) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string message = "not UTF-8 at line " + std::to_string(line);
  if (!where.empty()) message.append(", ").append(where);
  message.append(", byte 0x").append(1, kHex[byte >> 4]).append(1, kHex[byte & 0xF]);
  // A UTF-16 byte order mark (FF FE or FE FF) is what Excel's "Unicode Text" starts with; any
  // other byte that is not UTF-8 is most likely a letter of the Windows code page Excel saves CSV
  // in (Windows-1252 in western Europe and the Americas; ISO 8859-1 is its subset).
  if (starts_file && (byte == 0xFF || byte == 0xFE)) {
    message +=
        ": the file looks like UTF-16 (Excel's \"Unicode Text\"); convert it with "
        "iconv -f UTF-16 -t UTF-8 in.csv > out.csv, or save it from Excel as \"CSV UTF-8\"";
  } else {
    message +=
        ": the file looks like Windows-1252 (Excel's default); convert it with "
        "iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv, or import with --encoding "
        "windows-1252 (encoding=windows-1252 in the API)";
  }
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), "encoding");
}

namespace {

// Windows-1252's 0x80-0x9F, where it differs from ISO 8859-1; the five bytes it leaves undefined
// keep their ISO 8859-1 meaning (C1 controls), as in the WHATWG Encoding Standard.
constexpr std::uint16_t kWindows1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// ISO 8859-15 is ISO 8859-1 with eight code points replaced (the euro sign among them).
std::uint16_t Latin9CodePoint(unsigned char byte) {
  switch (byte) {
    case 0xA4:
      return 0x20AC;
    case 0xA6:
      return 0x0160;
    case 0xA8:
      return 0x0161;
    case 0xB4:
      return 0x017D;
    case 0xB8:
      return 0x017E;
    case 0xBC:
      return 0x0152;
    case 0xBD:
      return 0x0153;
    case 0xBE:
      return 0x0178;
    default:
      return byte;
  }
}

std::uint16_t CodePoint(unsigned char byte, Encoding encoding) {
  switch (encoding) {
    case Encoding::kWindows1252:
      return byte >= 0x80 && byte <= 0x9F ? kWindows1252High[byte - 0x80] : byte;
    case Encoding::kIso8859_15:
      return Latin9CodePoint(byte);
    default:  // kIso8859_1
      return byte;
  }
}

}  // namespace

void AppendAsUtf8(std::string_view bytes, Encoding encoding, char* out, std::size_t* written) {
  std::size_t n = 0;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out[n++] = c;
      continue;
    }
    const std::uint16_t code_point = CodePoint(byte, encoding);
    if (code_point < 0x800) {
      out[n++] = static_cast<char>(0xC0 | (code_point >> 6));
    } else {
      out[n++] = static_cast<char>(0xE0 | (code_point >> 12));
      out[n++] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    }
    out[n++] = static_cast<char>(0x80 | (code_point & 0x3F));
  }
  *written = n;
}

}  // namespace herald::contacts::detail
