// storage/contact_repository.h: contacts, their tags and consents, behind an interface that says
// what happens (upsert, erase, scan) and never how (SQL stays in this folder).
//
// Thread rules: a repository belongs to the unit of work it came from (storage/store.h): it lives
// inside one write job or on the thread that owns a read session, and never outlives it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/purpose.h"
#include "common/result.h"

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

struct ContactLocation {
  ContactId id;
  std::string country;
  std::string timezone;
};

// What an inbound message (a webhook) says about the user who wrote it (issue 17).
struct InboundContact {
  std::string phone_e164;
  std::string profile_name;        // the contact's name when one is created
  std::optional<SenderId> sender;  // the business number written to, when Herald knows it
  SysTime at{};                    // when the user wrote
  bool entry_point = false;        // from an ad or a page button: a 72-hour free entry point
};

inline constexpr std::chrono::hours kServiceWindow{24};
inline constexpr std::chrono::hours kEntryPointWindow{72};

enum class UpsertOutcome { kCreated, kUpdated, kUnchanged };

struct UpsertResult {
  UpsertOutcome outcome = UpsertOutcome::kUnchanged;
  std::optional<StoredContact> before;  // empty when created
  StoredContact after;
};

class ContactRepository {
 public:
  virtual ~ContactRepository() = default;

  // Creates or merges the contact with this number. Consent changes are written to the audit log
  // with their source, attributed to `actor`.
  virtual Result<UpsertResult> Upsert(const ContactUpsert& upsert, SysTime now,
                                      std::string_view actor) = 0;

  virtual Result<std::optional<StoredContact>> FindByPhone(std::string_view phone_e164) = 0;
  virtual Result<std::optional<StoredContact>> FindById(ContactId id) = 0;

  // Adds and removes tags on one contact (case-insensitive names); returns before and after,
  // outcome kUnchanged when the contact already had exactly these. kNotFound when there is no
  // such contact.
  virtual Result<UpsertResult> ChangeTags(ContactId id, const std::vector<std::string>& add,
                                          const std::vector<std::string>& remove, SysTime now) = 0;

  // Renames a tag on every contact; fails with kAlreadyExists when `to` exists already and
  // kNotFound when `from` does not. Audited. Returns the ids of the contacts that carry it.
  virtual Result<std::vector<ContactId>> RenameTag(std::string_view from, std::string_view to,
                                                   std::string_view actor, SysTime now) = 0;
  // Deletes a tag from every contact; kNotFound when there is no such tag. Audited. Returns the
  // ids of the contacts that carried it.
  virtual Result<std::vector<ContactId>> DeleteTag(std::string_view name, std::string_view actor,
                                                   SysTime now) = 0;

  // GDPR erasure: number, name, attributes, tags, consents and service windows are deleted; the
  // row stays (anonymised, country and language kept) so delivery statistics still add up. The
  // audit entry names the actor and reason but no personal data. Returns the contact as it was.
  virtual Result<std::optional<StoredContact>> Erase(ContactId id, std::string_view actor,
                                                     std::string_view reason, SysTime now) = 0;

  // An inbound message from `inbound.phone_e164`: creates the contact when there is none (no
  // consents: writing is not consenting), moves its last inbound time forward and opens or
  // extends the service window with `inbound.sender` (and the entry point window). Never moves a
  // time backwards, so applying the same message twice changes nothing the second time.
  virtual Result<UpsertResult> RecordInbound(const InboundContact& inbound, SysTime now,
                                             std::string_view actor) = 0;
  // Records an opt-out (it beats every consent) with its source, audited "contact.opt_out" with
  // `actor`; kUnchanged when the contact had opted out already. kNotFound without the contact.
  virtual Result<UpsertResult> OptOut(ContactId id, std::string_view source, SysTime at,
                                      std::string_view actor) = 0;
  // Adds `tag` because of a reply, audited "contact.tag_from_reply" with the campaign replied to
  // (when known) in the entry's detail. kUnchanged when the contact had the tag.
  virtual Result<UpsertResult> TagFromReply(ContactId id, std::string_view tag,
                                            std::optional<std::int64_t> campaign,
                                            std::string_view actor, SysTime now) = 0;

  // The user's WhatsApp number changed (a `system` webhook): the contact moves to `new_phone`
  // (E.164), audited "contact.number_changed". kAlreadyExists (field "phone") when another
  // contact has that number: two contacts are never merged silently.
  virtual Result<UpsertResult> ChangePhone(ContactId id, std::string_view new_phone,
                                           std::string_view actor, SysTime now) = 0;

  // Where each contact is (country, time zone; empty when unknown), for the ids that exist, in
  // the order given.
  virtual Result<std::vector<ContactLocation>> Locations(std::span<const ContactId> ids) = 0;

  // Every contact that is not erased, in id order. Stops at the first error.
  virtual Status ForEach(const std::function<void(StoredContact&&)>& visit) = 0;
};

}  // namespace herald::storage
