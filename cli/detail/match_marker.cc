#include "cli/detail/match_marker.h"

#include <utf8proc.h>

#include <algorithm>
#include <vector>

namespace herald::cli::detail {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026, one column
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD, one column

// One character of a line as it is shown.
struct Glyph {
  std::size_t byte_begin = 0;  // offset in the whole text
  std::string_view shown;
  std::size_t width = 1;
};

// `line` (starting at byte `offset` of the text) decoded into characters.
std::vector<Glyph> Decode(std::string_view line, std::size_t offset) {
  std::vector<Glyph> glyphs;
  std::size_t at = 0;
  while (at < line.size()) {
    utf8proc_int32_t code_point = -1;
    utf8proc_ssize_t length =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(line.data() + at),
                         static_cast<utf8proc_ssize_t>(line.size() - at), &code_point);
    Glyph glyph{offset + at, " ", 1};
    if (length <= 0) {
      glyph.shown = kReplacement;  // an invalid byte: one column, so the rest still lines up
      length = 1;
    } else if (code_point >= 0x20 && !(code_point >= 0x7f && code_point < 0xa0)) {
      glyph.shown = line.substr(at, static_cast<std::size_t>(length));
      glyph.width = static_cast<std::size_t>(std::max(0, utf8proc_charwidth(code_point)));
    }  // else a control character (tab, '\r'): a space, as terminals differ on how wide a tab is
    at += static_cast<std::size_t>(length);
    glyphs.push_back(glyph);
  }
  return glyphs;
}

std::size_t WidthOf(std::vector<Glyph>::const_iterator first,
                    std::vector<Glyph>::const_iterator last) {
  std::size_t width = 0;
  for (; first != last; ++first) width += first->width;
  return width;
}

void Append(std::string& out, std::vector<Glyph>::const_iterator first,
            std::vector<Glyph>::const_iterator last) {
  for (; first != last; ++first) out += first->shown;
}

}  // namespace

std::optional<MarkedMatch> MarkMatch(std::string_view text, std::size_t begin, std::size_t end,
                                     std::size_t context_columns) {
  if (begin > end || end > text.size()) return std::nullopt;
  const std::size_t previous_newline =
      begin == 0 ? std::string_view::npos : text.rfind('\n', begin - 1);
  const std::size_t line_begin =
      previous_newline == std::string_view::npos ? 0 : previous_newline + 1;
  const std::size_t line_end = std::min(text.find('\n', begin), text.size());
  const std::size_t mark_end = std::min(end, line_end);

  MarkedMatch marked;
  marked.line_number =
      1 + static_cast<int>(std::count(text.begin(), text.begin() + line_begin, '\n'));
  const std::vector<Glyph> glyphs =
      Decode(text.substr(line_begin, line_end - line_begin), line_begin);
  // A character counts as matched when it starts inside the match.
  const auto match_first = std::find_if(glyphs.begin(), glyphs.end(),
                                        [&](const Glyph& g) { return g.byte_begin >= begin; });
  const auto match_last = std::find_if(match_first, glyphs.end(),
                                       [&](const Glyph& g) { return g.byte_begin >= mark_end; });

  // Keep at most `context_columns` on either side.
  auto shown_first = match_first;
  std::size_t before_width = 0;
  while (shown_first != glyphs.begin() &&
         before_width + std::prev(shown_first)->width <= context_columns) {
    --shown_first;
    before_width += shown_first->width;
  }
  auto shown_last = match_last;
  std::size_t after_width = 0;
  while (shown_last != glyphs.end() && after_width + shown_last->width <= context_columns) {
    after_width += shown_last->width;
    ++shown_last;
  }

  if (shown_first != glyphs.begin()) {
    marked.line += kEllipsis;
    ++before_width;
  }
  Append(marked.line, shown_first, shown_last);
  if (shown_last != glyphs.end()) marked.line += kEllipsis;
  marked.marker = std::string(before_width, ' ') +
                  std::string(std::max<std::size_t>(1, WidthOf(match_first, match_last)), '^');
  return marked;
}

}  // namespace herald::cli::detail
