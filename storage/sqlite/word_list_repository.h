// storage/sqlite/word_list_repository.h: the SQLite WordListRepository. Each operation runs
// inside a savepoint, so it is atomic as a storage writer job and on a bare connection alike.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/sqlite/audit.h"
#include "storage/sqlite/connection.h"
#include "storage/word_list_repository.h"

namespace herald::storage {

namespace detail {
enum class TermEdit;  // storage/sqlite/detail/word_list_edit.h
}  // namespace detail

class SqliteWordListRepository final : public WordListRepository {
 public:
  explicit SqliteWordListRepository(Connection& connection)
      : connection_(connection), audit_(connection) {}

  Result<WordListChange> CreateList(std::string_view name, std::string_view language,
                                    std::string_view actor, std::string_view reason,
                                    SysTime now) override;
  Result<WordListChange> AddTerms(std::string_view list, const std::vector<StoredTerm>& terms,
                                  std::string_view actor, std::string_view reason,
                                  SysTime now) override;
  Result<WordListChange> RemoveTerms(std::string_view list, const std::vector<TermKey>& keys,
                                     std::string_view actor, std::string_view reason,
                                     SysTime now) override;
  Result<WordListChange> ImportTerms(std::string_view list, const std::vector<StoredTerm>& terms,
                                     ImportMode mode, std::string_view actor,
                                     std::string_view reason, SysTime now) override;
  Result<std::vector<StoredWordList>> LoadActive() override;
  Result<StoredWordList> LoadList(std::string_view list) override;
  Result<StoredWordList> LoadVersion(std::string_view list, std::int64_t version) override;
  Result<std::vector<WordListVersionInfo>> ListVersions(std::string_view list) override;
  Result<bool> SeedStarterListsIfEmpty(const std::vector<SeedWordList>& lists,
                                       std::string_view actor, std::string_view reason,
                                       SysTime now) override;

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
  AuditWriter audit_;
};

}  // namespace herald::storage
