#include "compliance/word_filter.h"

#include <algorithm>
#include <atomic>
#include <tuple>
#include <utility>

#include "common/language_tag.h"
#include "common/utf8.h"
#include "compliance/detail/words/list_matcher.h"
#include "compliance/detail/words/match_view.h"
#include "compliance/detail/words/term_pattern.h"
#include "compliance/text_normaliser.h"

namespace herald::compliance {

std::string_view MatchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::kWord:
      return "word";
    case MatchKind::kPhrase:
      return "phrase";
    case MatchKind::kPrefix:
      return "prefix";
    case MatchKind::kRegex:
      return "regex";
    case MatchKind::kAllow:
      return "allow";
  }
  return "word";
}

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kReview ? "review" : "block";
}

Result<MatchKind> ParseMatchKind(std::string_view name) {
  for (const MatchKind kind : {MatchKind::kWord, MatchKind::kPhrase, MatchKind::kPrefix,
                               MatchKind::kRegex, MatchKind::kAllow}) {
    if (name == MatchKindName(kind)) return kind;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown match kind \"" + std::string(name) +
                       "\" (expected word, phrase, prefix, regex or allow)");
}

Result<Severity> ParseSeverity(std::string_view name) {
  for (const Severity severity : {Severity::kBlock, Severity::kReview}) {
    if (name == SeverityName(severity)) return severity;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown severity \"" + std::string(name) + "\" (expected block or review)");
}

Status ValidateTerm(const Term& term) {
  // Terms and notes are shown in API answers and exports, which are UTF-8 (a CSV upload is not
  // checked as a whole).
  if (!IsValidUtf8(term.text)) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "a term is not valid UTF-8 (byte " + std::to_string(FindInvalidUtf8(term.text)) + ")");
  }
  if (!IsValidUtf8(term.note)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the note of term \"" + term.text + "\" is not valid UTF-8");
  }
  Result<detail::TermPattern> pattern = detail::CompileTerm(term);
  if (!pattern.ok()) return std::move(pattern).error();
  return Status::Ok();
}

struct WordFilter::Compiled {
  std::vector<WordList> lists;
  std::vector<std::unique_ptr<detail::CompiledTerm>> terms;  // every term of every list, once
  // One per language that has a list (its terms with the global lists' and its base language's),
  // or, when no list has a language, one of the global lists.
  std::vector<std::unique_ptr<detail::ListMatcher>> matchers;
  std::size_t term_count = 0;
  mutable std::atomic<std::uint64_t> dfa_fallbacks{0};

  // The matcher for `language`, or null when the language has no list (every matcher is used).
  const detail::ListMatcher* Select(std::string_view language) const;
};

namespace {

// Scratch space reused by every scan on a thread, so that a text matching nothing costs no
// allocation once the buffers have grown.
struct ScanBuffers {
  NormalisedText normalised;
  detail::MatchView view;
};

// Whether a list of language `list_key` is scanned for texts of the language `key` (both
// LanguageKeys: a list's language is compared as stored, even if it is not a valid tag).
bool Selects(std::string_view list_key, std::string_view key) {
  return list_key.empty() || list_key == key || list_key == BaseLanguageKey(key);
}

// Drops allow matches and every match that lies inside one, then orders by position.
void FinishMatches(std::vector<WordMatch>& matches) {
  std::vector<std::pair<std::size_t, std::size_t>> allowed;
  for (const WordMatch& match : matches) {
    if (match.kind == MatchKind::kAllow) allowed.emplace_back(match.begin, match.end);
  }
  std::erase_if(matches, [&](const WordMatch& match) {
    if (match.kind == MatchKind::kAllow) return true;
    return std::any_of(allowed.begin(), allowed.end(), [&](const auto& span) {
      return span.first <= match.begin && match.end <= span.second;
    });
  });
  const auto key = [](const WordMatch& m) {
    return std::tie(m.begin, m.end, m.list, m.version, m.term, m.kind);  // one per term
  };
  std::sort(matches.begin(), matches.end(),
            [&](const WordMatch& a, const WordMatch& b) { return key(a) < key(b); });
  // A spaced-out word can be found in both the view and its joined form, and a global term by
  // every matcher of a scan over all languages.
  matches.erase(
      std::unique(matches.begin(), matches.end(),
                  [&](const WordMatch& a, const WordMatch& b) { return key(a) == key(b); }),
      matches.end());
}

// Matches come with offsets into the normalised text; this moves them to the original. The scan
// normalised without offsets (most texts match nothing), so they are recorded now.
void MapToOriginal(std::string_view original, NormalisedText& normalised,
                   std::vector<WordMatch>& matches) {
  if (normalised.identity_offsets) return;
  NormaliseText(original, normalised, SourceOffsets::kRecord);
  for (WordMatch& match : matches) {
    match.begin = normalised.OriginalBegin(match.begin);
    match.end = normalised.OriginalEnd(match.end);
  }
}

// The distinct languages of the lists, as keys, in the order they first appear.
std::vector<std::string> ListLanguages(const std::vector<WordList>& lists) {
  std::vector<std::string> keys;
  for (const WordList& list : lists) {
    std::string key = LanguageKey(list.language);
    if (!key.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) {
      keys.push_back(std::move(key));
    }
  }
  return keys;
}

}  // namespace

