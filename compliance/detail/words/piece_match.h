// Confirms a word index candidate without an RE2: matches a term's pieces (term_pattern.h) at a
// word start of a match view, with exactly the result of its RE2 (TermPattern::regex, anchored
// there, leftmost-first as RE2 and Perl define it: each `x+` and ` *` tries its longest run first
// and gives back one at a time).
//
// Why: a term's own RE2 is cold in the CPU caches when a hit comes (one RE2 per term, thousands
// of terms), and running it was a quarter of a hit's cost. Pieces are a few bytes each.
//
// Cost: a failed (position, piece) pair is remembered for the call, and the work is capped at a
// small multiple of the text's length; past it the answer is "undecided" and the caller uses the
// term's RE2 (linear in the text).
//
// Thread rules: a free function; its scratch space is thread_local.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "compliance/detail/words/term_pattern.h"

namespace herald::compliance::detail {

struct PieceMatch {
  // False when the match would take too many steps to decide this way (a long run of one letter
  // against a term of that letter repeated): ask the term's RE2 (CompiledTerm::Locator).
  bool decided = true;
  // The match end, trailing boundary included, when it matches.
  std::optional<std::size_t> end;
};

// The match of `pattern` (a word, phrase, prefix or allow term) in `view` starting at `lead` —
// the ' ' before a word when pattern.lead_bytes is 1. When decided, the same as
//   RE2(pattern.regex).Match(view, lead, view.size(), RE2::ANCHOR_START, &m, 1) ? lead + m.size()
PieceMatch MatchPiecesAt(const TermPattern& pattern, std::string_view view, std::size_t lead);

}  // namespace herald::compliance::detail
