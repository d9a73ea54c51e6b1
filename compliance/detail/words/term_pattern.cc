#include "compliance/detail/words/term_pattern.h"

#include <re2/re2.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "compliance/detail/words/match_view.h"
#include "compliance/detail/words/unicode_tables.h"
#include "compliance/detail/words/word_index.h"
#include "compliance/text_normaliser.h"

namespace herald::compliance::detail {
namespace {

Error TermError(const Term& term, std::string_view reason) {
  std::string message(MatchKindName(term.kind));
  message += " term \"";
  message += term.text;
  message += "\": ";
  message += reason;
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

char32_t DecodeAt(std::string_view text, std::size_t& i) {
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t length =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                       static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
  i += length > 0 ? static_cast<std::size_t>(length) : 1;
  return length > 0 ? static_cast<char32_t>(cp) : U' ';
}

bool IsLetter(char32_t cp) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return true;
    default:
      return false;
  }
}

// The same character as a Piece: what AppendPiece writes, in data.
Piece MakePiece(std::string_view bytes, char32_t cp, bool gap_before) {
  Piece piece;
  piece.length = static_cast<std::uint8_t>(std::min<std::size_t>(bytes.size(), 4));
  for (std::size_t k = 0; k < piece.length; ++k) piece.bytes[k] = bytes[k];
  piece.gap_before = gap_before;
  if (cp == U'i' || cp == U'l') {
    piece.alternate = '1';
    piece.repeat = true;
  } else if (cp < 0x80) {
    piece.repeat = cp >= U'a' && cp <= U'z';
  } else {
    piece.repeat = IsLetter(cp);
  }
  return piece;
}

// One character of a view word as a pattern piece. The view holds only ASCII letters and digits
// and non-ASCII letters and numbers, none of which is an RE2 metacharacter.
void AppendPiece(std::string_view bytes, char32_t cp, std::string& out) {
  if (cp == U'i' || cp == U'l') {
    out += cp == U'i' ? "[i1]+" : "[l1]+";
  } else if (cp < 0x80) {
    out += bytes;
    if (cp >= U'a' && cp <= U'z') out += '+';
  } else {
    out += bytes;
    if (IsLetter(cp)) out += '+';
  }
}

Result<TermPattern> CompileWordTerm(const Term& term) {
  NormalisedText normalised;
  NormaliseText(term.text, normalised);
  MatchView view;
  BuildMatchView(normalised.text, view);
  std::string body;
  std::vector<Piece> pieces;
  std::string first_bytes;
  char32_t first = 0;
  char32_t last = 0;
  ForEachViewWord(view.text, [&](std::size_t begin, std::size_t end) {
    const bool later_word = !body.empty();
    if (later_word) body += " *";
    const std::string_view word = std::string_view(view.text).substr(begin, end - begin);
    for (std::size_t i = 0; i < word.size();) {
      const std::size_t start = i;
      const char32_t cp = DecodeAt(word, i);
      AppendPiece(word.substr(start, i - start), cp, body);
      pieces.push_back(MakePiece(word.substr(start, i - start), cp, later_word && start == 0));
      if (first == 0) {
        first = cp;
        first_bytes = word.substr(start, 1);
        if (cp == U'i' || cp == U'l') first_bytes += '1';
      }
      last = cp;
    }
  });
  if (body.empty()) return TermError(term, "has no letter or digit after normalisation");
  TermPattern pattern;
  pattern.haystack = Haystack::kMatchView;
  pattern.lead_bytes = IsSpacelessScriptLetter(first) ? 0 : 1;
  pattern.trail_bytes = term.kind == MatchKind::kPrefix || IsSpacelessScriptLetter(last) ? 0 : 1;
  pattern.first_bytes = std::move(first_bytes);
  pattern.skeleton = Skeleton(view.text);
  pattern.pieces = std::move(pieces);
  pattern.regex.reserve(body.size() + 2);
  if (pattern.lead_bytes == 1) pattern.regex += ' ';
  pattern.regex += body;
  if (pattern.trail_bytes == 1) pattern.regex += ' ';
  return pattern;
}

RE2::Options RegexOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kMaxRegexMemoryBytes);
  return options;
}

