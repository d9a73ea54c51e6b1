#include "compliance/detail/words/match_view.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "compliance/detail/words/unicode_tables.h"

namespace herald::compliance::detail {
namespace {

constexpr std::array<char, 128> MakeViewBytes() {
  std::array<char, 128> table{};
  for (int c = 0; c < 128; ++c) table[c] = ' ';
  for (int c = 'a'; c <= 'z'; ++c) table[c] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = static_cast<char>(c - 'A' + 'a');
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<char>(c);
  table['0'] = 'o';
  table['3'] = 'e';
  table['4'] = 'a';
  table['5'] = 's';
  table['7'] = 't';
  table['8'] = 'b';
  table['@'] = 'a';
  table['$'] = 's';
  return table;
}
constexpr std::array<char, 128> kViewBytes = MakeViewBytes();

bool IsContinuationByte(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

std::size_t CodePointCount(std::string_view bytes) {
  return static_cast<std::size_t>(
      std::count_if(bytes.begin(), bytes.end(), [](char b) { return !IsContinuationByte(b); }));
}

// Counts one-character words in a row while the view is written; a run long enough means the
// text has a spaced-out word and needs the joined view.
class SpacedOutDetector {
 public:
  void Character() { ++characters_; }
  void Separator() {
    if (characters_ == 0) return;
    singles_ = characters_ == 1 ? singles_ + 1 : 0;
    if (singles_ >= kMinSpacedOutCharacters) found_ = true;
    characters_ = 0;
  }
  bool found() const { return found_; }

 private:
  std::size_t characters_ = 0;
  std::size_t singles_ = 0;
  bool found_ = false;
};

struct Word {
  std::size_t begin;  // view offsets
  std::size_t end;
  bool single = false;              // one character
  bool joined_to_previous = false;  // the gap before it separates letters of one word
};

bool HasWhitespace(std::string_view gap) {
  return gap.find_first_of(" \t\n\r\f\v") != std::string_view::npos;
}

// The gap that occurs most often between the letters of a spaced-out run is how its letters are
// separated; a gap that is longer, or has whitespace where that one has none, separates words:
// "f r e e  m o n e y" and "f.r.e.e m.o.n.e.y" are two words each.
void MarkLetterGaps(std::string_view normalised, std::vector<Word>& words, std::size_t first,
                    std::size_t last) {
  std::vector<std::string_view> gaps;
  for (std::size_t k = first + 1; k <= last; ++k) {
    gaps.push_back(normalised.substr(words[k - 1].end - 1, words[k].begin - words[k - 1].end));
  }
  std::vector<std::string_view> sorted = gaps;
  std::sort(sorted.begin(), sorted.end());
  std::string_view usual;
  std::size_t usual_count = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    if (j - i > usual_count) {
      usual = sorted[i];
      usual_count = j - i;
    }
    i = j;
  }
  const bool usual_has_whitespace = HasWhitespace(usual);
  for (std::size_t k = first + 1; k <= last; ++k) {
    const std::string_view gap = gaps[k - first - 1];
    words[k].joined_to_previous =
        gap.size() <= usual.size() && (usual_has_whitespace || !HasWhitespace(gap));
  }
}

class JoinedWriter {
 public:
  explicit JoinedWriter(MatchView& out) : out_(out) {}
  void Copy(std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      out_.joined.push_back(out_.text[i]);
      out_.joined_source.push_back(i);
    }
  }

 private:
  MatchView& out_;
};

// The text with letter gaps removed, then, for each joined word of four or more letters, the
// same word without its first letter, without its last, and without both: a real one-letter
// word next to a spaced-out one ("a f r e e", "ö f r e e") joins it but must not hide it.
void BuildJoined(std::string_view normalised, MatchView& out) {
  std::vector<Word> words;
  ForEachViewWord(out.text, [&](std::size_t begin, std::size_t end) {
    const std::string_view bytes = std::string_view(out.text).substr(begin, end - begin);
    words.push_back({begin, end, CodePointCount(bytes) == 1});
  });
  for (std::size_t k = 0; k < words.size();) {
    std::size_t j = k;
    while (j < words.size() && words[j].single) ++j;
    if (j - k >= kMinSpacedOutCharacters) MarkLetterGaps(normalised, words, k, j - 1);
    k = j + 1;
  }
  out.joined.clear();
  out.joined_source.clear();
  JoinedWriter writer(out);
  std::size_t copied = 0;  // view bytes before this are written
  for (const Word& word : words) {
    writer.Copy(word.joined_to_previous ? word.begin : copied, word.end);
    copied = word.end;
  }
  writer.Copy(copied, out.text.size());
  for (std::size_t k = 0; k < words.size();) {
    std::size_t j = k + 1;
    while (j < words.size() && words[j].joined_to_previous) ++j;
    const std::size_t letters = j - k;
    static constexpr std::array<std::pair<std::size_t, std::size_t>, 3> kTrims = {
        {{1, 0}, {0, 1}, {1, 1}}};
    for (const auto& [drop_first, drop_last] : kTrims) {
      const std::size_t from = k + drop_first;
      const std::size_t to = j - drop_last;
      if (letters < 4 || to - from < kMinSpacedOutCharacters) continue;
      for (std::size_t w = from; w < to; ++w) writer.Copy(words[w].begin, words[w].end);
      writer.Copy(words[to - 1].end, words[to - 1].end + 1);  // a separator after it
    }
    k = j;
  }
}

}  // namespace

void MatchView::ViewToNormalised(std::size_t view_size, std::size_t& begin, std::size_t& end) {
  const std::size_t normalised_size = view_size - 2;
  begin = begin == 0 ? 0 : std::min(begin - 1, normalised_size);
  end = end == 0 ? 0 : std::min(end - 1, normalised_size);
}

void MatchView::JoinedToView(std::size_t& begin, std::size_t& end) const {
  begin = joined_source[begin];
  end = joined_source[end - 1] + 1;
}

void BuildMatchView(std::string_view normalised, MatchView& out) {
  out.text.resize(normalised.size() + 2);
  char* const view = out.text.data() + 1;
  out.text.front() = ' ';
  out.text.back() = ' ';
  SpacedOutDetector detector;
  std::size_t i = 0;
  while (i < normalised.size()) {
    const auto byte = static_cast<unsigned char>(normalised[i]);
    if (byte < 0x80) {
      view[i] = kViewBytes[byte];
      if (view[i] == ' ') {
        detector.Separator();
      } else {
        detector.Character();
      }
      ++i;
      continue;
    }
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t length =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(normalised.data() + i),
                         static_cast<utf8proc_ssize_t>(normalised.size() - i), &cp);
    const bool word = length > 0 && IsWordCodePoint(static_cast<char32_t>(cp));
    if (length <= 0) length = 1;  // not produced by NormaliseText; a separator all the same
    for (utf8proc_ssize_t k = 0; k < length; ++k) view[i + k] = word ? normalised[i + k] : ' ';
    if (word) {
      detector.Character();
    } else {
      detector.Separator();
    }
    i += static_cast<std::size_t>(length);
  }
  detector.Separator();
  out.joined.clear();
  out.joined_source.clear();
  if (detector.found()) BuildJoined(normalised, out);
}

}  // namespace herald::compliance::detail
