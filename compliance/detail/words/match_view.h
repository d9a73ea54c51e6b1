// The match view: the form of a normalised text that word, phrase, prefix and allow terms are
// compiled against. Terms go through the same transformation, so both sides agree.
//
// Built from the normalised text byte for byte (offsets carry over, shifted by one):
//   - ASCII letters stay; the digits and signs written for letters become those letters
//     (0->o 3->e 4->a 5->s 7->t 8->b @->a $->s). '1' stays: it stands for i or l, so the term
//     patterns accept it for both. Other digits stay;
//   - every other ASCII byte, and every non-ASCII character that is not a letter or number,
//     becomes ' ' (as many as it has bytes);
//   - non-ASCII letters and numbers stay.
// A ' ' is added at each end, so every word has a separator on both sides and a term's pattern
// is simply ' ' term ' ' (RE2's \b is ASCII-only; this boundary is Unicode-aware).
//
// Spaced-out words ("f r e e", "k.o.s.t.e.n.l.o.s", "f_r_e_e") are caught with a second text,
// `joined`: runs of at least kMinSpacedOutCharacters one-character words with the separators
// between them removed ("f r e e" -> "free"). Normal text rarely has such runs, so the joined
// text is usually empty and costs nothing; when present, terms are matched against both texts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::compliance::detail {

inline constexpr std::size_t kMinSpacedOutCharacters = 3;

struct MatchView {
  std::string text;                        // ' ' + view of the normalised text + ' '
  std::string joined;                      // empty when there is no spaced-out run
  std::vector<std::size_t> joined_source;  // for each byte of `joined`, its byte in `text`

  // The normalised byte span of the view bytes [begin, end), clamped to the text (the padding
  // belongs to no normalised byte).
  static void ViewToNormalised(std::size_t view_size, std::size_t& begin, std::size_t& end);
  // The view byte span of the joined bytes [begin, end), begin < end <= joined.size().
  void JoinedToView(std::size_t& begin, std::size_t& end) const;
};

// Builds `out` from normalised text (valid UTF-8), reusing its buffers.
void BuildMatchView(std::string_view normalised, MatchView& out);

// Calls `visit(begin, end)` for each word (maximal run of non-' ' bytes) of a view text.
template <typename Visit>
void ForEachViewWord(std::string_view view, Visit&& visit) {
  std::size_t i = 0;
  while (i < view.size()) {
    while (i < view.size() && view[i] == ' ') ++i;
    const std::size_t begin = i;
    while (i < view.size() && view[i] != ' ') ++i;
    if (i > begin) visit(begin, i);
  }
}

}  // namespace herald::compliance::detail
