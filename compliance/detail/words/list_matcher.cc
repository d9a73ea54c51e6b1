#include "compliance/detail/words/list_matcher.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "compliance/detail/words/piece_match.h"
#include "compliance/detail/words/term_pattern.h"

namespace herald::compliance::detail {

CompiledTerm::CompiledTerm(const WordList& list, const Term& term, TermPattern pattern)
    : list_(list), term_(term), pattern_(std::move(pattern)) {}

CompiledTerm::~CompiledTerm() = default;

Result<std::unique_ptr<CompiledTerm>> CompiledTerm::Create(const WordList& list, const Term& term) {
  Result<TermPattern> pattern = CompileTerm(term);
  if (!pattern.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, "list \"" + list.name + "\" version " +
                                                      std::to_string(list.version) + ": " +
                                                      pattern.error().message);
  }
  return std::unique_ptr<CompiledTerm>(new CompiledTerm(list, term, std::move(*pattern)));
}

const RE2& CompiledTerm::Locator() const {
  std::call_once(once_, [this] {
    RE2::Options options;
    options.set_log_errors(false);
    // Small: a locator is one term, and thousands of them may be in use. Regex terms were
    // validated against the same budget, so they compile; past it RE2 uses its NFA.
    options.set_max_mem(kMaxRegexMemoryBytes);
    locator_ = std::make_unique<const RE2>(pattern_.regex, options);
  });
  return *locator_;
}

struct ListMatcher::TermSet {
  explicit TermSet(const RE2::Options& options) : set(options, RE2::UNANCHORED) {}
  RE2::Set set;
  std::vector<const CompiledTerm*> terms;  // by Set index
};

namespace {

enum class Source { kView, kJoined, kNormalised };

std::string_view SourceText(const ScanText& text, Source source) {
  switch (source) {
    case Source::kView:
      return text.view.text;
    case Source::kJoined:
      return text.view.joined;
    case Source::kNormalised:
      break;
  }
  return text.normalised.text;
}

RE2::Options SetOptions(std::int64_t max_memory_bytes) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_never_capture(true);  // the Set only says which terms occur
  options.set_max_mem(max_memory_bytes);
  return options;
}

WordMatch MakeMatch(const CompiledTerm& compiled, std::size_t begin, std::size_t end) {
  const WordList& list = compiled.list();
  const Term& term = compiled.term();
  return WordMatch{list.name,     list.version, term.text, term.kind,
                   term.severity, term.note,    begin,     end};
}

void AppendMatch(const CompiledTerm& term, const ScanText& text, Source source, std::size_t begin,
                 std::size_t end, std::vector<WordMatch>& out) {
  if (source == Source::kJoined) text.view.JoinedToView(begin, end);
  if (source != Source::kNormalised) MatchView::ViewToNormalised(text.view.text.size(), begin, end);
  if (end <= begin) return;  // only padding: cannot happen, the span holds a letter or digit
  out.push_back(MakeMatch(term, begin, end));
}

// The next position at or after `pos` where a word term's match can start: its lead (a space)
// and then one of its first bytes. Cheaper than letting RE2 search: a term is located with one
// anchored DFA run per candidate instead of a forward search, a reverse search for the start
// and another forward search for the next occurrence.
std::size_t NextCandidate(std::string_view haystack, std::size_t pos, const TermPattern& pattern) {
  const std::size_t lead = pattern.lead_bytes;
  for (; pos + lead < haystack.size(); ++pos) {
    if (lead == 1 && haystack[pos] != ' ') continue;
    if (pattern.first_bytes.find(haystack[pos + lead]) != std::string::npos) return pos;
  }
  return std::string_view::npos;
}

// The next match of `term` at or after `pos`, or false.
bool NextMatch(const RE2& locator, const TermPattern& pattern, std::string_view haystack,
               std::size_t pos, re2::StringPiece& match) {
  if (pattern.first_bytes.empty()) {
    return locator.Match(haystack, pos, haystack.size(), RE2::UNANCHORED, &match, 1);
  }
  for (pos = NextCandidate(haystack, pos, pattern); pos != std::string_view::npos;
       pos = NextCandidate(haystack, pos + 1, pattern)) {
    if (locator.Match(haystack, pos, haystack.size(), RE2::ANCHOR_START, &match, 1)) return true;
  }
  return false;
}

