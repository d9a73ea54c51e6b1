// One word list compiled: an RE2::Set over the match view for its word, phrase, prefix and allow
// terms, another over the normalised text for its regex terms (when it has any), and a lazily
// compiled RE2 per term that locates the term's spans once the Set has said it occurs.
//
// Thread rules: immutable after Create except the per-term locators, which are compiled once
// under std::call_once; Scan may run on any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "compliance/detail/match_view.h"
#include "compliance/text_normaliser.h"
#include "compliance/word_filter.h"

namespace herald::compliance::detail {

// A text prepared for scanning: the caller's original, its normalised form and its match view.
struct ScanText {
  std::string_view original;
  const NormalisedText& normalised;
  const MatchView& view;
};

class ListMatcher {
 public:
  // `list` must outlive the matcher. Fails naming the list and term when a term is invalid, or
  // the list when its matcher does not fit in `max_memory_bytes`.
  static Result<std::unique_ptr<ListMatcher>> Create(const WordList& list,
                                                     std::int64_t max_memory_bytes);
  ~ListMatcher();

  const WordList& list() const { return list_; }
  // The list's language, lower case with '-' spelled '_'; empty for a global list.
  const std::string& language_key() const { return language_key_; }

  // Appends every match of this list in `text` to `out`, allow matches included (kind kAllow),
  // unsorted. Returns how many of its Sets ran out of DFA memory on this text and were replaced
  // by matching each term on its own.
  int Scan(const ScanText& text, std::vector<WordMatch>& out) const;

  // What Scan falls back to when a Set cannot answer: every term matched on its own. Same
  // matches as Scan (up to order and duplicates), much slower.
  void ScanEachTerm(const ScanText& text, std::vector<WordMatch>& out) const;

  struct TermSet;
  struct CompiledTerm;

 private:
  explicit ListMatcher(const WordList& list);

  const WordList& list_;
  std::string language_key_;
  std::unique_ptr<CompiledTerm[]> terms_;
  std::unique_ptr<TermSet> view_set_;
  std::unique_ptr<TermSet> regex_set_;  // null when the list has no regex terms
};

// "de-AT" -> "de_at".
std::string LanguageKey(std::string_view language);

}  // namespace herald::compliance::detail
