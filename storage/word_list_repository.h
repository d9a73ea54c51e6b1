// storage/word_list_repository.h: the compliance officers' word lists, versioned and audited.
//
// Every change writes a new version of the list (copy-on-write: the previous active terms with the
// change applied), makes it the active one and appends an audit entry naming the actor and the
// reason, all in one transaction: a change is complete or absent, never lost or unattributed.
// Earlier versions stay readable. Terms are plain strings here: storage sits below compliance/,
// which parses and validates them (compliance::ValidateTerm) before they reach this repository.
//
// Thread rules: as ContactRepository (one per job, on the connection's thread). Each operation
// runs inside a savepoint, so it is atomic as a storage writer job and on a bare connection alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/sqlite.h"

namespace herald::storage {

namespace detail {
enum class TermEdit;  // storage/detail/word_list_edit.h
}  // namespace detail

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
  explicit WordListRepository(Connection& connection) : connection_(connection) {}

  // Common rules: `list` must exist (kNotFound, field "list"); `actor` and `reason` must not be
  // blank (kInvalidArgument, field "actor" or "reason"); terms need a non-empty text, a known
  // match kind and severity, and may not repeat a text and match kind (kInvalidArgument, field
  // "terms", naming the term). A failed operation changes nothing.

  // A new, empty list (version 1). Names are 1 to 64 ASCII letters, digits, '-', '_' or '.';
  // `language` is empty (global) or such a name too. kAlreadyExists when the name is taken.
  // Audited as wordlist.create.
  Result<WordListChange> CreateList(std::string_view name, std::string_view language,
                                    std::string_view actor, std::string_view reason, SysTime now);

  // Adds terms; an existing term (text and match kind) takes the new severity and note.
  // Audited as wordlist.add.
  Result<WordListChange> AddTerms(std::string_view list, const std::vector<StoredTerm>& terms,
                                  std::string_view actor, std::string_view reason, SysTime now);

  // Removes terms. kNotFound (field "terms") naming every key that is not in the list; then
  // nothing is removed. Audited as wordlist.remove.
  Result<WordListChange> RemoveTerms(std::string_view list, const std::vector<TermKey>& keys,
                                     std::string_view actor, std::string_view reason, SysTime now);

  // A whole file's terms, merged or replacing the list. Audited as wordlist.import (merge) or
  // wordlist.replace (replace).
  Result<WordListChange> ImportTerms(std::string_view list, const std::vector<StoredTerm>& terms,
                                     ImportMode mode, std::string_view actor,
                                     std::string_view reason, SysTime now);

  // Every list with its active version's terms, ordered by name.
  Result<std::vector<StoredWordList>> LoadActive();
  // One list's active version; kNotFound when there is no such list.
  Result<StoredWordList> LoadList(std::string_view list);
  // One version of a list, active or not; kNotFound when the list or the version does not exist.
  Result<StoredWordList> LoadVersion(std::string_view list, std::int64_t version);
  // The list's versions, oldest first; kNotFound when there is no such list.
  Result<std::vector<WordListVersionInfo>> ListVersions(std::string_view list);

  // Creates `lists` (each at version 1 with its terms, audited as wordlist.create) when the
  // database has no word list at all; otherwise does nothing, so it is safe on every start and an
  // officer's deletions are never undone. True when it seeded.
  Result<bool> SeedStarterListsIfEmpty(const std::vector<SeedWordList>& lists,
                                       std::string_view actor, std::string_view reason,
                                       SysTime now);

 private:
  struct ListRow;

  Result<ListRow> FindList(std::string_view list);
  Result<std::vector<StoredTerm>> LoadTerms(std::int64_t version_id);
  // The active version when `version` is empty.
  Result<StoredWordList> Load(std::string_view list, std::optional<std::int64_t> version);
  Result<WordListChange> Change(std::string_view list, std::string_view action,
                                detail::TermEdit edit, const std::vector<StoredTerm>& terms,
                                const std::vector<TermKey>& keys, std::string_view actor,
                                std::string_view reason, SysTime now);
  Result<std::int64_t> WriteVersion(std::int64_t list_id, const std::vector<StoredTerm>& terms,
                                    std::string_view actor, std::string_view reason, SysTime now);
  Status InsertList(const SeedWordList& list, std::string_view actor, std::string_view reason,
                    SysTime now, bool seeded);
  Status Audit(std::string_view action, std::string_view list, std::string_view actor,
               std::string_view reason, const std::string& detail_json, SysTime now);

  Connection& connection_;
};

}  // namespace herald::storage