const detail::ListMatcher* WordFilter::Compiled::Select(std::string_view language) const {
  const std::string key = LanguageKey(language);
  if (key.empty()) return nullptr;
  for (const std::string_view wanted : {std::string_view(key), BaseLanguageKey(key)}) {
    for (const auto& matcher : matchers) {
      if (matcher->language_key() == wanted) return matcher.get();
    }
  }
  return nullptr;
}

WordFilter::WordFilter(std::unique_ptr<Compiled> compiled) : compiled_(std::move(compiled)) {}

WordFilter::~WordFilter() = default;

Result<std::shared_ptr<const WordFilter>> WordFilter::Build(std::vector<WordList> lists,
                                                            const WordFilterOptions& options) {
  auto compiled = std::make_unique<Compiled>();
  compiled->lists = std::move(lists);
  for (const WordList& list : compiled->lists) {
    for (const Term& term : list.terms) {
      Result<std::unique_ptr<detail::CompiledTerm>> term_compiled =
          detail::CompiledTerm::Create(list, term);
      if (!term_compiled.ok()) return std::move(term_compiled).error();
      compiled->terms.push_back(std::move(*term_compiled));
    }
    compiled->term_count += list.terms.size();
  }
  std::vector<std::string> selections = ListLanguages(compiled->lists);
  if (selections.empty()) selections.emplace_back();  // the global lists alone
  for (std::string& key : selections) {
    std::vector<const detail::CompiledTerm*> terms;
    for (const auto& term : compiled->terms) {
      if (Selects(LanguageKey(term->list().language), key)) terms.push_back(term.get());
    }
    Result<std::unique_ptr<detail::ListMatcher>> matcher = detail::ListMatcher::Create(
        std::move(key), std::move(terms), options.max_matcher_memory_bytes);
    if (!matcher.ok()) return std::move(matcher).error();
    compiled->matchers.push_back(std::move(*matcher));
  }
  return std::shared_ptr<const WordFilter>(new WordFilter(std::move(compiled)));
}

std::vector<WordMatch> WordFilter::Scan(std::string_view text, std::string_view language) const {
  thread_local ScanBuffers buffers;
  NormaliseText(text, buffers.normalised, SourceOffsets::kSkip);
  detail::BuildMatchView(buffers.normalised.text, buffers.view);
  const detail::ScanText scan_text{buffers.normalised, buffers.view};

  std::vector<WordMatch> matches;
  int fallbacks = 0;
  if (const detail::ListMatcher* selected = compiled_->Select(language)) {
    fallbacks += selected->Scan(scan_text, matches);
  } else {
    for (const auto& matcher : compiled_->matchers) fallbacks += matcher->Scan(scan_text, matches);
  }
  if (fallbacks > 0) compiled_->dfa_fallbacks.fetch_add(fallbacks, std::memory_order_relaxed);
  if (!matches.empty()) {
    MapToOriginal(text, buffers.normalised, matches);
    FinishMatches(matches);
  }
  return matches;
}

const std::vector<WordList>& WordFilter::lists() const { return compiled_->lists; }

std::size_t WordFilter::term_count() const { return compiled_->term_count; }

std::uint64_t WordFilter::dfa_fallbacks() const {
  return compiled_->dfa_fallbacks.load(std::memory_order_relaxed);
}

WordFilterSlot::WordFilterSlot(std::shared_ptr<const WordFilter> initial)
    : current_(std::move(initial)) {}

std::shared_ptr<const WordFilter> WordFilterSlot::Load() const {
  return std::atomic_load(&current_);
}

std::shared_ptr<const WordFilter> WordFilterSlot::Exchange(std::shared_ptr<const WordFilter> next) {
  return std::atomic_exchange(&current_, std::move(next));
}

}  // namespace herald::compliance
