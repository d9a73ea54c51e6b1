#include "compliance/detail/words/unicode_tables.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>

namespace herald::compliance::detail {
namespace {

struct LookAlike {
  char32_t from;
  char32_t to;
};

// Upper-case forms, by their upper-case look (sorted by `from`).
constexpr std::array<LookAlike, 31> kUpperCase = {{
    {U'\u0391', U'a'}, {U'\u0392', U'b'}, {U'\u0395', U'e'}, {U'\u0396', U'z'},  // Α Β Ε Ζ
    {U'\u0397', U'h'}, {U'\u0399', U'i'}, {U'\u039A', U'k'}, {U'\u039C', U'm'},  // Η Ι Κ Μ
    {U'\u039D', U'n'}, {U'\u039F', U'o'}, {U'\u03A1', U'p'}, {U'\u03A4', U't'},  // Ν Ο Ρ Τ
    {U'\u03A5', U'y'}, {U'\u03A7', U'x'},                                        // Υ Χ
    {U'\u0405', U's'}, {U'\u0406', U'i'}, {U'\u0408', U'j'},                     // Ѕ І Ј
    {U'\u0410', U'a'}, {U'\u0412', U'b'}, {U'\u0415', U'e'}, {U'\u041A', U'k'},  // А В Е К
    {U'\u041C', U'm'}, {U'\u041D', U'h'}, {U'\u041E', U'o'}, {U'\u0420', U'p'},  // М Н О Р
    {U'\u0421', U'c'}, {U'\u0422', U't'}, {U'\u0423', U'y'}, {U'\u0425', U'x'},  // С Т У Х
    {U'\u04AE', U'y'}, {U'\u051C', U'w'},                                        // Ү Ԝ
}};

// Lower-case forms, by their lower-case look (sorted by `from`).
constexpr std::array<LookAlike, 29> kLowerCase = {{
    {U'\u0251', U'a'},                                                           // ɑ (Latin alpha)
    {U'\u03B1', U'a'}, {U'\u03B2', U'b'}, {U'\u03B3', U'y'}, {U'\u03B5', U'e'},  // α β γ ε
    {U'\u03B9', U'i'}, {U'\u03BA', U'k'}, {U'\u03BD', U'v'}, {U'\u03BF', U'o'},  // ι κ ν ο
    {U'\u03C1', U'p'}, {U'\u03C4', U't'}, {U'\u03C5', U'u'}, {U'\u03C7', U'x'},  // ρ τ υ χ
    {U'\u03C9', U'w'},                                                           // ω
    {U'\u0430', U'a'}, {U'\u0435', U'e'}, {U'\u043E', U'o'}, {U'\u0440', U'p'},  // а е о р
    {U'\u0441', U'c'}, {U'\u0443', U'y'}, {U'\u0445', U'x'}, {U'\u0455', U's'},  // с у х ѕ
    {U'\u0456', U'i'}, {U'\u0458', U'j'}, {U'\u04AF', U'y'}, {U'\u04BB', U'h'},  // і ј ү һ
    {U'\u04CF', U'l'}, {U'\u0501', U'd'}, {U'\u051D', U'w'},                     // ӏ ԁ ԝ
}};

template <std::size_t N>
constexpr bool SortedByFrom(const std::array<LookAlike, N>& table) {
  for (std::size_t i = 1; i < N; ++i) {
    if (!(table[i - 1].from < table[i].from)) return false;
  }
  return true;
}
static_assert(SortedByFrom(kUpperCase) && SortedByFrom(kLowerCase));

template <std::size_t N>
char32_t Find(const std::array<LookAlike, N>& table, char32_t code_point) {
  const auto it =
      std::lower_bound(table.begin(), table.end(), code_point,
                       [](const LookAlike& entry, char32_t value) { return entry.from < value; });
  return it != table.end() && it->from == code_point ? it->to : 0;
}

struct Range {
  char32_t first;
  char32_t last;
};

// Sorted, inclusive. Kana includes the prolonged sound mark; Han includes the iteration marks.
constexpr std::array<Range, 15> kSpacelessScripts = {{
    {0x0E00, 0x0EFF},    // Thai, Lao
    {0x0F00, 0x0FFF},    // Tibetan
    {0x1000, 0x109F},    // Myanmar
    {0x1780, 0x17FF},    // Khmer
    {0x19E0, 0x19FF},    // Khmer symbols
    {0x3005, 0x3007},    // 々 〆 〇
    {0x3040, 0x30FF},    // Hiragana, Katakana
    {0x31F0, 0x31FF},    // Katakana phonetic extensions
    {0x3400, 0x4DBF},    // CJK extension A
    {0x4E00, 0x9FFF},    // CJK unified ideographs
    {0xA9E0, 0xA9FF},    // Myanmar extended-B
    {0xAA60, 0xAA7F},    // Myanmar extended-A
    {0xF900, 0xFAFF},    // CJK compatibility ideographs
    {0x1B000, 0x1B16F},  // Kana supplement and extended
    {0x20000, 0x323AF},  // CJK extensions B..H
}};

}  // namespace

char32_t UpperCaseLookAlike(char32_t code_point) { return Find(kUpperCase, code_point); }

char32_t LowerCaseLookAlike(char32_t code_point) {
  const char32_t latin = Find(kLowerCase, code_point);
  return latin != 0 ? latin : code_point;
}

bool IsSpacelessScriptLetter(char32_t code_point) {
  const auto it =
      std::upper_bound(kSpacelessScripts.begin(), kSpacelessScripts.end(), code_point,
                       [](char32_t value, const Range& range) { return value < range.first; });
  return it != kSpacelessScripts.begin() && code_point <= std::prev(it)->last &&
         IsWordCodePoint(code_point);
}

bool IsWordCodePoint(char32_t code_point) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(code_point))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

}  // namespace herald::compliance::detail
