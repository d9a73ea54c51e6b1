// libFuzzer target: the word filter's normaliser, scanner and term validation never crash, hang
// or leak on any input, and keep their promises. The first byte picks what the rest is:
//   0  a text to normalise: the offset map is in bounds and non-decreasing, the output valid UTF-8
//   1  a text to scan with a fixed filter (starter-list terms and a few regexes): matches lie in
//      the text, are non-empty and ordered; no allow match is reported
//   2  a regex term: validated; if accepted, a list with it builds and scans the input
//   3  a word, phrase or prefix term (by the second byte): validated; if accepted, a list with it
//      builds and finds the term in its own text
//   4  "term\nterm...\0text": the scan through the word index finds exactly the spans that
//      matching each term on its own finds (a differential check of detail/words/word_index.h)
//   cmake -S . -B build-fuzz-filter -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DHERALD_FUZZ=ON
//     -DHERALD_BUILD_TESTS=OFF -DHERALD_BUILD_BENCH=OFF
//   ninja -C build-fuzz-filter word_filter_fuzz
//   build-fuzz-filter/tests/fuzz/word_filter_fuzz -max_total_time=600
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "compliance/detail/words/list_matcher.h"
#include "compliance/detail/words/match_view.h"
#include "compliance/text_normaliser.h"
#include "compliance/word_filter.h"

namespace {

using herald::compliance::MatchKind;
using herald::compliance::NormalisedText;
using herald::compliance::Severity;
using herald::compliance::Term;
using herald::compliance::WordFilter;
using herald::compliance::WordList;
using herald::compliance::WordMatch;

constexpr std::size_t kMaxText = 4096;

void Check(bool condition) {
  if (!condition) std::abort();
}

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    std::uint32_t cp = byte;
    if (byte >= 0x80) {
      if (byte < 0xC2 || byte > 0xF4) return false;
      length = byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
      if (i + length > text.size()) return false;
      cp = byte & (0x7F >> length);
      for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (next & 0x3F);
      }
      const std::uint32_t smallest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
      if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    }
    i += length;
  }
  return true;
}

Term MakeTerm(std::string text, MatchKind kind) {
  Term term;
  term.text = std::move(text);
  term.kind = kind;
  return term;
}

const WordFilter& FixedFilter() {
  static const std::shared_ptr<const WordFilter> filter = [] {
    WordList global{"global", "", 1, {}};
    for (const char* regex : {"bit\\.ly/\\w+", "\\d\\d+\\s?% off", "(?m)^stop$", "\\bw+in\\b"}) {
      global.terms.push_back(MakeTerm(regex, MatchKind::kRegex));
    }
    global.terms.push_back(MakeTerm("pin code", MatchKind::kAllow));
    WordList german{"de", "de", 1, {}};
    for (const char* word : {"kostenlos", "gratis", "gewinnen", "gewinner", "passwort", "pin",
                             "tan", "bitcoin", "risikofrei", "\xE9\x80\x80\xE8\xAE\xA2"}) {
      german.terms.push_back(MakeTerm(word, MatchKind::kWord));
    }
    for (const char* phrase : {"sie haben gewonnen", "100% garantiert", "kredit ohne schufa",
                               "gutschein einl\xC3\xB6sen", "klicken sie hier"}) {
      german.terms.push_back(MakeTerm(phrase, MatchKind::kPhrase));
    }
    german.terms.push_back(MakeTerm("krypto", MatchKind::kPrefix));
    WordList english{"en", "en", 1, {}};
    for (const char* word : {"free", "win", "winner", "prize", "otp", "password"}) {
      english.terms.push_back(MakeTerm(word, MatchKind::kWord));
    }
    for (const char* phrase : {"you have won", "click here", "risk-free", "act now"}) {
      english.terms.push_back(MakeTerm(phrase, MatchKind::kPhrase));
    }
    // A small budget: fuzzed texts reach DFA states without end, and the caches may fill it.
    herald::compliance::WordFilterOptions options;
    options.max_matcher_memory_bytes = 16 << 20;
    auto built = WordFilter::Build({global, german, english}, options);
    Check(built.ok());
    return *built;
  }();
  return *filter;
}

void CheckMatches(std::string_view text, const std::vector<WordMatch>& matches) {
  for (std::size_t i = 0; i < matches.size(); ++i) {
    Check(matches[i].begin < matches[i].end && matches[i].end <= text.size());
    Check(matches[i].kind != MatchKind::kAllow);
    if (i > 0) Check(matches[i - 1].begin <= matches[i].begin);
  }
}