// Appends every span of `term` in the source text. `occurs` says the Set found the term: if its
// locator then finds nothing (it never should, the patterns are the same), the whole text is
// reported so that a check is never lost; not for allow terms, which would hide everything.
void Locate(const CompiledTerm& term, const ScanText& text, Source source, bool occurs,
            std::vector<WordMatch>& out) {
  const std::string_view haystack = SourceText(text, source);
  const RE2& locator = term.Locator();
  const std::size_t lead = term.pattern().lead_bytes;
  const std::size_t trail = term.pattern().trail_bytes;
  re2::StringPiece match;
  bool found = false;
  std::size_t pos = 0;
  while (locator.ok() && pos <= haystack.size() &&
         NextMatch(locator, term.pattern(), haystack, pos, match)) {
    const auto begin = static_cast<std::size_t>(match.data() - haystack.data());
    const std::size_t end = begin + match.size();
    if (end < begin + lead + trail + 1) {  // regex terms cannot match "" (validated); step over
      pos = begin + 1;
      continue;
    }
    AppendMatch(term, text, source, begin + lead, end - trail, out);
    found = true;
    pos = end - trail;  // the boundary after a word is free to start the next one
  }
  if (!found && occurs && term.term().kind != MatchKind::kAllow && !text.normalised.text.empty()) {
    out.push_back(MakeMatch(term, 0, text.normalised.text.size()));
  }
}

void LocateEachTerm(const std::vector<const CompiledTerm*>& terms, const ScanText& text,
                    Source source, std::vector<WordMatch>& out) {
  for (const CompiledTerm* term : terms) Locate(*term, text, source, false, out);
}

// The end of `term`'s match at `lead` by its RE2, or nothing.
std::optional<std::size_t> LocateAt(const CompiledTerm& term, std::string_view haystack,
                                    std::size_t lead) {
  const RE2& locator = term.Locator();
  re2::StringPiece match;
  if (!locator.ok() ||
      !locator.Match(haystack, lead, haystack.size(), RE2::ANCHOR_START, &match, 1)) {
    return std::nullopt;
  }
  return lead + match.size();
}

// Checks each candidate the word index names by matching the term's pieces at the word start
// (piece_match.h: the same result as its RE2 anchored there, without running one).
// Per term, the next occurrence is looked for from where the last one's trailing boundary
// begins, exactly as Locate does: the index only leaves out word starts where it cannot match.
void ScanIndex(const WordIndex& index, const std::vector<const CompiledTerm*>& terms,
               const ScanText& text, Source source, std::vector<WordMatch>& out) {
  const std::string_view haystack = SourceText(text, source);
  // Per term, the first lead it may match at again (0: any); reset after the scan.
  thread_local std::vector<std::size_t> resume_at;
  thread_local std::vector<std::uint32_t> touched;
  if (resume_at.size() < terms.size()) resume_at.resize(terms.size(), 0);
  index.ForEachCandidate(haystack, [&](std::uint32_t id, std::size_t lead) {
    if (lead < resume_at[id]) return;
    const CompiledTerm& term = *terms[id];
    std::optional<std::size_t> matched;
    if (const PieceMatch by_pieces = MatchPiecesAt(term.pattern(), haystack, lead);
        by_pieces.decided) {
      matched = by_pieces.end;
    } else {
      matched = LocateAt(term, haystack, lead);
    }
    if (!matched) return;
    const std::size_t end = *matched;
    const std::size_t trail = term.pattern().trail_bytes;
    AppendMatch(term, text, source, lead + term.pattern().lead_bytes, end - trail, out);
    if (resume_at[id] == 0) touched.push_back(id);
    resume_at[id] = end - trail;
  });
  for (const std::uint32_t id : touched) resume_at[id] = 0;
  touched.clear();
}

// Runs one Set over its source text and locates the terms it reports. Returns 1 when the Set
// could not answer (DFA out of memory), after every term was matched on its own instead.
int ScanSet(const ListMatcher::TermSet& set, const ScanText& text, Source source,
            std::vector<WordMatch>& out) {
  const std::string_view haystack = SourceText(text, source);
  RE2::Set::ErrorInfo info{RE2::Set::kNoError};
  // Most texts match nothing: this first call stops at the earliest match and allocates nothing.
  if (!set.set.Match(haystack, nullptr, &info) && info.kind == RE2::Set::kNoError) return 0;
  thread_local std::vector<int> hits;
  bool failed = info.kind != RE2::Set::kNoError;
  if (!failed) failed = !set.set.Match(haystack, &hits, &info);
  if (failed) {
    LocateEachTerm(set.terms, text, source, out);
    return 1;
  }
  for (const int hit : hits) {
    Locate(*set.terms[static_cast<std::size_t>(hit)], text, source, true, out);
  }
  return 0;
}

