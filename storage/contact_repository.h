// storage/contact_repository.h: contacts, their tags and consents, behind an interface that says
// what happens (upsert, erase, scan) and never how (SQL stays in this folder).
//
// Thread rules: a ContactRepository works on the connection it was made with, so it lives inside a
// storage writer job (writes) or on the thread that owns a read connection (scans). Make one per
// job: it caches tag ids for the job's duration only, so a rolled-back job leaves nothing stale.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/purpose.h"
#include "common/result.h"
#include "storage/sqlite.h"

namespace herald::storage {

struct ConsentChange {
  bool granted = false;
  SysTime at;
  std::string source;
};

// What an import row (or an API call) says about one contact. Empty optionals change nothing.
struct ContactUpsert {
  std::string phone_e164;
  std::optional<std::string> name;
  std::optional<std::string> country;
  std::optional<std::string> language;
  std::optional<std::string> timezone;
  std::vector<std::string> tags;
  bool replace_tags = false;  // false: tags are added to the existing ones
  std::optional<ConsentChange> marketing;
  std::optional<ConsentChange> utility;
  std::vector<std::pair<std::string, std::string>> attributes;  // merged key by key
};

// A contact as stored: what segment evaluation needs, plus identity.
struct StoredContact {
  ContactId id;
  std::string phone_e164;
  std::string name;
  std::string country;
  std::string language;
  std::string timezone;
  std::vector<std::string> tags;
  bool opted_out = false;
  bool consent_marketing = false;
  bool consent_utility = false;
  std::optional<SysTime> last_inbound;
  std::vector<std::pair<std::string, std::string>> attributes;  // sorted by key
};

enum class UpsertOutcome { kCreated, kUpdated, kUnchanged };

struct UpsertResult {
  UpsertOutcome outcome = UpsertOutcome::kUnchanged;
  std::optional<StoredContact> before;  // empty when created
  StoredContact after;
};

class ContactRepository {
 public:
  static Result<std::unique_ptr<ContactRepository>> Create(Connection& connection);
  ~ContactRepository();

  // Creates or merges the contact with this number. Consent changes are written to the audit log
  // with their source, attributed to `actor`.
  Result<UpsertResult> Upsert(const ContactUpsert& upsert, SysTime now, std::string_view actor);

  Result<std::optional<StoredContact>> FindByPhone(std::string_view phone_e164);
  Result<std::optional<StoredContact>> FindById(ContactId id);

  // Adds and removes tags on one contact (case-insensitive names); returns before and after,
  // outcome kUnchanged when the contact already had exactly these.
  Result<UpsertResult> ChangeTags(ContactId id, const std::vector<std::string>& add,
                                  const std::vector<std::string>& remove, SysTime now);

  // Renames a tag on every contact; fails with kAlreadyExists when `to` exists already and
  // kNotFound when `from` does not. Returns the ids of the contacts that carry it.
  Result<std::vector<ContactId>> RenameTag(std::string_view from, std::string_view to,
                                           std::string_view actor, SysTime now);
  // Deletes a tag from every contact. Returns the ids of the contacts that carried it.
  Result<std::vector<ContactId>> DeleteTag(std::string_view name, std::string_view actor,
                                           SysTime now);

  // GDPR erasure: number, name, attributes, tags, consents and service windows are deleted; the
  // row stays (anonymised, country and language kept) so delivery statistics still add up. The
  // audit entry names the actor and reason but no personal data. Returns the contact as it was.
  Result<std::optional<StoredContact>> Erase(ContactId id, std::string_view actor,
                                             std::string_view reason, SysTime now);

  // Every contact that is not erased, in id order. Stops at the first error.
  Status ForEach(const std::function<void(StoredContact&&)>& visit);

 private:
  struct Statements;
  struct Changes {
    bool row = false;   // a column of the contacts row
    bool tags = false;  // the set of tags
  };
  explicit ContactRepository(Connection& connection, std::unique_ptr<Statements> statements);

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