void FuzzNormaliser(std::string_view text) {
  NormalisedText out;
  herald::compliance::NormaliseText(text, out);
  Check(IsValidUtf8(out.text));
  if (out.identity_offsets) {
    Check(out.text.size() == text.size());
  } else {
    Check(out.source_begin.size() == out.text.size() && out.source_end.size() == out.text.size());
    for (std::size_t i = 0; i < out.text.size(); ++i) {
      Check(out.source_begin[i] < out.source_end[i] && out.source_end[i] <= text.size());
      if (i > 0) {
        Check(out.source_begin[i - 1] <= out.source_begin[i]);
        Check(out.source_end[i - 1] <= out.source_end[i]);
      }
    }
  }
  (void)herald::compliance::NormaliseForComparison(text);
}

void FuzzTerm(Term term, std::string_view scan_text, bool must_find_itself) {
  if (!herald::compliance::ValidateTerm(term).ok()) return;
  herald::compliance::WordFilterOptions options;
  options.max_matcher_memory_bytes = 4 << 20;
  auto filter = WordFilter::Build({WordList{"fuzz", "", 1, {term}}}, options);
  Check(filter.ok());  // a term that validates must build
  const std::vector<WordMatch> matches = (*filter)->Scan(scan_text, "");
  CheckMatches(scan_text, matches);
  if (must_find_itself) Check(!matches.empty());
}

// Differential: the scan through the word index and the scan that matches each term on its own
// must find the same spans. The input is "term\nterm\n...\0text"; each term's first byte picks
// its kind.
void FuzzIndexAgainstEachTerm(std::string_view input) {
  const std::size_t split = input.find('\0');
  if (split == std::string_view::npos) return;
  WordList list{"fuzz", "", 1, {}};
  std::string_view terms = input.substr(0, split);
  while (!terms.empty() && list.terms.size() < 16) {
    const std::size_t end = std::min(terms.find('\n'), terms.size());
    const std::string_view line = terms.substr(0, end);
    terms.remove_prefix(std::min(end + 1, terms.size()));
    if (line.size() < 2) continue;
    const MatchKind kinds[] = {MatchKind::kWord, MatchKind::kPhrase, MatchKind::kPrefix,
                               MatchKind::kAllow};
    Term term =
        MakeTerm(std::string(line.substr(1)), kinds[static_cast<unsigned char>(line[0]) % 4]);
    if (herald::compliance::ValidateTerm(term).ok()) list.terms.push_back(std::move(term));
  }
  std::vector<std::unique_ptr<herald::compliance::detail::CompiledTerm>> compiled;
  std::vector<const herald::compliance::detail::CompiledTerm*> pointers;
  for (const Term& term : list.terms) {
    auto one = herald::compliance::detail::CompiledTerm::Create(list, term);
    Check(one.ok());
    compiled.push_back(std::move(*one));
    pointers.push_back(compiled.back().get());
  }
  auto matcher = herald::compliance::detail::ListMatcher::Create("", pointers, 8 << 20);
  Check(matcher.ok());
  const std::string_view text = input.substr(split + 1);
  NormalisedText normalised;
  herald::compliance::NormaliseText(text, normalised, herald::compliance::SourceOffsets::kSkip);
  herald::compliance::detail::MatchView view;
  herald::compliance::detail::BuildMatchView(normalised.text, view);
  const herald::compliance::detail::ScanText scan_text{normalised, view};
  const auto spans = [](std::vector<WordMatch> matches) {
    std::vector<std::tuple<std::size_t, std::size_t, std::string, MatchKind>> out;
    for (const WordMatch& m : matches) out.emplace_back(m.begin, m.end, m.term, m.kind);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  std::vector<WordMatch> by_index;
  if ((*matcher)->Scan(scan_text, by_index) != 0) return;  // a Set fell back: compared elsewhere
  std::vector<WordMatch> by_term;
  (*matcher)->ScanEachTerm(scan_text, by_term);
  Check(spans(std::move(by_index)) == spans(std::move(by_term)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size > kMaxText) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
      FuzzNormaliser(rest);
      break;
    case 1: {
      const std::vector<WordMatch> matches = FixedFilter().Scan(rest, rest.size() % 2 ? "de" : "");
      CheckMatches(rest, matches);
      break;
    }
    case 2:
      FuzzTerm(MakeTerm(std::string(rest), MatchKind::kRegex), rest, false);
      break;
    case 4:
      FuzzIndexAgainstEachTerm(rest);
      break;
    default: {
      const MatchKind kinds[] = {MatchKind::kWord, MatchKind::kPhrase, MatchKind::kPrefix};
      const std::string_view text = rest.substr(1);
      FuzzTerm(MakeTerm(std::string(text), kinds[static_cast<unsigned char>(rest[0]) % 3]), text,
               true);
      break;
    }
  }
  return 0;
}
