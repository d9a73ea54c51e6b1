#include "compliance/stop_keywords.h"

#include <utf8proc.h>

#include <algorithm>
#include <utility>

#include "common/language_tag.h"
#include "compliance/text_normaliser.h"

namespace herald::compliance {
namespace {

using Words = std::vector<std::string>;

bool IsWordCharacter(utf8proc_int32_t code_point) {
  switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool IsSpace(utf8proc_int32_t code_point) {
  switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
      return true;
    default:
      return false;
  }
}

// Appends `word` trimmed of non-word characters at both ends, when anything is left.
void AddTrimmed(std::string_view word, std::vector<std::pair<std::size_t, bool>>& marks,
                Words& words) {
  std::size_t first = marks.size(), last = 0;
  for (std::size_t i = 0; i < marks.size(); ++i) {
    if (marks[i].second) {
      first = std::min(first, i);
      last = i;
    }
  }
  if (first < marks.size()) {
    const std::size_t begin = marks[first].first;
    const std::size_t end = last + 1 < marks.size() ? marks[last + 1].first : word.size();
    words.emplace_back(word.substr(begin, end - begin));
  }
  marks.clear();
}

// Normalised words of `text`, each trimmed of punctuation, symbols and emoji at its edges.
Words SplitWords(std::string_view text) {
  const std::string normalised = NormaliseForComparison(text);
  Words words;
  std::vector<std::pair<std::size_t, bool>> marks;  // (offset in word, is a word character)
  std::size_t word_begin = 0;
  std::size_t pos = 0;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(normalised.data());
  while (pos < normalised.size()) {
    utf8proc_int32_t code_point = 0;
    utf8proc_ssize_t length = utf8proc_iterate(bytes + pos, normalised.size() - pos, &code_point);
    if (length <= 0) length = 1, code_point = -1;  // an invalid byte is neither space nor letter
    if (code_point >= 0 && IsSpace(code_point)) {
      AddTrimmed(std::string_view(normalised).substr(word_begin, pos - word_begin), marks, words);
      word_begin = pos + length;
    } else {
      marks.emplace_back(pos - word_begin, code_point >= 0 && IsWordCharacter(code_point));
    }
    pos += length;
  }
  AddTrimmed(std::string_view(normalised).substr(word_begin), marks, words);
  return words;
}

bool StartsWithAt(const Words& words, std::size_t at, const Words& phrase) {
  return at + phrase.size() <= words.size() &&
         std::equal(phrase.begin(), phrase.end(), words.begin() + at);
}

}  // namespace

struct StopKeywordMatcher::Data {
  struct Keyword {
    std::string language;
    std::string language_key;  // LanguageKey(language): "pt-BR" is preferred for "pt_BR"
    std::string written;
    Words words;
  };
  std::vector<Keyword> keywords;  // configuration order
  std::vector<Words> courtesy;

  // Fewest courtesy phrases that make up words[from, to) exactly, if no more than `budget`.
  std::optional<std::size_t> CourtesyPhrases(const Words& words, std::size_t from, std::size_t to,
                                             std::size_t budget) const {
    if (from == to) return 0;
    if (budget == 0) return std::nullopt;
    std::optional<std::size_t> best;
    for (const Words& phrase : courtesy) {
      if (from + phrase.size() > to || !StartsWithAt(words, from, phrase)) continue;
      auto rest = CourtesyPhrases(words, from + phrase.size(), to, budget - 1);
      if (rest && (!best || *rest + 1 < *best)) best = *rest + 1;
    }
    return best;
  }

  bool Matches(const Words& words, const Keyword& keyword) const {
    for (std::size_t at = 0; at + keyword.words.size() <= words.size(); ++at) {
      if (!StartsWithAt(words, at, keyword.words)) continue;
      auto before = CourtesyPhrases(words, 0, at, kMaxStopCourtesyWords);
      if (!before) continue;
      auto after = CourtesyPhrases(words, at + keyword.words.size(), words.size(),
                                   kMaxStopCourtesyWords - *before);
      if (after) return true;
    }
    return false;
  }
};

StopKeywordMatcher::StopKeywordMatcher() : data_(std::make_shared<Data>()) {}

Result<StopKeywordMatcher> StopKeywordMatcher::Build(
    const std::vector<StopKeywordList>& lists, const std::vector<std::string>& courtesy_words) {
  auto data = std::make_shared<Data>();
  for (const StopKeywordList& list : lists) {
    for (const std::string& keyword : list.keywords) {
      Words words = SplitWords(keyword);
      if (words.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "STOP keyword \"" + keyword + "\" has no letters or digits",
                         list.language);
      }
      data->keywords.push_back(
          {list.language, LanguageKey(list.language), keyword, std::move(words)});
    }
  }
  for (const std::string& courtesy : courtesy_words) {
    Words words = SplitWords(courtesy);
    if (words.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "courtesy word \"" + courtesy + "\" has no letters or digits");
    }
    data->courtesy.push_back(std::move(words));
  }
  StopKeywordMatcher matcher;
  matcher.data_ = std::move(data);
  return matcher;
}

std::optional<StopKeywordMatch> StopKeywordMatcher::Match(
    std::string_view inbound_text, std::string_view preferred_language) const {
  if (data_->keywords.empty()) return std::nullopt;
  const Words words = SplitWords(inbound_text);
  // A keyword and two courtesy phrases of a few words each: longer messages are conversation.
  if (words.empty() || words.size() > 12) return std::nullopt;
  const Data::Keyword* first = nullptr;
  const std::string preferred_key = LanguageKey(preferred_language);
  for (const Data::Keyword& keyword : data_->keywords) {
    if (!data_->Matches(words, keyword)) continue;
    if (keyword.language_key == preferred_key)
      return StopKeywordMatch{keyword.language, keyword.written};
    if (first == nullptr) first = &keyword;
  }
  if (first == nullptr) return std::nullopt;
  return StopKeywordMatch{first->language, first->written};
}

std::vector<StopKeywordList> DefaultStopKeywords() {
  return {
      {"en",
       {"STOP", "STOP ALL", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPT OUT",
        "OPTOUT"}},
      {"de", {"STOPP", "ABMELDEN", "ABBESTELLEN", "ABMELDUNG"}},
      {"es", {"BAJA", "PARAR", "DETENER", "DARME DE BAJA", "CANCELAR SUSCRIPCIÓN"}},
      {"pt", {"PARAR", "SAIR", "DESCADASTRAR", "CANCELAR INSCRIÇÃO"}},
      {"fr", {"ARRÊT", "ARRET", "DÉSABONNER", "DÉSINSCRIRE", "DÉSINSCRIPTION"}},
      {"it", {"BASTA", "DISISCRIVI", "CANCELLAMI"}},
      {"nl", {"AFMELDEN", "UITSCHRIJVEN"}},
      {"zh", {"退订", "取消订阅", "TD"}},
  };
}

std::vector<std::string> DefaultStopCourtesyWords() {
  return {"please",     "pls",         "plz",   "thanks",          "thank you", "thx",
          "now",        "bitte",       "danke", "jetzt",           "por favor", "gracias",
          "obrigado",   "obrigada",    "merci", "s'il vous plaît", "svp",       "grazie",
          "per favore", "alstublieft", "aub",   "bedankt",         "谢谢"};
}

}  // namespace herald::compliance
