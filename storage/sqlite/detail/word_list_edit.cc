#include "storage/sqlite/detail/word_list_edit.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <span>
#include <utility>

namespace herald::storage::detail {
namespace {

namespace json = boost::json;

// Kept in step with the CHECK constraints of word_terms (storage/detail/schema.cc).
constexpr std::array<std::string_view, 5> kMatchKinds{"word", "phrase", "prefix", "regex", "allow"};
constexpr std::array<std::string_view, 2> kSeverities{"block", "review"};
constexpr std::size_t kMaxListedChanges = 100;
constexpr std::size_t kMaxNamedMissing = 20;

using Key = std::pair<std::string, std::string>;  // term, match kind: ordered as stored

Key KeyOf(const StoredTerm& term) { return {term.term, term.match_kind}; }

std::string Describe(std::string_view term, std::string_view match_kind) {
  return "\"" + std::string(term) + "\" (" + std::string(match_kind) + ")";
}

bool Contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Error InvalidTerm(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), "terms");
}

void Record(EditedTerms& edited, std::string_view change, const StoredTerm& term) {
  if (change == "added") ++edited.added;
  if (change == "updated") ++edited.updated;
  if (change == "removed") ++edited.removed;
  edited.changes.push_back(TermChange{change, term});
}

bool SameContent(const StoredTerm& a, const StoredTerm& b) {
  return a.severity == b.severity && a.note == b.note;
}

void Add(std::map<Key, StoredTerm>& next, const std::vector<StoredTerm>& terms,
         EditedTerms& edited) {
  for (const StoredTerm& term : terms) {
    auto [it, inserted] = next.try_emplace(KeyOf(term), term);
    if (inserted) {
      Record(edited, "added", term);
    } else if (!SameContent(it->second, term)) {
      it->second = term;
      Record(edited, "updated", term);
    }
  }
}

Status Remove(std::map<Key, StoredTerm>& next, const std::vector<TermKey>& keys,
              std::string_view list, EditedTerms& edited) {
  std::vector<std::string> missing;
  for (const TermKey& key : keys) {
    if (!next.contains({key.term, key.match_kind})) {
      missing.push_back(Describe(key.term, key.match_kind));
    }
  }
  if (!missing.empty()) {
    std::string message = "not in word list \"" + std::string(list) + "\": ";
    for (std::size_t i = 0; i < missing.size() && i < kMaxNamedMissing; ++i) {
      message += (i == 0 ? "" : ", ") + missing[i];
    }
    if (missing.size() > kMaxNamedMissing) {
      message += " and " + std::to_string(missing.size() - kMaxNamedMissing) + " more";
    }
    return MakeError(ErrorCode::kNotFound, std::move(message), "terms");
  }
  for (const TermKey& key : keys) {
    auto it = next.find({key.term, key.match_kind});
    if (it == next.end()) continue;  // named twice
    Record(edited, "removed", it->second);
    next.erase(it);
  }
  return Status::Ok();
}

void Replace(std::map<Key, StoredTerm>& next, const std::vector<StoredTerm>& terms,
             EditedTerms& edited) {
  std::set<Key> kept;
  for (const StoredTerm& term : terms) kept.insert(KeyOf(term));
  for (auto it = next.begin(); it != next.end();) {
    if (kept.contains(it->first)) {
      ++it;
      continue;
    }
    Record(edited, "removed", it->second);
    it = next.erase(it);
  }
  Add(next, terms, edited);
}

}  // namespace

Status CheckTerms(const std::vector<StoredTerm>& terms) {
  std::set<Key> seen;
  for (const StoredTerm& term : terms) {
    if (term.term.empty()) return InvalidTerm("empty term");
    if (!Contains(kMatchKinds, term.match_kind)) {
      return InvalidTerm("unknown match kind \"" + term.match_kind + "\" for term \"" + term.term +
                         "\"; expected word, phrase, prefix, regex or allow");
    }
    if (!Contains(kSeverities, term.severity)) {
      return InvalidTerm("unknown severity \"" + term.severity + "\" for term \"" + term.term +
                         "\"; expected block or review");
    }
    if (!seen.insert(KeyOf(term)).second) {
      return InvalidTerm(Describe(term.term, term.match_kind) + " is given twice");
    }
  }
  return Status::Ok();
}

Result<EditedTerms> EditTerms(const std::vector<StoredTerm>& current, TermEdit edit,
                              const std::vector<StoredTerm>& terms,
                              const std::vector<TermKey>& keys, std::string_view list) {
  std::map<Key, StoredTerm> next;
  for (const StoredTerm& term : current) next.emplace(KeyOf(term), term);
  EditedTerms edited;
  switch (edit) {
    case TermEdit::kAdd:
      Add(next, terms, edited);
      break;
    case TermEdit::kRemove:
      if (Status removed = Remove(next, keys, list, edited); !removed.ok()) return removed.error();
      break;
    case TermEdit::kReplace:
      Replace(next, terms, edited);
      break;
  }
  edited.terms.reserve(next.size());
  for (auto& [key, term] : next) edited.terms.push_back(std::move(term));
  return edited;
}

std::string ChangeDetailJson(std::int64_t version, std::int64_t previous_version,
                             const EditedTerms& edited) {
  json::object detail{{"version", version},           {"previous_version", previous_version},
                      {"terms", edited.terms.size()}, {"added", edited.added},
                      {"updated", edited.updated},    {"removed", edited.removed}};
  json::array changes;
  for (std::size_t i = 0; i < edited.changes.size() && i < kMaxListedChanges; ++i) {
    const TermChange& change = edited.changes[i];
    changes.push_back(json::object{{"change", change.change},
                                   {"term", change.term.term},
                                   {"match", change.term.match_kind},
                                   {"severity", change.term.severity}});
  }
  detail["changes"] = std::move(changes);
  if (edited.changes.size() > kMaxListedChanges) detail["changes_truncated"] = true;
  return json::serialize(detail);
}

}  // namespace herald::storage::detail
