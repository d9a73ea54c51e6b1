// Generated word-list terms for the benchmarks: random pronounceable words of 4-12 letters
// (German-looking, some umlauts), some phrases, a few prefixes and, one per 100 terms up to 6,
// regexes. Deterministic for a seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "compliance/word_filter.h"

namespace herald::bench {

using compliance::MatchKind;
using compliance::Severity;
using compliance::Term;

class TermGenerator {
 public:
  explicit TermGenerator(std::uint32_t seed) : random_(seed) {}

  // A pronounceable word of 4-12 letters: alternating onsets and vowels, some codas.
  std::string Word() {
    static constexpr const char* kOnsets[] = {"b",  "d",  "f",  "g",  "h",  "k",   "l",  "m",
                                              "n",  "p",  "r",  "s",  "t",  "v",   "w",  "z",
                                              "br", "kr", "st", "tr", "pl", "sch", "gr", "fl"};
    static constexpr const char* kVowels[] = {"a", "e", "i", "o", "u", "ei", "au", "ie", "ä", "ü"};
    static constexpr const char* kCodas[] = {"", "", "", "n", "r", "s", "t", "l", "m", "ng", "ck"};
    const std::size_t length = 4 + random_() % 9;
    std::string word;
    while (word.size() < length) {
      word += Pick(kOnsets);
      // Umlauts are rarer than plain vowels.
      word += random_() % 8 == 0 ? Pick(kVowels) : kVowels[random_() % 8];
      if (random_() % 3 == 0) word += Pick(kCodas);
    }
    return word;
  }

  std::vector<Term> Terms(std::size_t count) {
    std::vector<Term> terms;
    static constexpr const char* kRegexes[] = {"bit\\.ly/\\w+",
                                               "\\d\\d+\\s?% (off|rabatt)",
                                               "(whatsapp|telegram)\\.me/\\w+",
                                               "[a-z]+\\d{4,}",
                                               "gewinn\\w*code",
                                               "\\b\\d{3}-\\d{3}-\\d{4}\\b"};
    for (std::size_t i = 0; i < count; ++i) {
      Term term;
      const std::uint32_t roll = random_() % 100;
      if (i < std::size(kRegexes) && i * 100 < count) {  // a few: one per 100 terms, at most 6
        term.text = kRegexes[i];
        term.kind = MatchKind::kRegex;
      } else if (roll < 10) {
        term.text = Word();
        for (int words = random_() % 3 == 0 ? 2 : 1; words > 0; --words) {
          term.text += ' ';
          term.text += Word();
        }
        term.kind = MatchKind::kPhrase;
      } else if (roll < 13) {
        term.text = Word();
        std::size_t cut = std::min<std::size_t>(5, term.text.size());
        while (cut > 0 && (static_cast<unsigned char>(term.text[cut]) & 0xC0) == 0x80) --cut;
        term.text.resize(cut);
        term.kind = MatchKind::kPrefix;
      } else {
        term.text = Word();
        term.kind = MatchKind::kWord;
      }
      term.severity = random_() % 4 == 0 ? Severity::kReview : Severity::kBlock;
      terms.push_back(std::move(term));
    }
    return terms;
  }

 private:
  template <std::size_t N>
  const char* Pick(const char* const (&choices)[N]) {
    return choices[random_() % N];
  }

  std::mt19937 random_;
};

}  // namespace herald::bench
