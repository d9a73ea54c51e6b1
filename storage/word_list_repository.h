// storage/word_list_repository.h: the compliance officers' word lists, versioned and audited.
//
// Every change writes a new version of the list (copy-on-write: the previous active terms with the
// change applied), makes it the active one and appends an audit entry naming the actor and the
// reason, all in one transaction: a change is complete or absent, never lost or unattributed.
// Earlier versions stay readable. Terms are plain strings here: storage sits below compliance/,
// which parses and validates them (compliance::ValidateTerm) before they reach this repository.
//
// Thread rules: as ContactRepository (one per unit of work). Each operation is atomic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace herald::storage {

struct StoredTerm {
  std::string term;
  std::string match_kind;  // "word", "phrase", "prefix", "regex" or "allow"
  std::string severity;    // "block" or "review"
  std::string note;

  bool operator==(const StoredTerm&) const = default;
};

// A term is identified by its text and match kind: "win" as a word and as a prefix are two terms.
struct TermKey {
  std::string term;
  std::string match_kind;

  bool operator==(const TermKey&) const = default;
};

struct StoredWordList {
  std::string name;               // "global", "de", "en", …
  std::string language;           // empty for the global list
  std::int64_t version = 0;       // 1 for a new list, +1 per change
  std::vector<StoredTerm> terms;  // ordered by term, then match kind (bytewise)
};

struct WordListVersionInfo {
  std::int64_t version = 0;
  std::string actor;
  std::string reason;
  SysTime created_at;
  std::int64_t term_count = 0;
};

// What a change did. When nothing differed no version is written and nothing is audited.
struct WordListChange {
  bool changed = false;
  std::int64_t version = 0;           // the active version afterwards
  std::int64_t previous_version = 0;  // the active version before
  std::size_t added = 0;
  std::size_t updated = 0;  // severity or note changed
  std::size_t removed = 0;
  std::size_t term_count = 0;  // terms in the active version afterwards
};

enum class ImportMode {
  kMerge,    // terms are added or updated; terms missing from the import stay
  kReplace,  // the import becomes the whole list
};

// A list created on first start: the empty global list and the starter lists.
struct SeedWordList {
  std::string name;
  std::string language;  // empty for the global list
  std::vector<StoredTerm> terms;
};

class WordListRepository {
 public:
  virtual ~WordListRepository() = default;

  // Common rules: `list` must exist (kNotFound, field "list"); `actor` and `reason` must not be
  // blank (kInvalidArgument, field "actor" or "reason"); terms need a non-empty text, a known
  // match kind and severity, and may not repeat a text and match kind (kInvalidArgument, field
  // "terms", naming the term). A failed operation changes nothing.

  // A new, empty list (version 1). Names are 1 to 64 ASCII letters, digits, '-', '_' or '.';
  // `language` is empty (global) or such a name too. kAlreadyExists when the name is taken.
  // Audited as wordlist.create.
  virtual Result<WordListChange> CreateList(std::string_view name, std::string_view language,
                                            std::string_view actor, std::string_view reason,
                                            SysTime now) = 0;

  // Adds terms; an existing term (text and match kind) takes the new severity and note.
  // Audited as wordlist.add.
  virtual Result<WordListChange> AddTerms(std::string_view list,
                                          const std::vector<StoredTerm>& terms,
                                          std::string_view actor, std::string_view reason,
                                          SysTime now) = 0;

  // Removes terms. kNotFound (field "terms") naming every key that is not in the list; then
  // nothing is removed. Audited as wordlist.remove.
  virtual Result<WordListChange> RemoveTerms(std::string_view list,
                                             const std::vector<TermKey>& keys,
                                             std::string_view actor, std::string_view reason,
                                             SysTime now) = 0;

  // A whole file's terms, merged or replacing the list. Audited as wordlist.import (merge) or
  // wordlist.replace (replace).
  virtual Result<WordListChange> ImportTerms(std::string_view list,
                                             const std::vector<StoredTerm>& terms, ImportMode mode,
                                             std::string_view actor, std::string_view reason,
                                             SysTime now) = 0;

  // Every list with its active version's terms, ordered by name.
  virtual Result<std::vector<StoredWordList>> LoadActive() = 0;
  // One list's active version; kNotFound when there is no such list.
  virtual Result<StoredWordList> LoadList(std::string_view list) = 0;
  // One version of a list, active or not; kNotFound when the list or the version does not exist.
  virtual Result<StoredWordList> LoadVersion(std::string_view list, std::int64_t version) = 0;
  // The list's versions, oldest first; kNotFound when there is no such list.
  virtual Result<std::vector<WordListVersionInfo>> ListVersions(std::string_view list) = 0;

  // Creates `lists` (each at version 1 with its terms, audited as wordlist.create) when the
  // database has no word list at all; otherwise does nothing, so it is safe on every start and an
  // officer's deletions are never undone. True when it seeded.
  virtual Result<bool> SeedStarterListsIfEmpty(const std::vector<SeedWordList>& lists,
                                               std::string_view actor, std::string_view reason,
                                               SysTime now) = 0;
};

}  // namespace herald::storage
