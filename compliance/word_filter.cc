#include "compliance/word_filter.h"

#include <algorithm>
#include <atomic>
#include <tuple>
#include <utility>

#include "compliance/detail/list_matcher.h"
#include "compliance/detail/match_view.h"
#include "compliance/detail/term_pattern.h"
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
  Result<detail::TermPattern> pattern = detail::CompileTerm(term);
  if (!pattern.ok()) return std::move(pattern).error();
  return Status::Ok();
}

struct WordFilter::Compiled {
  std::vector<WordList> lists;
  std::vector<std::unique_ptr<detail::ListMatcher>> matchers;  // one per list, same order
  std::size_t term_count = 0;
  mutable std::atomic<std::uint64_t> dfa_fallbacks{0};
};

namespace {

// Scratch space reused by every scan on a thread, so that a text matching nothing costs no
// allocation once the buffers have grown.
struct ScanBuffers {
  NormalisedText normalised;
  detail::MatchView view;
};

bool Selects(const std::string& list_key, std::string_view key, std::string_view base) {
  return list_key == key || list_key == base;
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
  // A spaced-out word can be found in both the view and its joined form.
  matches.erase(
      std::unique(matches.begin(), matches.end(),
                  [&](const WordMatch& a, const WordMatch& b) { return key(a) == key(b); }),
      matches.end());
}

}  // namespace

WordFilter::WordFilter(std::unique_ptr<Compiled> compiled) : compiled_(std::move(compiled)) {}

WordFilter::~WordFilter() = default;

Result<std::shared_ptr<const WordFilter>> WordFilter::Build(std::vector<WordList> lists,
                                                            const WordFilterOptions& options) {
  auto compiled = std::make_unique<Compiled>();
  compiled->lists = std::move(lists);
  for (const WordList& list : compiled->lists) {
    Result<std::unique_ptr<detail::ListMatcher>> matcher =
        detail::ListMatcher::Create(list, options.max_matcher_memory_bytes);
    if (!matcher.ok()) return std::move(matcher).error();
    compiled->matchers.push_back(std::move(*matcher));
    compiled->term_count += list.terms.size();
  }
  return std::shared_ptr<const WordFilter>(new WordFilter(std::move(compiled)));
}

std::vector<WordMatch> WordFilter::Scan(std::string_view text, std::string_view language) const {
  thread_local ScanBuffers buffers;
  NormaliseText(text, buffers.normalised);
  detail::BuildMatchView(buffers.normalised.text, buffers.view);
  const detail::ScanText scan_text{text, buffers.normalised, buffers.view};

  const std::string key = detail::LanguageKey(language);
  const std::string_view base = std::string_view(key).substr(0, key.find('_'));
  const bool known =
      !key.empty() &&
      std::any_of(compiled_->matchers.begin(), compiled_->matchers.end(), [&](const auto& m) {
        return !m->language_key().empty() && Selects(m->language_key(), key, base);
      });
  std::vector<WordMatch> matches;
  int fallbacks = 0;
  for (const auto& matcher : compiled_->matchers) {
    const std::string& list_key = matcher->language_key();
    if (known && !list_key.empty() && !Selects(list_key, key, base)) continue;
    fallbacks += matcher->Scan(scan_text, matches);
  }
  if (fallbacks > 0) compiled_->dfa_fallbacks.fetch_add(fallbacks, std::memory_order_relaxed);
  if (!matches.empty()) FinishMatches(matches);
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

void WordFilterSlot::Store(std::shared_ptr<const WordFilter> next) {
  std::atomic_store(&current_, std::move(next));
}

}  // namespace herald::compliance
