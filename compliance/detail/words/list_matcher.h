// The compiled word lists of one language selection, and the scan over them.
//
// A selection is a language and the lists a text in it is scanned with: the global lists plus the
// lists of the language and of its base language ("de_at": global, "de_at" and "de"). They are
// compiled together, so a scan looks at the text once per kind of term, not once per list:
//   - word, phrase, prefix and allow terms: the word index (word_index.h) walks the match view
//     from each word start and names the terms that can match there; each candidate is then
//     checked by matching the term's pieces at that word start (piece_match.h), which also gives
//     its span (the term's RE2 only when that would take too long);
//   - such terms in a script written without spaces (they can start inside a word): one
//     unanchored RE2::Set over the view, then each reported term located with its RE2;
//   - regex terms: one unanchored RE2::Set over the normalised text, then located likewise.
// A global term is compiled into the matcher of every language; its pattern and RE2 are compiled
// once (CompiledTerm) and shared.
//
// Thread rules: immutable after Create except the per-term RE2s, which are compiled once under
// std::call_once; Scan may run on any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "compliance/detail/words/match_view.h"
#include "compliance/detail/words/term_pattern.h"
#include "compliance/detail/words/word_index.h"
#include "compliance/text_normaliser.h"
#include "compliance/word_filter.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace herald::compliance::detail {

// A text prepared for scanning: its normalised form (offsets not needed) and its match view.
struct ScanText {
  const NormalisedText& normalised;
  const MatchView& view;
};

// One term of one list, validated and compiled to its pattern. `list` and `term` must outlive it.
class CompiledTerm {
 public:
  // Fails naming the list, its version and the term when the term cannot be used (ValidateTerm).
  static Result<std::unique_ptr<CompiledTerm>> Create(const WordList& list, const Term& term);
  ~CompiledTerm();

  const WordList& list() const { return list_; }
  const Term& term() const { return term_; }
  const TermPattern& pattern() const { return pattern_; }
  // The RE2 that finds this term's spans. Compiled on first use: most terms never occur, and
  // activating a list of 10,000 terms must not compile 10,000 RE2s.
  const re2::RE2& Locator() const;

 private:
  CompiledTerm(const WordList& list, const Term& term, TermPattern pattern);

  const WordList& list_;
  const Term& term_;
  TermPattern pattern_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<const re2::RE2> locator_;
};

class ListMatcher {
 public:
  // `terms` (and their lists) must outlive the matcher. Fails, naming the lists, when the Sets do
  // not fit in `max_memory_bytes`.
  static Result<std::unique_ptr<ListMatcher>> Create(std::string language_key,
                                                     std::vector<const CompiledTerm*> terms,
                                                     std::int64_t max_memory_bytes);
  ~ListMatcher();

  // The selection's language as a LanguageKey (common/language_tag.h): "de_at"; empty for a
  // filter without language lists, whose only matcher holds the global lists.
  const std::string& language_key() const { return language_key_; }

  // Appends every match in `text` to `out`, allow matches included (kind kAllow), unsorted, with
  // begin/end as byte offsets into the normalised text. Returns how many of its Sets ran out of
  // DFA memory on this text and were replaced by matching each term on its own.
  int Scan(const ScanText& text, std::vector<WordMatch>& out) const;

  // What Scan falls back to when a Set cannot answer: every term matched on its own. Same
  // matches as Scan (up to order and duplicates), much slower.
  void ScanEachTerm(const ScanText& text, std::vector<WordMatch>& out) const;

  struct TermSet;

 private:
  explicit ListMatcher(std::string language_key);

  std::string language_key_;
  WordIndex index_;  // ids index into indexed_
  std::vector<const CompiledTerm*> indexed_;
  std::unique_ptr<TermSet> spaceless_set_;  // null when there are no such terms
  std::unique_ptr<TermSet> regex_set_;      // null when no list of the selection has regex terms
};

}  // namespace herald::compliance::detail
