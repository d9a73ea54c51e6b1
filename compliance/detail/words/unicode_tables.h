// Small Unicode tables the normaliser and the word filter need beyond utf8proc: Latin look-alikes
// among Cyrillic and Greek letters, the scripts written without spaces between words, and which
// code points count as parts of words.
#pragma once

namespace herald::compliance::detail {

// The Latin letter (lower case) an upper-case Cyrillic or Greek letter looks like, checked before
// case folding: Greek 'Ν' looks like 'N' although its lower case 'ν' looks like 'v'. 0 if none.
char32_t UpperCaseLookAlike(char32_t code_point);

// The Latin letter a lower-case (case-folded) Cyrillic or Greek letter looks like, or
// `code_point` itself.
char32_t LowerCaseLookAlike(char32_t code_point);

// Letters of scripts that do not separate words by spaces (Han, Hiragana, Katakana, Thai, Lao,
// Khmer, Myanmar, Tibetan): a term there has no word boundary to require.
bool IsSpacelessScriptLetter(char32_t code_point);

// A letter or number (general category L* or N*): what words are made of. Everything else
// separates words.
bool IsWordCodePoint(char32_t code_point);

}  // namespace herald::compliance::detail
