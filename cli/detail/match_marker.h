// Pointing at a word filter match in the text it was found in, for `herald words test`: the line
// holding the match, clipped around it, and a line of carets under the matched part.
//
// Columns are terminal columns, not bytes: UTF-8 is decoded and each character counted with its
// display width (utf8proc: 2 for wide CJK characters and most emoji, 0 for combining marks), so
// the carets line up under "Grüße" or "🎉 gratis" too.
//
// Thread rules: a pure function; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herald::cli::detail {

struct MarkedMatch {
  int line_number = 1;  // 1-based line of the text on which the match starts
  // That line, with "…" where it was clipped and control characters (a tab, a trailing '\r', an
  // invalid byte) shown as one column each, so the marker lines up with it.
  std::string line;
  // Spaces up to the match, then one '^' per column of the match (at least one). A match that
  // runs on into the next line is marked to the end of its first line.
  std::string marker;
};

// How many columns of context to keep on either side of a match before clipping the line.
inline constexpr std::size_t kMarkContextColumns = 30;

// Marks bytes [begin, end) of `text`; nullopt when they are not a range within it.
std::optional<MarkedMatch> MarkMatch(std::string_view text, std::size_t begin, std::size_t end,
                                     std::size_t context_columns = kMarkContextColumns);

}  // namespace herald::cli::detail
