#include "compliance/text_normaliser.h"

#include <utf8proc.h>

#include <array>
#include <cstdint>

#include "compliance/detail/words/unicode_tables.h"

namespace herald::compliance {
namespace {

constexpr std::array<char, 128> MakeAsciiLower() {
  std::array<char, 128> table{};
  for (int c = 0; c < 128; ++c) {
    table[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return table;
}
constexpr std::array<char, 128> kAsciiLower = MakeAsciiLower();

// Compatibility decomposition + case folding + mark stripping + ignorables removed, one code
// point at a time so that every output byte keeps its source span. Canonical recomposition is
// not needed: after marks are stripped the only composable sequences are Hangul syllables,
// which are emitted untouched below.
constexpr utf8proc_option_t kDecomposeOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                   UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);

// The longest full decomposition in Unicode 15 is 18 code points (U+FDFA).
constexpr utf8proc_ssize_t kMaxDecomposition = 32;

bool IsHangulSyllable(utf8proc_int32_t cp) { return cp >= 0xAC00 && cp <= 0xD7A3; }

bool IsCombiningMark(utf8proc_int32_t cp) {
  const utf8proc_category_t category = utf8proc_category(cp);
  return category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC ||
         category == UTF8PROC_CATEGORY_ME;
}

class NonAsciiNormaliser {
 public:
  NonAsciiNormaliser(std::string_view original, NormalisedText& out, SourceOffsets offsets)
      : original_(original), out_(out), record_(offsets == SourceOffsets::kRecord) {}

  void Run(std::size_t from) {
    // A mark right after the ASCII prefix belongs to the prefix's last character.
    character_start_ = out_.text.empty() ? 0 : out_.text.size() - 1;
    std::size_t i = from;
    while (i < original_.size()) {
      const auto byte = static_cast<unsigned char>(original_[i]);
      if (byte < 0x80) {
        i = AppendAsciiRun(i);
        continue;
      }
      utf8proc_int32_t cp = 0;
      const utf8proc_ssize_t length =
          utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(original_.data() + i),
                           static_cast<utf8proc_ssize_t>(original_.size() - i), &cp);
      if (length <= 0) {  // not UTF-8: one separator per bad byte
        StartCharacter();
        Append(' ', i, i + 1);
        ++i;
        continue;
      }
      CodePoint(cp, i, i + static_cast<std::size_t>(length));
      i += static_cast<std::size_t>(length);
    }
  }

 private:
  void CodePoint(utf8proc_int32_t cp, std::size_t begin, std::size_t end) {
    if (const char32_t latin = detail::UpperCaseLookAlike(static_cast<char32_t>(cp))) {
      StartCharacter();
      Append(static_cast<char>(latin), begin, end);
      return;
    }
    if (IsHangulSyllable(cp)) {
      StartCharacter();
      Encode(cp, begin, end);
      return;
    }
    std::array<utf8proc_int32_t, kMaxDecomposition> buffer;
    int boundclass = 0;
    const utf8proc_ssize_t count = utf8proc_decompose_char(cp, buffer.data(), kMaxDecomposition,
                                                           kDecomposeOptions, &boundclass);
    if (count < 0 || count > kMaxDecomposition) {  // cannot happen for valid code points
      StartCharacter();
      Append(' ', begin, end);
      return;
    }
    if (count == 0) {
      if (IsCombiningMark(cp)) ExtendCharacter(end);
      return;
    }
    StartCharacter();
    for (utf8proc_ssize_t k = 0; k < count; ++k) {
      Encode(static_cast<utf8proc_int32_t>(
                 detail::LowerCaseLookAlike(static_cast<char32_t>(buffer[k]))),
             begin, end);
    }
  }

  void Encode(utf8proc_int32_t cp, std::size_t begin, std::size_t end) {
    std::array<utf8proc_uint8_t, 4> bytes;
    const utf8proc_ssize_t length = utf8proc_encode_char(cp, bytes.data());
    for (utf8proc_ssize_t k = 0; k < length; ++k) Append(static_cast<char>(bytes[k]), begin, end);
  }

  // Appends the run of ASCII bytes starting at `from`, one character each; returns its end.
  std::size_t AppendAsciiRun(std::size_t from) {
    std::size_t end = from;
    while (end < original_.size() && static_cast<unsigned char>(original_[end]) < 0x80) ++end;
    const std::size_t at = out_.text.size();
    out_.text.resize(at + end - from);
    for (std::size_t k = from; k < end; ++k) {
      out_.text[at + k - from] = kAsciiLower[static_cast<unsigned char>(original_[k])];
    }
    if (record_) {
      out_.source_begin.resize(at + end - from);
      out_.source_end.resize(at + end - from);
      for (std::size_t k = from; k < end; ++k) {
        out_.source_begin[at + k - from] = k;
        out_.source_end[at + k - from] = k + 1;
      }
    }
    character_start_ = out_.text.size() - 1;
    return end;
  }

  void StartCharacter() { character_start_ = out_.text.size(); }

  // A stripped combining mark belongs to the character it modifies.
  void ExtendCharacter(std::size_t end) {
    if (!record_) return;
    for (std::size_t k = character_start_; k < out_.text.size(); ++k) out_.source_end[k] = end;
  }

  void Append(char byte, std::size_t begin, std::size_t end) {
    out_.text.push_back(byte);
    if (!record_) return;
    out_.source_begin.push_back(begin);
    out_.source_end.push_back(end);
  }

  std::string_view original_;
  NormalisedText& out_;
  const bool record_;
  std::size_t character_start_ = 0;
};

}  // namespace

void NormaliseText(std::string_view original, NormalisedText& out, SourceOffsets offsets) {
  out.text.resize(original.size());
  char* const text = out.text.data();
  std::size_t i = 0;
  for (; i < original.size(); ++i) {
    const auto byte = static_cast<unsigned char>(original[i]);
    if (byte >= 0x80) break;
    text[i] = kAsciiLower[byte];
  }
  out.source_begin.clear();
  out.source_end.clear();
  if (i == original.size()) {
    out.identity_offsets = true;
    return;
  }
  // The ASCII prefix keeps identity offsets; the rest goes character by character.
  out.identity_offsets = false;
  out.text.resize(i);
  if (offsets == SourceOffsets::kRecord) {
    out.source_begin.resize(i);
    out.source_end.resize(i);
    for (std::size_t k = 0; k < i; ++k) {
      out.source_begin[k] = k;
      out.source_end[k] = k + 1;
    }
  }
  NonAsciiNormaliser(original, out, offsets).Run(i);
}

std::string NormaliseForComparison(std::string_view text) {
  NormalisedText normalised;
  NormaliseText(text, normalised);
  std::string result;
  result.reserve(normalised.text.size());
  bool pending_space = false;
  for (const char c : normalised.text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (space) {
      pending_space = !result.empty();
      continue;
    }
    if (pending_space) result.push_back(' ');
    pending_space = false;
    result.push_back(c);
  }
  return result;
}

}  // namespace herald::compliance
