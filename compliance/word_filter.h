// The sensitive-word filter: compliance officers' word lists compiled into RE2 matchers.
//
// A `WordFilter` is built once from the active version of every list and is immutable afterwards:
// `Scan` may be called from any number of threads at once. Activation builds a new filter off the
// sending path and swaps it in through `WordFilterSlot`; scans already running keep the filter they
// started with (shared ownership), so a swap never loses or mixes a check.
//
// Matching works on normalised text (see text_normaliser.h: NFKC-compatible decomposition, case
// folding, marks stripped, zero-width and bidi controls removed, look-alike letters mapped) and is
// resistant to common obfuscation: separators between letters ("f r e e", "k.o.s.t.e.n.l.o.s"),
// digit/letter swaps ("fr33"), stretched letters ("freeee"). Word boundaries are Unicode-aware.
// Every match reports byte offsets into the caller's original text.
//
// What matches, in detail (word, phrase, prefix and allow terms; see detail/match_view.h):
//   - letters and digits are word characters, everything else separates words; a term in a
//     script written without spaces (Han, Kana, Thai, ...) needs no boundary on that side, so
//     "退订" is found inside running text;
//   - 0 3 4 5 7 8 @ $ read as o e a s t b a s, and 1 as i or l. '@' and '$' are letters then:
//     "info@free.de" does not contain the word "free";
//   - any letter may be repeated ("frrreee"); the words of a phrase may be separated by any run of
//     whitespace or punctuation, or run together ("clickhere");
//   - a run of at least three one-character words is also read joined, its words split where the
//     gap differs from the usual one: "f r e e", "g e t  f r e e  m o n e y", "f.r.e.e m.o.n.e.y",
//     and, next to a real one-letter word, "a f r e e";
//   - an allow term is matched like a phrase; allow terms of every selected list hide matches of
//     every selected list that lie inside them.
// Regex terms match the normalised text itself (punctuation kept, digits are digits), ignoring
// case.
//
// Cost: the lists a text of one language is scanned with (the global lists, the language's and
// its base language's) are compiled together. Word, phrase, prefix and allow terms go into a word
// index (detail/words/word_index.h): a trie walked from each word start of the text, which names
// the few terms that can match there; each is confirmed, and its span found, by matching the term's
// pieces at that word start (detail/piece_match.h, the same result as the term's RE2). The cost
// of a scan does not grow with the number of terms and does not depend on having seen similar
// text before. Regex terms, and terms in scripts written without spaces, are one RE2::Set each
// over the text (one DFA pass; these Sets are what max_matcher_memory_bytes bounds), and their
// spans are found by each term's own RE2, compiled on first use. A scan allocates nothing when
// nothing matches; normalisation skips its offset map until something does. A text whose
// language has no list is scanned with every language's matcher.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace herald::compliance {

enum class MatchKind {
  kWord,    // the term as a whole word: "win" matches "win!" but not "winner" or "kiwin"
  kPhrase,  // words in order, separated by whitespace or punctuation (or none)
  kPrefix,  // a word that starts with the term: "krypto" matches "kryptowährung"
  kRegex,   // an RE2 pattern over the normalised text, validated when added
  kAllow,   // a known false positive: a match that lies inside an allow match is dropped
};

enum class Severity {
  kBlock,   // the message is refused
  kReview,  // the message may go, the match is reported for review
};

std::string_view MatchKindName(MatchKind kind);    // "word", "phrase", "prefix", "regex", "allow"
std::string_view SeverityName(Severity severity);  // "block", "review"
Result<MatchKind> ParseMatchKind(std::string_view name);
Result<Severity> ParseSeverity(std::string_view name);

struct Term {
  std::string text;  // as the officer wrote it; normalised when compiled
  MatchKind kind = MatchKind::kWord;
  Severity severity = Severity::kBlock;
  std::string note;
};

// One active list version. `language` is empty for the global list, which applies to every text.
struct WordList {
  std::string name;      // "global", "de", "en", …
  std::string language;  // "de", "en", … or empty
  std::int64_t version = 0;
  std::vector<Term> terms;
};

// Checks one term as an officer adds it: text and note valid UTF-8, non-empty after normalisation,
// a word/phrase/prefix that has letters or digits, a regex that RE2 accepts, that is not too large
// to compile into the list's matcher and cannot match an empty string. The error names the term and
// says why.
Status ValidateTerm(const Term& term);

struct WordMatch {
  std::string list;  // the list's name
  std::int64_t version = 0;
  std::string term;  // the term as written in the list
  MatchKind kind = MatchKind::kWord;
  Severity severity = Severity::kBlock;
  std::string note;
  std::size_t begin = 0;  // byte offsets into the original (un-normalised) text: [begin, end)
  std::size_t end = 0;
};

struct WordFilterOptions {
  // Memory RE2 may use per Set of a language's matcher (its regex terms; its terms in scripts
  // written without spaces), DFA state cache included. A Set that does not fit fails Build
  // (kResourceExhausted, naming the lists): RE2 only compiles a Set whose DFA has
  // room for at least 20 of its largest states, and a scan that fills the cache resets it and
  // goes on (slower, still exact). Should a scan nevertheless report that the DFA ran out of
  // memory, the filter checks each term on its own (correct, slower) and counts it in
  // `dfa_fallbacks`: it never skips a check.
  std::int64_t max_matcher_memory_bytes = 256ll << 20;
};

class WordFilter {
 public:
  // Compiles every list. Fails, naming the list and term, when a term is invalid (ValidateTerm).
  static Result<std::shared_ptr<const WordFilter>> Build(std::vector<WordList> lists,
                                                         const WordFilterOptions& options = {});
  ~WordFilter();

  // Every match of `text` against the global lists and the list(s) of `language` ("de" also
  // selects "de"; "de_AT" selects "de_AT" and "de"); an empty or unknown language selects every
  // list. Matches are ordered by `begin`; allow-listed matches are not reported.
  std::vector<WordMatch> Scan(std::string_view text, std::string_view language) const;

  const std::vector<WordList>& lists() const;
  std::size_t term_count() const;
  // How many scans have had to fall back from a matcher's DFA because it ran out of memory.
  std::uint64_t dfa_fallbacks() const;

  struct Compiled;  // implementation detail

 private:
  explicit WordFilter(std::unique_ptr<Compiled> compiled);
  std::unique_ptr<Compiled> compiled_;
};

// Holds the active filter and swaps it atomically. Thread-safe.
class WordFilterSlot {
 public:
  explicit WordFilterSlot(std::shared_ptr<const WordFilter> initial);
  std::shared_ptr<const WordFilter> Load() const;
  // Swaps `next` in and returns the filter it replaces, so that the activating thread can be the
  // one that destroys it (common/release.h), not a thread that happens to scan last.
  std::shared_ptr<const WordFilter> Exchange(std::shared_ptr<const WordFilter> next);

 private:
  std::shared_ptr<const WordFilter> current_;  // accessed only through std::atomic_load/store
};

}  // namespace herald::compliance
