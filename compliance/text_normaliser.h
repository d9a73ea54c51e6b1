// Text normalisation for matching what people write against what officers listed: the word
// filter scans normalised text, and inbound STOP keywords are compared in normalised form.
//
// Normalisation, per character of the original text:
//   - NFKC-compatible decomposition: full-width and other compatibility forms become their plain
//     letters ("ｆｒｅｅ" -> "free", "ﬁ" -> "fi", "𝐟" -> "f", a no-break space -> ' ');
//   - Unicode case folding ("STRAẞE" -> "strasse");
//   - combining marks stripped ("frée" -> "free"; note this also drops vowel signs of Indic
//     scripts and the kana voicing marks, for terms and texts alike);
//   - default-ignorable code points removed: zero-width spaces and joiners, bidi controls, soft
//     hyphens, variation selectors;
//   - Cyrillic and Greek letters that look like Latin ones mapped to those letters ("frее" with
//     Cyrillic е -> "free"; upper-case forms by their upper-case look: Greek Ν -> 'n');
//   - a byte that is not part of valid UTF-8 becomes one ' ' (a separator), never an error.
// ASCII text takes a fast path: lower-cased byte for byte, no Unicode tables involved.
//
// Every byte of the normalised text knows the span of original bytes it came from, so a match
// found in normalised text is reported at its place in the caller's original text.
//
// Thread rules: free functions; safe from any thread. A NormalisedText is reused by one thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace herald::compliance {

struct NormalisedText {
  std::string text;  // valid UTF-8
  // True when the original was ASCII: byte i of `text` is byte i of the original and the two
  // vectors below are empty. Otherwise byte i of `text` came from the original bytes
  // [source_begin[i], source_end[i]); both vectors are non-decreasing. A dropped combining mark
  // counts towards the character before it; a dropped ignorable belongs to no character.
  bool identity_offsets = true;
  std::vector<std::size_t> source_begin;
  std::vector<std::size_t> source_end;

  // The original byte span of the normalised bytes [begin, end), where begin < end <= size.
  std::size_t OriginalBegin(std::size_t begin) const {
    return identity_offsets ? begin : source_begin[begin];
  }
  std::size_t OriginalEnd(std::size_t end) const {
    return identity_offsets ? end : source_end[end - 1];
  }
};

// Whether NormaliseText records where each normalised byte came from. Skipping it makes the
// common case cheaper (a scanned text that matches nothing needs no offsets); normalising the
// same text again with kRecord gives the same text with its offsets.
enum class SourceOffsets {
  kRecord,
  kSkip,  // source_begin/source_end stay empty: OriginalBegin/End only if identity_offsets
};

// Normalises `original` into `out`, reusing its buffers (no allocation once they have grown to
// the size of the texts seen).
void NormaliseText(std::string_view original, NormalisedText& out,
                   SourceOffsets offsets = SourceOffsets::kRecord);

// The normalised text with ASCII whitespace runs collapsed to one ' ' and trimmed at both ends:
// "  STOP\u200B " -> "stop". For comparing short keywords; punctuation is kept.
std::string NormaliseForComparison(std::string_view text);

}  // namespace herald::compliance
