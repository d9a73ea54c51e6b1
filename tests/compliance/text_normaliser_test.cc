// The normaliser folds what people write into one form (compatibility forms, case, marks,
// invisible characters, look-alike letters) and keeps every byte's place in the original.
#include "compliance/text_normaliser.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace herald::compliance {
namespace {

std::string Normalised(std::string_view text) {
  NormalisedText out;
  NormaliseText(text, out);
  return out.text;
}

// The original bytes behind the normalised bytes [begin, end).
std::string_view OriginalOf(std::string_view original, const NormalisedText& normalised,
                            std::size_t begin, std::size_t end) {
  const std::size_t from = normalised.OriginalBegin(begin);
  return original.substr(from, normalised.OriginalEnd(end) - from);
}

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = byte < 0x80 ? 1 : byte >> 5 == 6 ? 2 : byte >> 4 == 14 ? 3 : 4;
    if (byte >= 0x80 && (byte < 0xC2 || byte > 0xF4)) return false;
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

void ExpectOffsetMapInvariants(std::string_view original, const NormalisedText& normalised) {
  if (normalised.identity_offsets) {
    EXPECT_EQ(normalised.text.size(), original.size());
    EXPECT_TRUE(normalised.source_begin.empty());
    return;
  }
  ASSERT_EQ(normalised.source_begin.size(), normalised.text.size());
  ASSERT_EQ(normalised.source_end.size(), normalised.text.size());
  for (std::size_t i = 0; i < normalised.text.size(); ++i) {
    EXPECT_LT(normalised.source_begin[i], normalised.source_end[i]) << i;
    EXPECT_LE(normalised.source_end[i], original.size()) << i;
    if (i > 0) {
      EXPECT_LE(normalised.source_begin[i - 1], normalised.source_begin[i]) << i;
      EXPECT_LE(normalised.source_end[i - 1], normalised.source_end[i]) << i;
      const bool same_character = normalised.source_begin[i - 1] == normalised.source_begin[i];
      EXPECT_TRUE(same_character || normalised.source_end[i - 1] <= normalised.source_begin[i])
          << "characters overlap at " << i;
    }
  }
}

struct NormaliseCase {
  std::string_view input;
  std::string_view expected;
  std::string_view why;
};

TEST(NormaliseText, FoldsWhatPeopleWriteIntoOneForm) {
  const std::vector<NormaliseCase> cases = {
      {"FREE Shipping!", "free shipping!", "ASCII is lower-cased"},
      {"\xEF\xBD\x86\xEF\xBD\x92\xEF\xBD\x85\xEF\xBD\x85", "free", "full-width letters (NFKC)"},
      {"\xEF\xBC\xA6\xEF\xBC\xB2\xEF\xBC\xA5\xEF\xBC\xA5", "free", "full-width capitals"},
      {"\xF0\x9D\x90\x9F\xF0\x9D\x90\xAB\xF0\x9D\x90\x9E\xF0\x9D\x90\x9E", "free",
       "mathematical bold letters"},
      {"\xEF\xAC\x81nal", "final", "ligature fi"},
      {"fr\xC3\xA9"
       "e",
       "free", "precomposed e acute"},
      {"FR\xC3\x89"
       "E",
       "free", "precomposed capital E acute"},
      {"fre\xCC\x81"
       "e",
       "free", "combining acute accent"},
      {"Stra\xC3\x9F"
       "e",
       "strasse", "sharp s folds to ss"},
      {"STRA\xE1\xBA\x9E"
       "E",
       "strasse", "capital sharp s"},
      {"fr\xE2\x80\x8B"
       "ee",
       "free", "zero-width space"},
      {"f\xE2\x80\x8Cr\xE2\x80\x8D"
       "ee",
       "free", "zero-width non-joiner and joiner"},
      {"\xE2\x80\xAE"
       "free\xE2\x80\xAC",
       "free", "bidi override and pop"},
      {"\xE2\x81\xA6"
       "free\xE2\x81\xA9",
       "free", "bidi isolates"},
      {"fr\xC2\xAD"
       "ee",
       "free", "soft hyphen"},
      {"\xEF\xBB\xBF"
       "free",
       "free", "byte order mark"},
      {"fr\xD0\xB5\xD0\xB5", "free", "Cyrillic small ie"},
      {"FR\xD0\x95\xD0\x95", "free", "Cyrillic capital ie"},
      {"\xD1\x80\xD0\xB0\xD1\x83", "pay", "Cyrillic er, a, u"},
      {"\xCE\xBF\xCE\xB1\xCE\xB5\xCE\xB9\xCE\xBA\xCE\xBD\xCF\x81\xCF\x84\xCF\x85\xCF\x87",
       "oaeikvptux", "Greek lower-case look-alikes"},
      {"WI\xCE\x9D", "win", "Greek capital nu looks like N"},
      {"\xD1\x96\xD1\x95\xD1\x98", "isj", "Cyrillic i, dze, je"},
      {"a\xC2\xA0"
       "b",
       "a b", "no-break space"},
      {"\xE2\x93\x95ree", "free", "circled letter"},
      {"fr\xFF"
       "ee",
       "fr ee", "a byte that is not UTF-8 becomes a separator"},
      {"\xC3", " ", "a truncated sequence"},
      {"\xE9\x80\x80\xE8\xAE\xA2", "\xE9\x80\x80\xE8\xAE\xA2", "Han is kept"},
      {"\xED\x95\x9C\xEA\xB5\xAD", "\xED\x95\x9C\xEA\xB5\xAD", "Hangul syllables are kept"},
      {"\xC3\x84pfel \xC3\x96L", "apfel ol", "umlauts lose their marks"},
  };
  for (const NormaliseCase& c : cases) {
    EXPECT_EQ(Normalised(c.input), c.expected) << c.why;
  }
}

TEST(NormaliseText, AsciiKeepsIdentityOffsets) {
  NormalisedText out;
  NormaliseText("Hello WORLD 42!", out);
  EXPECT_EQ(out.text, "hello world 42!");
  EXPECT_TRUE(out.identity_offsets);
  EXPECT_EQ(out.OriginalBegin(6), 6u);
  EXPECT_EQ(out.OriginalEnd(11), 11u);
}

TEST(NormaliseText, OffsetsPointIntoTheOriginalText) {
  struct Case {
    std::string_view original;
    std::string_view normalised_word;  // found in the normalised text
    std::string_view original_word;    // what the offsets must point at
  };
  const std::vector<Case> cases = {
      {"Jetzt \xEF\xBD\x86\xEF\xBD\x92\xEF\xBD\x85\xEF\xBD\x85!", "free",
       "\xEF\xBD\x86\xEF\xBD\x92\xEF\xBD\x85\xEF\xBD\x85"},
      {"Get fr\xD0\xB5\xD0\xB5 stuff", "free", "fr\xD0\xB5\xD0\xB5"},
      {"x fr\xE2\x80\x8B"
       "ee y",
       "free",
       "fr\xE2\x80\x8B"
       "ee"},
      {"\xC3\xBC fre\xCC\x81"
       "e\xCC\x81 z",
       "free",
       "fre\xCC\x81"
       "e\xCC\x81"},
      {"\xE2\x80\x8B"
       "free\xE2\x80\x8B",
       "free", "free"},
      {"gro\xC3\x9F"
       "e",
       "grosse",
       "gro\xC3\x9F"
       "e"},
      {"gro\xC3\x9F"
       "e",
       "ss", "\xC3\x9F"},
  };
  for (const Case& c : cases) {
    NormalisedText out;
    NormaliseText(c.original, out);
    const std::size_t at = out.text.find(c.normalised_word);
    ASSERT_NE(at, std::string::npos) << out.text;
    EXPECT_EQ(OriginalOf(c.original, out, at, at + c.normalised_word.size()), c.original_word)
        << c.original;
    ExpectOffsetMapInvariants(c.original, out);
  }
}

TEST(NormaliseText, ReusedBuffersForgetThePreviousText) {
  NormalisedText out;
  NormaliseText("fr\xD0\xB5\xD0\xB5 und mehr", out);
  EXPECT_FALSE(out.identity_offsets);
  NormaliseText("ASCII", out);
  EXPECT_EQ(out.text, "ascii");
  EXPECT_TRUE(out.identity_offsets);
  EXPECT_TRUE(out.source_begin.empty());
  NormaliseText("", out);
  EXPECT_EQ(out.text, "");
}

// Random mixes of ASCII, multi-byte characters, marks, ignorables and broken bytes never break
// the offset map: in bounds, non-decreasing, and the output is valid UTF-8.
TEST(NormaliseText, OffsetMapStaysMonotoneAndInBoundsOnAnyInput) {
  const std::vector<std::string> pieces = {
      "a",
      "Z",
      " ",
      "!",
      "\xC3\xA9",
      "e\xCC\x81",
      "\xCC\x81",
      "\xE2\x80\x8B",
      "\xEF\xBD\x86",
      "\xD0\xB5",
      "\xC3\x9F",
      "\xEF\xAC\x81",
      "\xFF",
      "\xC3",
      "\xE2\x82",
      "\xF0\x9F\x98\x80",
      "\xED\xA0\x80",
      "\xE9\x80\x80",
      "\xEF\xB7\xBA",  // U+FDFA, the longest decomposition
  };
  std::mt19937 random(7);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  NormalisedText out;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int length = static_cast<int>(random() % 12);
    for (int k = 0; k < length; ++k) text += pieces[pick(random)];
    NormaliseText(text, out);
    ExpectOffsetMapInvariants(text, out);
    EXPECT_TRUE(IsValidUtf8(out.text)) << text;
    if (HasFailure()) break;
  }
}

TEST(NormaliseForComparison, TrimsAndCollapsesWhitespace) {
  EXPECT_EQ(NormaliseForComparison("  STOP\xE2\x80\x8B "), "stop");
  EXPECT_EQ(NormaliseForComparison("Stop \t\n please"), "stop please");
  EXPECT_EQ(NormaliseForComparison("\xEF\xBC\xB3\xEF\xBC\xB4\xEF\xBC\xAF\xEF\xBC\xB0"), "stop");
  EXPECT_EQ(NormaliseForComparison("Abmelden!"), "abmelden!");
  EXPECT_EQ(NormaliseForComparison(" \xC2\xA0 "), "");
}

}  // namespace
}  // namespace herald::compliance
