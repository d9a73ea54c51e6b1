// STOP keywords (issue 4, item 2): recognising an opt-out in a user's inbound message. Used by
// the webhook handler; the gate itself only sees the resulting opt-out.
//
// What counts as a STOP: the message, normalised for comparison (text_normaliser.h: NFKC, case
// folded, marks stripped, so "ARRÊT", "arret" and "Ａｒｒêｔ" are equal), split into words at
// whitespace, each word trimmed of leading and trailing punctuation, symbols and emoji, is
//   - exactly a keyword of ANY configured language (users write English STOP anywhere), or
//   - a keyword with at most two courtesy words around it ("STOP please", "bitte abmelden",
//     "Stop, thank you!"), courtesy words being a short configured list.
// Anything else is not a STOP: "don't stop sending", "stop it", "please stop sending me these"
// are left to a person. False opt-outs lose a customer; missed ones are caught when the user
// writes the bare keyword, which the confirmation message asks for. Keywords may have several
// words ("opt out", "stop all").
//
// Thread rules: a StopKeywordMatcher is immutable once built; any number of threads may use it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace herald::compliance {

struct StopKeywordList {
  std::string language;  // "en", "de", ...
  std::vector<std::string> keywords;
};

struct StopKeywordMatch {
  std::string language;  // the list that matched
  std::string keyword;   // as configured
};

// Defaults for config: English (the FCC 2024 opt-out words: STOP, QUIT, END, REVOKE, OPT OUT,
// CANCEL, UNSUBSCRIBE, plus STOP ALL), German, Spanish, Portuguese, French, Italian, Dutch and
// Chinese.
std::vector<StopKeywordList> DefaultStopKeywords();
std::vector<std::string> DefaultStopCourtesyWords();

inline constexpr std::size_t kMaxStopCourtesyWords = 2;

class StopKeywordMatcher {
 public:
  StopKeywordMatcher();  // matches nothing
  // Fails on a keyword or courtesy word with no letters or digits, naming it.
  static Result<StopKeywordMatcher> Build(const std::vector<StopKeywordList>& lists,
                                          const std::vector<std::string>& courtesy_words);

  // The matching keyword; when several lists have it, the list of `preferred_language` (the
  // contact's; languages compare by LanguageKey) if it is one of them, else the first in
  // configuration order.
  std::optional<StopKeywordMatch> Match(std::string_view inbound_text,
                                        std::string_view preferred_language = {}) const;

  struct Data;  // implementation detail

 private:
  std::shared_ptr<const Data> data_;
};

}  // namespace herald::compliance