// Whether `re` matches the empty string anywhere. Whether an empty match is possible at a
// position depends only on the empty-width assertions there (^ $ \b \B, with or without (?m)),
// which are fixed by the characters on either side: a word character, another character, a
// newline or the text's end. Every pair of those occurs in these texts.
bool CanMatchEmpty(const RE2& re) {
  static constexpr std::array<std::string_view, 13> kContexts = {
      "", "a", " ", "\n", "aa", "a ", "a\n", " a", "  ", " \n", "\na", "\n ", "\n\n"};
  for (const std::string_view context : kContexts) {
    for (std::size_t pos = 0; pos <= context.size(); ++pos) {
      if (re.Match(context, pos, pos, RE2::ANCHOR_BOTH, nullptr, 0)) return true;
    }
  }
  return false;
}

// A text of one character that `re` matches as a whole, if any: a term that matches a single
// letter, digit or space matches nearly every text (`.`, `\\C`, `\\w`, `[a-z]`, `\\d`, `\\s`),
// and one scan of a long text would report a match per character. Letters of several scripts,
// since the haystack is any language.
std::optional<std::string_view> MatchedCharacter(const RE2& re) {
  static constexpr std::string_view kDigits = "0123456789";
  static constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyz";
  static constexpr std::array<std::string_view, 14> kOthers = {" ",
                                                               "\t",
                                                               "\n",
                                                               "\xC3\xA9" /* é */,
                                                               "\xC3\x9F" /* ß */,
                                                               "\xC3\xB1" /* ñ */,
                                                               "\xD0\xB6" /* ж */,
                                                               "\xCE\xB1" /* α */,
                                                               "\xD8\xA7" /* ا */,
                                                               "\xD7\x90" /* א */,
                                                               "\xE0\xA4\x95" /* क */,
                                                               "\xE4\xB8\xAD" /* 中 */,
                                                               "\xE3\x81\x82" /* あ */,
                                                               "\xEA\xB0\x80" /* 가 */};
  for (std::string_view set : {kDigits, kLetters}) {
    for (std::size_t i = 0; i < set.size(); ++i) {
      const std::string_view one = set.substr(i, 1);
      if (RE2::FullMatch(one, re)) return one;
    }
  }
  for (const std::string_view one : kOthers) {
    if (RE2::FullMatch(one, re)) return one;
  }
  return std::nullopt;
}

Result<TermPattern> CompileRegexTerm(const Term& term) {
  // Checked on its own first: wrapped in a group, "a)|(b" would parse.
  const RE2 raw(term.text, RegexOptions());
  if (!raw.ok()) {
    const bool too_large = raw.error_code() == RE2::ErrorPatternTooLarge;
    return TermError(term,
                     (too_large ? "is too large for RE2: " : "RE2 rejects it: ") + raw.error());
  }
  TermPattern pattern;
  pattern.regex = "(?i:" + term.text + ")";
  pattern.haystack = Haystack::kNormalised;
  const RE2 wrapped(pattern.regex, RegexOptions());
  if (!wrapped.ok()) return TermError(term, "RE2 rejects it: " + wrapped.error());
  if (wrapped.ProgramSize() > kMaxRegexProgramSize) {
    return TermError(term, "is too large: it compiles to " + std::to_string(wrapped.ProgramSize()) +
                               " RE2 instructions, more than the " +
                               std::to_string(kMaxRegexProgramSize) + " allowed per term");
  }
  if (CanMatchEmpty(wrapped)) {
    return TermError(term, "can match an empty string, so it would match every text");
  }
  if (const auto one = MatchedCharacter(wrapped)) {
    std::string shown = *one == "\n" ? "\\n" : *one == "\t" ? "\\t" : std::string(*one);
    return TermError(term, "matches a single character (\"" + shown +
                               "\"), so it would match nearly every text; match a word or a "
                               "longer pattern");
  }
  return pattern;
}

}  // namespace

Result<TermPattern> CompileTerm(const Term& term) {
  if (term.text.empty()) return TermError(term, "is empty");
  if (term.text.size() > kMaxTermBytes) {
    return TermError(term, "is longer than " + std::to_string(kMaxTermBytes) + " bytes");
  }
  if (term.kind == MatchKind::kRegex) return CompileRegexTerm(term);
  return CompileWordTerm(term);
}

}  // namespace herald::compliance::detail
