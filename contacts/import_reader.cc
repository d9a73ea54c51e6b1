// ContactReader::Open: skips a byte order mark, picks the format, hands over to a reader.
#include "contacts/import_reader.h"

#include "common/chunked_input.h"
#include "contacts/detail/field_rules.h"
#include "contacts/detail/readers.h"
#include "contacts/detail/utf8.h"

namespace herald::contacts {
namespace {

// '{' first (after white space) means JSON Lines. Looks at most `limit` bytes ahead.
Format DetectFormat(ChunkedInput& input, std::size_t limit) {
  std::size_t scanned = 0;
  for (;;) {
    const std::string_view text = input.unread();
    for (; scanned < text.size(); ++scanned) {
      const char c = text[scanned];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
      return c == '{' ? Format::kJsonLines : Format::kCsv;
    }
    if (scanned >= limit || !input.ReadMore()) return Format::kCsv;
  }
}

}  // namespace

namespace detail {

std::string LinePrefix(std::int64_t line) { return "line " + std::to_string(line) + ": "; }

}  // namespace detail

std::optional<Encoding> EncodingNamed(std::string_view name) {
  static constexpr std::pair<std::string_view, Encoding> kNames[] = {
      {"utf-8", Encoding::kUtf8},
      {"utf8", Encoding::kUtf8},
      {"windows-1252", Encoding::kWindows1252},
      {"cp1252", Encoding::kWindows1252},
      {"iso-8859-1", Encoding::kIso8859_1},
      {"latin1", Encoding::kIso8859_1},
      {"iso-8859-15", Encoding::kIso8859_15},
      {"latin9", Encoding::kIso8859_15},
  };
  for (const auto& [known, encoding] : kNames) {
    if (detail::EqualsIgnoreCase(name, known)) return encoding;
  }
  return std::nullopt;
}

Result<std::unique_ptr<ContactReader>> ContactReader::Open(std::istream& in, Format format,
                                                           ReaderOptions options) {
  Transcoder transcoder;
  if (options.encoding != Encoding::kUtf8) {
    transcoder.max_expansion = detail::kMaxUtf8BytesPerByte;
    transcoder.convert = [encoding = options.encoding](std::string_view bytes, char* out) {
      std::size_t written = 0;
      detail::AppendAsUtf8(bytes, encoding, out, &written);
      return written;
    };
  }
  auto input = std::make_unique<ChunkedInput>(in, options.chunk_bytes, std::move(transcoder));
  input->SkipByteOrderMark();
  if (input->failed()) return MakeError(ErrorCode::kIoError, "reading the input failed");
  if (format == Format::kAuto) format = DetectFormat(*input, options.max_row_bytes);
  if (format == Format::kJsonLines) {
    return detail::OpenJsonLinesReader(std::move(input), options);
  }
  return detail::OpenCsvReader(std::move(input), options);
}

}  // namespace herald::contacts
