// The word index names every place a word, phrase, prefix or allow term can match (it is a
// necessary condition, so it may never leave a match out), and the scan built on it finds exactly
// what matching each term on its own finds.
#include "compliance/detail/words/word_index.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "compliance/detail/words/match_view.h"
#include "compliance/detail/words/piece_match.h"
#include "compliance/detail/words/term_pattern.h"
#include "compliance/text_normaliser.h"
#include "compliance/word_filter.h"
#include "tests/compliance/one_list_matcher.h"

namespace herald::compliance {
namespace {

std::string ViewOf(std::string_view text) {
  NormalisedText normalised;
  NormaliseText(text, normalised);
  detail::MatchView view;
  detail::BuildMatchView(normalised.text, view);
  return view.text;
}

TEST(Skeleton, CollapsesRunsSkipsSpacesAndJoinsIAndL) {
  EXPECT_EQ(detail::Skeleton(ViewOf("free")), U"fre");
  EXPECT_EQ(detail::Skeleton(ViewOf("FRRR33")), U"fre");
  EXPECT_EQ(detail::Skeleton(ViewOf("click  here")), U"cickhere");
  EXPECT_EQ(detail::Skeleton(ViewOf("w1ll")), U"wi");
  EXPECT_EQ(detail::Skeleton(ViewOf("Gr\xC3\xBC\xC3\x9F"
                                    "e")),
            U"gruse");  // marks stripped, ß folded to ss
  EXPECT_EQ(detail::Skeleton(ViewOf("...")), U"");
}

std::vector<std::pair<std::uint32_t, std::size_t>> Candidates(const detail::WordIndex& index,
                                                              std::string_view view) {
  std::vector<std::pair<std::uint32_t, std::size_t>> found;
  index.ForEachCandidate(view,
                         [&](std::uint32_t id, std::size_t lead) { found.emplace_back(id, lead); });
  return found;
}

TEST(WordIndex, NamesTermsAtTheWordStartsTheirSkeletonIsReadFrom) {
  const std::vector<std::u32string> skeletons = {U"fre", U"fremoney", U"tan"};
  std::vector<const std::u32string*> pointers;
  for (const auto& skeleton : skeletons) pointers.push_back(&skeleton);
  const detail::WordIndex index(pointers);
  using Found = std::vector<std::pair<std::uint32_t, std::size_t>>;
  //                  0123456789012345678
  EXPECT_EQ(Candidates(index, " frreee money tank "), (Found{{0, 0}, {1, 0}, {2, 13}}));
  EXPECT_EQ(Candidates(index, " nothing here "), Found{});
  EXPECT_EQ(Candidates(index, " f r e e "), (Found{{0, 0}}));  // spaces are skipped
  EXPECT_EQ(Candidates(detail::WordIndex(), " free "), Found{});
}

// Word starts inside a long run of one letter ("a a a ... a b" for "ab"): every one of them is a
// candidate. (Each run is read once per scan, whatever the number of walks through it; the
// bench's 4,096-byte texts show the time is linear.)
TEST(WordIndex, HandlesLongRunsOfOneLetter) {
  const std::u32string skeleton = U"ab";
  const detail::WordIndex index({&skeleton});
  std::string view = " ";
  for (int i = 0; i < 2000; ++i) view += "a ";  // also the case that once made scans quadratic
  view += "b ";
  const auto found = Candidates(index, view);
  ASSERT_EQ(found.size(), 2000u);
  EXPECT_EQ(found.front().second, 0u);
  EXPECT_EQ(found.back().second, view.size() - 5);  // the ' ' before the last "a"
}

// ---- The scan against matching each term on its own, on generated texts -----------------------

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : random_(seed) {}

  // Short words over few letters, so that terms and text words often share beginnings.
  std::string Word() {
    static constexpr char kLetters[] = "aeilnorst";
    std::string word;
    for (std::size_t n = 1 + random_() % 5; n > 0; --n) word += kLetters[random_() % 9];
    return word;
  }

  Term MakeTerm() {
    Term term;
    const std::uint32_t roll = random_() % 10;
    term.text = Word();
    if (roll < 3) {
      term.kind = MatchKind::kPhrase;
      term.text += ' ' + Word();
    } else if (roll < 5) {
      term.kind = MatchKind::kPrefix;
    } else if (roll < 6) {
      term.kind = MatchKind::kAllow;
      term.text += ' ' + Word();
    }
    return term;
  }

  // A word as people disguise it: stretched, digits for letters, letters spaced out.
  std::string Disguise(const std::string& word) {
    std::string out;
    const std::uint32_t how = random_() % 6;
    for (const char c : word) {
      char shown = c;
      if (how == 1 && (c == 'e' || c == 'o' || c == 'i' || c == 'l')) {
        shown = c == 'e' ? '3' : c == 'o' ? '0' : '1';
      }
      out += shown;
      if (how == 2 && random_() % 2 == 0) out += shown;  // stretched
      if (how == 3) out += '.';                          // f.r.e.e.
      if (how == 4) out += ' ';                          // f r e e
    }
    return out;
  }

  std::string Text(const std::vector<Term>& terms) {
    std::string text;
    for (std::size_t n = 3 + random_() % 12; n > 0; --n) {
      const std::uint32_t roll = random_() % 10;
      if (roll < 4 && !terms.empty()) {
        text += Disguise(terms[random_() % terms.size()].text);
      } else {
        text += Disguise(Word());
      }
      static constexpr const char* kGaps[] = {" ", "  ", ", ", "-", "", "\n", " \xC3\xA4 "};
      text += kGaps[random_() % 7];
    }
    return text;
  }