// "list "de" version 3" or "lists "global" version 2 and "de" version 3".
std::string DescribeLists(const std::vector<const CompiledTerm*>& terms) {
  std::vector<const WordList*> lists;
  for (const CompiledTerm* term : terms) {
    if (std::find(lists.begin(), lists.end(), &term->list()) == lists.end()) {
      lists.push_back(&term->list());
    }
  }
  std::string described = lists.size() == 1 ? "list " : "lists ";
  for (std::size_t i = 0; i < lists.size(); ++i) {
    if (i > 0) described += i + 1 == lists.size() ? " and " : ", ";
    described += "\"" + lists[i]->name + "\" version " + std::to_string(lists[i]->version);
  }
  return described;
}

}  // namespace

ListMatcher::ListMatcher(std::string language_key) : language_key_(std::move(language_key)) {}

ListMatcher::~ListMatcher() = default;

Result<std::unique_ptr<ListMatcher>> ListMatcher::Create(std::string language_key,
                                                         std::vector<const CompiledTerm*> terms,
                                                         std::int64_t max_memory_bytes) {
  std::unique_ptr<ListMatcher> matcher(new ListMatcher(std::move(language_key)));
  const RE2::Options options = SetOptions(max_memory_bytes);
  for (const CompiledTerm* term : terms) {
    const TermPattern& pattern = term->pattern();
    if (pattern.haystack == Haystack::kMatchView && pattern.lead_bytes == 1) {
      matcher->indexed_.push_back(term);
      continue;
    }
    std::unique_ptr<TermSet>& set =
        pattern.haystack == Haystack::kMatchView ? matcher->spaceless_set_ : matcher->regex_set_;
    if (set == nullptr) set = std::make_unique<TermSet>(options);
    std::string error;
    if (set->set.Add(term->pattern().regex, &error) < 0) {  // a bug in CompileTerm
      return MakeError(ErrorCode::kInternal, "list \"" + term->list().name + "\" version " +
                                                 std::to_string(term->list().version) +
                                                 ": term \"" + term->term().text +
                                                 "\" compiled to a bad pattern: " + error);
    }
    set->terms.push_back(term);
  }
  std::vector<const std::u32string*> skeletons;
  for (const CompiledTerm* term : matcher->indexed_) skeletons.push_back(&term->pattern().skeleton);
  matcher->index_ = WordIndex(skeletons);
  for (TermSet* set : {matcher->spaceless_set_.get(), matcher->regex_set_.get()}) {
    if (set != nullptr && !set->set.Compile()) {
      return MakeError(ErrorCode::kResourceExhausted,
                       DescribeLists(set->terms) + ": their " + std::to_string(set->terms.size()) +
                           (set == matcher->regex_set_.get() ? " regex" : " spaceless-script") +
                           " terms do not fit in max_matcher_memory_bytes (" +
                           std::to_string(max_memory_bytes) + ")");
    }
  }
  return matcher;
}

int ListMatcher::Scan(const ScanText& text, std::vector<WordMatch>& out) const {
  int fallbacks = 0;
  const bool joined = !text.view.joined.empty();
  if (!index_.empty()) {
    ScanIndex(index_, indexed_, text, Source::kView, out);
    if (joined) ScanIndex(index_, indexed_, text, Source::kJoined, out);
  }
  if (spaceless_set_ != nullptr) {
    fallbacks += ScanSet(*spaceless_set_, text, Source::kView, out);
    if (joined) fallbacks += ScanSet(*spaceless_set_, text, Source::kJoined, out);
  }
  if (regex_set_ != nullptr) fallbacks += ScanSet(*regex_set_, text, Source::kNormalised, out);
  return fallbacks;
}

void ListMatcher::ScanEachTerm(const ScanText& text, std::vector<WordMatch>& out) const {
  const bool joined = !text.view.joined.empty();
  LocateEachTerm(indexed_, text, Source::kView, out);
  if (joined) LocateEachTerm(indexed_, text, Source::kJoined, out);
  if (spaceless_set_ != nullptr) {
    LocateEachTerm(spaceless_set_->terms, text, Source::kView, out);
    if (joined) LocateEachTerm(spaceless_set_->terms, text, Source::kJoined, out);
  }
  if (regex_set_ != nullptr) LocateEachTerm(regex_set_->terms, text, Source::kNormalised, out);
}

}  // namespace herald::compliance::detail
