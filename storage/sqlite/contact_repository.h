// storage/sqlite/contact_repository.h: the SQLite ContactRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work (a write job or a
// read session). It caches tag ids for its own life only, so a rolled-back job leaves nothing
// stale. Statements are prepared on first use.
#pragma once

#include <memory>
#include <unordered_map>

#include "storage/contact_repository.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteContactRepository final : public ContactRepository {
 public:
  explicit SqliteContactRepository(Connection& connection);
  ~SqliteContactRepository() override;
  // A repository with its statements prepared (an error when the schema does not fit).
  static Result<std::unique_ptr<SqliteContactRepository>> Create(Connection& connection);

  Result<UpsertResult> Upsert(const ContactUpsert& upsert, SysTime now,
                              std::string_view actor) override;
  Result<std::optional<StoredContact>> FindByPhone(std::string_view phone_e164) override;
  Result<std::optional<StoredContact>> FindById(ContactId id) override;
  Result<UpsertResult> ChangeTags(ContactId id, const std::vector<std::string>& add,
                                  const std::vector<std::string>& remove, SysTime now) override;
  Result<std::vector<ContactId>> RenameTag(std::string_view from, std::string_view to,
                                           std::string_view actor, SysTime now) override;
  Result<std::vector<ContactId>> DeleteTag(std::string_view name, std::string_view actor,
                                           SysTime now) override;
  Result<std::optional<StoredContact>> Erase(ContactId id, std::string_view actor,
                                             std::string_view reason, SysTime now) override;
  Result<UpsertResult> RecordInbound(const InboundContact& inbound, SysTime now,
                                     std::string_view actor) override;
  Result<UpsertResult> OptOut(ContactId id, std::string_view source, SysTime at,
                              std::string_view actor) override;
  Result<UpsertResult> ChangePhone(ContactId id, std::string_view new_phone, std::string_view actor,
                                   SysTime now) override;
  Result<UpsertResult> TagFromReply(ContactId id, std::string_view tag,
                                    std::optional<std::int64_t> campaign, std::string_view actor,
                                    SysTime now) override;
  Result<std::vector<ContactLocation>> Locations(std::span<const ContactId> ids) override;
  Status ForEach(const std::function<void(StoredContact&&)>& visit) override;

 private:
  struct Statements;
  struct Changes {
    bool row = false;   // a column of the contacts row
    bool tags = false;  // the set of tags
  };

  Status Prepare();
  static Changes MergeInto(const ContactUpsert& upsert, StoredContact& after);
  // Inserts the contact unless its number exists; true (and after.id set) when inserted.
  Result<bool> InsertIfAbsent(const ContactUpsert& upsert, StoredContact& after, SysTime now);
  Result<std::optional<StoredContact>> LoadRow(Statement& query);
  Status LoadTagsAndConsents(StoredContact& contact);
  Result<std::int64_t> TagId(const std::string& name, SysTime now);
  Status WriteTags(ContactId id, const std::vector<std::string>& tags, bool replace, SysTime now);
  Status Audit(std::string_view action, std::string_view object_id, std::string_view actor,
               std::string_view reason, const std::string& detail_json, SysTime now);
  Result<std::vector<ContactId>> ContactsWithTag(std::int64_t tag_id);
  Status WriteConsent(ContactId id, Purpose purpose, const ConsentChange& change,
                      std::string_view actor, SysTime now);

  Connection& connection_;
  std::unique_ptr<Statements> statements_;
  std::unordered_map<std::string, std::int64_t> tag_ids_;  // lower-cased name -> id
  bool expect_new_ = true;  // the last upsert created its contact: try the next as new too
};

}  // namespace herald::storage
