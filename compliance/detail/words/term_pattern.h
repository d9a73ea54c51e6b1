// Compiles one term into the RE2 pattern that finds it (and validates it on the way).
//
// Word, phrase, prefix and allow terms are normalised and put through the match view (see
// match_view.h), split into words, and each character becomes a piece that resists obfuscation:
//   - a letter may be stretched: "e" -> "e+" ("freeee", "frrree");
//   - i and l also accept '1' ("w1n"); the other digit and sign swaps (fr33, @, $) are already
//     undone by the view;
//   - words of a phrase may be run together or separated by any whitespace or punctuation:
//     "click here" -> "c+l+[i1]+c+k+ *h+e+r+e+" (this also lets spaced-out phrases match once
//     the view has joined their letters).
// The term is wrapped as ' ' term ' ': the spaces are the word boundaries, the bytes between them
// the term's own span. A prefix term has no boundary after it; a side that starts or ends in
// a script written without spaces (Han, Kana, Thai, ...) has none either.
//
// Regex terms are the officer's RE2 pattern over the normalised text (not the view), made
// case-insensitive, after checks that it parses, is not too large and cannot match "".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "compliance/word_filter.h"

namespace herald::compliance::detail {

inline constexpr std::size_t kMaxTermBytes = 512;
// RE2 program instructions per regex term: room for a few \pL classes, not for a table of them.
inline constexpr int kMaxRegexProgramSize = 10000;
// RE2's memory budget for one regex term: with it RE2 gives up compiling at about 20,000
// instructions, so an oversized pattern fails fast instead of being built and then refused.
inline constexpr std::int64_t kMaxRegexMemoryBytes = 1 << 20;

enum class Haystack {
  kMatchView,   // the padded match view (and its joined form)
  kNormalised,  // the normalised text
};

// One character of a word, phrase, prefix or allow term, as its pattern matches it: `regex`
// spelled out, so the word index can confirm a candidate without running an RE2 (piece_match.h).
struct Piece {
  char bytes[4] = {};       // the character in UTF-8 (a view character)
  std::uint8_t length = 0;  // of `bytes`
  char alternate = 0;       // also accepted in its place ('1' for i and l), or 0
  bool repeat = false;      // one or more of it (letters), else exactly one
  bool gap_before = false;  // the first character of a later word of a phrase: ' *' before it
};

struct TermPattern {
  std::string regex;
  // `regex` (without its boundaries) piece by piece; empty for regex terms.
  std::vector<Piece> pieces;
  Haystack haystack = Haystack::kMatchView;
  // The boundary bytes a match of `regex` has before and after the term's own span (0 or 1).
  // No capture group: RE2 locates a whole match with its DFAs alone, which is what keeps the
  // hit path short.
  std::size_t lead_bytes = 0;
  std::size_t trail_bytes = 0;
  // The bytes the term's span can start with (word terms; empty for regex terms). A match starts
  // where one of them follows the lead, so the locator tries anchored matches there only.
  std::string first_bytes;
  // The term's skeleton (word_index.h): what the word index looks it up by. Empty for regex terms.
  std::u32string skeleton;
};

// The pattern for `term`, or an error that names the term and says why it cannot be used.
Result<TermPattern> CompileTerm(const Term& term);

}  // namespace herald::compliance::detail
