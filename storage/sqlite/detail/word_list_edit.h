// The pure half of a word list change: the next version's terms, computed from the active ones,
// and the audit detail describing the difference. word_list_repository.cc does the SQL.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/word_list_repository.h"

namespace herald::storage::detail {

enum class TermEdit {
  kAdd,      // add or update the given terms
  kRemove,   // remove the given keys; every key must be present
  kReplace,  // the given terms become the whole list
};

struct TermChange {
  std::string_view change;  // "added", "updated", "removed"
  StoredTerm term;          // as it is afterwards ("removed": as it was)
};

struct EditedTerms {
  std::vector<StoredTerm> terms;  // the next version, ordered by term, then match kind
  std::vector<TermChange> changes;
  std::size_t added = 0;
  std::size_t updated = 0;
  std::size_t removed = 0;
  bool changed() const { return added + updated + removed > 0; }
};

// `current` is ordered by term, then match kind. `terms` are for kAdd and kReplace, `keys` for
// kRemove. kNotFound (field "terms") names every key to remove that `current` lacks.
Result<EditedTerms> EditTerms(const std::vector<StoredTerm>& current, TermEdit edit,
                              const std::vector<StoredTerm>& terms,
                              const std::vector<TermKey>& keys, std::string_view list);

// kInvalidArgument (field "terms") for an empty text, an unknown match kind or severity, or a
// text and match kind given twice.
Status CheckTerms(const std::vector<StoredTerm>& terms);

// The audit entry's detail: versions, counts, and the first changes (at most 100 listed, then
// "changes_truncated": true), as JSON text.
std::string ChangeDetailJson(std::int64_t version, std::int64_t previous_version,
                             const EditedTerms& edited);

}  // namespace herald::storage::detail