 private:
  std::mt19937 random_;
};

std::vector<std::string> Describe(const std::vector<WordMatch>& matches) {
  std::vector<std::string> described;
  for (const WordMatch& m : matches) {
    described.push_back(m.term + "|" + std::string(MatchKindName(m.kind)) + "@" +
                        std::to_string(m.begin) + "-" + std::to_string(m.end));
  }
  std::sort(described.begin(), described.end());
  described.erase(std::unique(described.begin(), described.end()), described.end());
  return described;
}

TEST(WordIndexScan, FindsExactlyWhatMatchingEachTermOnItsOwnFinds) {
  std::size_t matches_seen = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    Generator generator(seed);
    WordList list{"l", "en", 1, {}};
    for (int i = 0; i < 30; ++i) list.terms.push_back(generator.MakeTerm());
    const OneListMatcher matcher(list);
    for (int t = 0; t < 100; ++t) {
      const std::string text = generator.Text(list.terms);
      const std::vector<WordMatch> by_index = matcher.Scan(text);
      ASSERT_EQ(Describe(by_index), Describe(matcher.ScanEachTerm(text)))
          << "seed " << seed << ": \"" << text << "\"";
      matches_seen += by_index.size();
    }
  }
  EXPECT_GE(matches_seen, 2000u);  // the generator does put terms in
}

// ---- Matching pieces against the term's own RE2 -----------------------------------------------

// At every word start of generated views: the same match end as RE2, or no match in both.
TEST(MatchPiecesAt, AgreesWithTheTermsRe2AtEveryWordStart) {
  std::mt19937 random(7);
  static constexpr const char* kPieces[] = {"a", "i", "l",        "1",           "e",
                                            "3", "2", "\xC3\xA4", "\xE0\xA5\xA9"};
  const auto random_word = [&](std::size_t max_length) {
    std::string word;
    for (std::size_t n = 1 + random() % max_length; n > 0; --n) word += kPieces[random() % 9];
    return word;
  };
  std::size_t matched = 0;
  for (int round = 0; round < 3000; ++round) {
    Term term;
    term.kind = std::array{MatchKind::kWord, MatchKind::kPhrase, MatchKind::kPrefix}[random() % 3];
    term.text = random_word(4);
    if (term.kind == MatchKind::kPhrase) term.text += " " + random_word(3);
    Result<detail::TermPattern> pattern = detail::CompileTerm(term);
    if (!pattern.ok()) continue;
    RE2::Options options;
    options.set_log_errors(false);
    const RE2 re2(pattern->regex, options);
    ASSERT_TRUE(re2.ok()) << pattern->regex;
    // The term itself as people disguise it: letters stretched, 1 for i and l, phrase words
    // run together or far apart.
    const auto disguised = [&] {
      std::string text;
      for (const detail::Piece& piece : pattern->pieces) {
        if (piece.gap_before) text += std::string(random() % 3, ' ');
        const std::size_t times = piece.repeat ? 1 + random() % 3 : 1;
        for (std::size_t t = 0; t < times; ++t) {
          if (piece.alternate != 0 && random() % 3 == 0) {
            text += piece.alternate;
          } else {
            text.append(piece.bytes, piece.length);
          }
        }
      }
      return text;
    };
    std::string view = " ";
    for (std::size_t n = 1 + random() % 6; n > 0; --n) {
      view += random() % 3 == 0 ? disguised() : random_word(8);
      if (random() % 4 == 0) view += random_word(2);  // glued on: a prefix term still matches
      view += random() % 3 == 0 ? "  " : " ";
    }
    for (std::size_t lead = 0; lead < view.size(); ++lead) {
      if (pattern->lead_bytes == 1 && view[lead] != ' ') continue;
      re2::StringPiece match;
      const bool expected = re2.Match(view, lead, view.size(), RE2::ANCHOR_START, &match, 1);
      const detail::PieceMatch by_pieces = detail::MatchPiecesAt(*pattern, view, lead);
      ASSERT_TRUE(by_pieces.decided) << pattern->regex << " in \"" << view << "\"";
      const std::optional<std::size_t> end = by_pieces.end;
      ASSERT_EQ(end.has_value(), expected)
          << pattern->regex << " in \"" << view << "\" at " << lead;
      if (expected) {
        EXPECT_EQ(*end, lead + match.size()) << pattern->regex << " in \"" << view << "\"";
        ++matched;
      }
    }
  }
  EXPECT_GE(matched, 500u);
}

// A long run of one letter against a term of that letter repeated: decided quickly when it
// matches, handed back undecided (the caller asks RE2) instead of trying every split when not.
TEST(MatchPiecesAt, HandsALongHopelessRunBackUndecided) {
  Term term{"aaaaaaaaaaaa", MatchKind::kWord, Severity::kBlock, ""};
  Result<detail::TermPattern> pattern = detail::CompileTerm(term);
  ASSERT_TRUE(pattern.ok());
  const detail::PieceMatch hopeless =
      detail::MatchPiecesAt(*pattern, " " + std::string(3000, 'a') + "b ", 0);
  EXPECT_FALSE(hopeless.decided);
  const detail::PieceMatch matching =
      detail::MatchPiecesAt(*pattern, " " + std::string(3000, 'a') + " ", 0);
  EXPECT_TRUE(matching.decided);
  EXPECT_EQ(matching.end, std::optional<std::size_t>(3002));
  // Through the filter, both come out right (the undecided one through RE2).
  const WordList list{"l", "en", 1, {term}};
  const OneListMatcher matcher(list);
  EXPECT_TRUE(matcher.Scan(std::string(3000, 'a') + "b").empty());
  EXPECT_EQ(matcher.Scan(std::string(3000, 'a')).size(), 1u);
}

}  // namespace
}  // namespace herald::compliance
