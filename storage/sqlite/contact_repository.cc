#include "storage/sqlite/contact_repository.h"

#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "common/time.h"
#include "storage/sqlite/audit.h"

namespace herald::storage {
namespace {

namespace json = boost::json;

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::vector<std::pair<std::string, std::string>> ParseAttributes(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> attributes;
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return attributes;
  for (const auto& [key, item] : value.as_object()) {
    attributes.emplace_back(
        std::string(key), item.is_string() ? std::string(item.as_string()) : json::serialize(item));
  }
  std::sort(attributes.begin(), attributes.end());
  return attributes;
}

// Appends `text` as a JSON string. Printable ASCII without quotes or backslashes (nearly every
// value) needs no escaping; everything else goes through Boost.JSON, so the text is exactly what
// serialising a json::value would give.
void AppendJsonString(std::string& out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) {
    out += json::serialize(json::string_view(text.data(), text.size()));
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

// The same text as json::serialize of a json::object filled in this order (keys are unique),
// without building the object: attributes are written for every new or changed contact.
std::string SerializeAttributes(
    const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::string text = "{";
  for (const auto& [key, value] : attributes) {
    if (text.size() > 1) text += ',';
    AppendJsonString(text, key);
    text += ':';
    AppendJsonString(text, value);
  }
  text += '}';
  return text;
}

// Stable, and without the temporary buffer std::stable_sort allocates: contacts have a handful of
// tags and attributes.
template <typename T, typename Less>
void InsertionSort(std::vector<T>& items, Less less) {
  for (std::size_t i = 1; i < items.size(); ++i) {
    for (std::size_t j = i; j > 0 && less(items[j], items[j - 1]); --j) {
      std::swap(items[j], items[j - 1]);
    }
  }
}

bool KeyLess(const std::pair<std::string, std::string>& a,
             const std::pair<std::string, std::string>& b) {
  return a.first < b.first;
}

// Merges `updates` into `attributes` (sorted by key, keys unique); a key given twice takes its
// last value. True when anything changed.
bool MergeAttributes(std::vector<std::pair<std::string, std::string>>& attributes,
                     const std::vector<std::pair<std::string, std::string>>& updates) {
  bool changed = false;
  const std::size_t stored = attributes.size();
  for (const auto& [key, value] : updates) {
    auto end = attributes.begin() + static_cast<std::ptrdiff_t>(stored);
    auto it = std::lower_bound(attributes.begin(), end, std::pair{key, std::string()}, KeyLess);
    if (it == end || it->first != key) {  // not stored: added by an earlier update?
      // The binding is captured through a reference: C++20 lets lambdas capture structured
      // bindings, but clang before 16 does not (P1091R3).
      const std::string& wanted = key;
      it = std::find_if(end, attributes.end(),
                        [&wanted](const auto& a) { return a.first == wanted; });
    }
    if (it == attributes.end()) {
      attributes.emplace_back(key, value);
      changed = true;
    } else if (it->second != value) {
      it->second = value;
      changed = true;
    }
  }
  if (attributes.size() > stored) InsertionSort(attributes, KeyLess);
  return changed;
}

// Tags after the upsert, and whether they differ from `current` (names compare case-insensitively).
// The result is sorted by lower-cased name; of names equal but for case, the first one seen wins
// (current tags before incoming ones).
bool MergeTags(std::vector<std::string>& current, const std::vector<std::string>& incoming,
               bool replace) {
  std::vector<std::string> before_lower;
  before_lower.reserve(current.size());
  for (const auto& tag : current) before_lower.push_back(Lower(tag));
  std::vector<std::pair<std::string, const std::string*>> merged;  // lower-cased, as spelt
  merged.reserve(current.size() + incoming.size());
  if (!replace) {
    for (std::size_t i = 0; i < current.size(); ++i)
      merged.emplace_back(before_lower[i], &current[i]);
  }
  for (const auto& tag : incoming) merged.emplace_back(Lower(tag), &tag);
  InsertionSort(merged, [](const auto& a, const auto& b) { return a.first < b.first; });
  merged.erase(std::unique(merged.begin(), merged.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               merged.end());
  std::sort(before_lower.begin(), before_lower.end());
  bool changed = before_lower.size() != merged.size();
  for (std::size_t i = 0; !changed && i < merged.size(); ++i) {
    changed = before_lower[i] != merged[i].first;
  }
  std::vector<std::string> next;
  next.reserve(merged.size());
  for (const auto& [lower, tag] : merged) next.push_back(*tag);
  current = std::move(next);
  return changed;
}

bool SetIfDifferent(std::string& field, const std::optional<std::string>& value) {
  if (!value || *value == field) return false;
  field = *value;
  return true;
}

}  // namespace

struct SqliteContactRepository::Statements {
  Statement find_by_phone;
  Statement find_by_id;
  Statement tags_of;
  Statement consents_of;
  Statement insert_contact;
  Statement update_contact;
  Statement insert_tag;
  Statement tag_id;
  Statement add_tag;
  Statement clear_tags;
  Statement upsert_consent;
  AuditWriter audit;
};

Status SqliteContactRepository::Prepare() {
  if (statements_) return Status::Ok();
  constexpr std::string_view kColumns =
      "SELECT id, phone_e164, name, country, language, timezone, attributes, "
      "opted_out_at IS NOT NULL, last_inbound_at FROM contacts ";
  const std::string queries[] = {
      std::string(kColumns) + "WHERE phone_e164 = ?1",
      std::string(kColumns) + "WHERE id = ?1 AND erased_at IS NULL",
      "SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = ?1",
      "SELECT purpose, granted FROM consents WHERE contact_id = ?1",
      "INSERT INTO contacts (phone_e164, name, country, language, timezone, attributes, "
      "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
      "ON CONFLICT (phone_e164) DO NOTHING",
      "UPDATE contacts SET name = ?2, country = ?3, language = ?4, timezone = ?5, attributes = ?6, "
      "updated_at = ?7 WHERE id = ?1",
      "INSERT INTO tags (name, created_at) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
      "SELECT id FROM tags WHERE name = ?1",
      "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)",
      "DELETE FROM contact_tags WHERE contact_id = ?1",
      "INSERT INTO consents (contact_id, purpose, granted, changed_at, source) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (contact_id, purpose) DO UPDATE SET "
      "granted = excluded.granted, changed_at = excluded.changed_at, source = excluded.source",
  };
  std::vector<Statement> prepared;
  for (const auto& sql : queries) {
    auto statement = connection_.Prepare(sql);
    if (!statement.ok()) return statement.error();
    prepared.push_back(std::move(statement).value());
  }
  statements_ = std::unique_ptr<Statements>(
      new Statements{std::move(prepared[0]), std::move(prepared[1]), std::move(prepared[2]),
                     std::move(prepared[3]), std::move(prepared[4]), std::move(prepared[5]),
                     std::move(prepared[6]), std::move(prepared[7]), std::move(prepared[8]),
                     std::move(prepared[9]), std::move(prepared[10]), AuditWriter(connection_)});
  return Status::Ok();
}

Result<std::unique_ptr<SqliteContactRepository>> SqliteContactRepository::Create(
    Connection& connection) {
  auto repository = std::make_unique<SqliteContactRepository>(connection);
  if (Status prepared = repository->Prepare(); !prepared.ok()) return prepared.error();
  return repository;
}

SqliteContactRepository::SqliteContactRepository(Connection& connection)
    : connection_(connection) {}

SqliteContactRepository::~SqliteContactRepository() = default;

Result<std::optional<StoredContact>> SqliteContactRepository::LoadRow(Statement& query) {
  auto row = query.Step();
  if (!row.ok()) return row.error();
  if (!*row) {
    query.Reset();
    return std::optional<StoredContact>();
  }
  StoredContact contact;
  contact.id = ContactId{query.ColumnInt(0)};
  contact.phone_e164 = query.ColumnText(1);
  contact.name = query.ColumnText(2);
  contact.country = query.ColumnText(3);
  contact.language = query.ColumnText(4);
  contact.timezone = query.ColumnText(5);
  contact.attributes = ParseAttributes(query.ColumnText(6));
  contact.opted_out = query.ColumnInt(7) != 0;
  if (!query.ColumnIsNull(8)) contact.last_inbound = FromUnixMillis(query.ColumnInt(8));
  query.Reset();
  if (Status loaded = LoadTagsAndConsents(contact); !loaded.ok()) return loaded.error();
  return std::optional<StoredContact>(std::move(contact));
}

Status SqliteContactRepository::LoadTagsAndConsents(StoredContact& contact) {
  Statement& tags = statements_->tags_of;
  tags.Bind(1, contact.id.value);
  for (;;) {
    auto row = tags.Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    contact.tags.push_back(tags.ColumnText(0));
  }
  tags.Reset();
  Statement& consents = statements_->consents_of;
  consents.Bind(1, contact.id.value);
  for (;;) {
    auto row = consents.Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    bool granted = consents.ColumnInt(1) != 0;
    (consents.ColumnText(0) == "marketing" ? contact.consent_marketing : contact.consent_utility) =
        granted;
  }
  consents.Reset();
  return Status::Ok();
}

Result<std::optional<StoredContact>> SqliteContactRepository::FindByPhone(
    std::string_view phone_e164) {
  if (Status prepared = Prepare(); !prepared.ok()) return prepared.error();
  statements_->find_by_phone.Bind(1, phone_e164);
  return LoadRow(statements_->find_by_phone);
}

Result<std::optional<StoredContact>> SqliteContactRepository::FindById(ContactId id) {
  if (Status prepared = Prepare(); !prepared.ok()) return prepared.error();
  statements_->find_by_id.Bind(1, id.value);
  return LoadRow(statements_->find_by_id);
}

Result<std::int64_t> SqliteContactRepository::TagId(const std::string& name, SysTime now) {
  std::string lower = Lower(name);
  if (auto it = tag_ids_.find(lower); it != tag_ids_.end()) return it->second;
  Statement& insert = statements_->insert_tag;
  insert.Bind(1, std::string_view(name)).Bind(2, ToUnixMillis(now));
  Status inserted = insert.Run();
  insert.Reset();
  if (!inserted.ok()) return inserted.error();
  Statement& lookup = statements_->tag_id;
  lookup.Bind(1, std::string_view(name));
  auto row = lookup.Step();
  if (!row.ok()) return row.error();
  std::int64_t id = *row ? lookup.ColumnInt(0) : 0;
  lookup.Reset();
  if (id == 0) return MakeError(ErrorCode::kInternal, "tag vanished after insert", "tags");
  tag_ids_.emplace(std::move(lower), id);
  return id;
}

Status SqliteContactRepository::WriteTags(ContactId id, const std::vector<std::string>& tags,
                                          bool replace, SysTime now) {
  if (replace) {
    statements_->clear_tags.Bind(1, id.value);
    Status cleared = statements_->clear_tags.Run();
    statements_->clear_tags.Reset();
    if (!cleared.ok()) return cleared;
  }
  for (const auto& tag : tags) {
    auto tag_id = TagId(tag, now);
    if (!tag_id.ok()) return tag_id.error();
    Statement& add = statements_->add_tag;
    add.Bind(1, id.value).Bind(2, *tag_id);
    Status added = add.Run();
    add.Reset();
    if (!added.ok()) return added;
  }
  return Status::Ok();
}

Status SqliteContactRepository::WriteConsent(ContactId id, Purpose purpose,
                                             const ConsentChange& change, std::string_view actor,
                                             SysTime now) {
  Statement& upsert = statements_->upsert_consent;
  upsert.Bind(1, id.value)
      .Bind(2, PurposeName(purpose))
      .Bind(3, std::int64_t{change.granted ? 1 : 0})
      .Bind(4, ToUnixMillis(change.at))
      .Bind(5, std::string_view(change.source));
  Status written = upsert.Run();
  upsert.Reset();
  if (!written.ok()) return written;
  // json::serialize of {"purpose", "granted", "at", "source"}, written directly: one per consent.
  std::string detail = "{\"purpose\":\"";
  detail += PurposeName(purpose);
  detail += "\",\"granted\":";
  detail += change.granted ? "true" : "false";
  detail += ",\"at\":";
  detail += std::to_string(ToUnixMillis(change.at));
  detail += ",\"source\":";
  AppendJsonString(detail, change.source);
  detail += '}';
  return Audit(change.granted ? "consent.grant" : "consent.revoke", std::to_string(id.value), actor,
               change.source, detail, now);
}

Status SqliteContactRepository::Audit(std::string_view action, std::string_view object_id,
                                      std::string_view actor, std::string_view reason,
                                      const std::string& detail_json, SysTime now) {
  return statements_->audit.Append({now, actor, action, "contact", object_id, reason, detail_json});
}

// The contact after the upsert: `after` holds the stored contact (empty for a new one) and is
// changed as the upsert says.
SqliteContactRepository::Changes SqliteContactRepository::MergeInto(const ContactUpsert& upsert,
                                                                    StoredContact& after) {
  after.phone_e164 = upsert.phone_e164;
  Changes changes;
  changes.row = SetIfDifferent(after.name, upsert.name);
  changes.row |= SetIfDifferent(after.country, upsert.country);
  changes.row |= SetIfDifferent(after.language, upsert.language);
  changes.row |= SetIfDifferent(after.timezone, upsert.timezone);
  changes.row |= MergeAttributes(after.attributes, upsert.attributes);
  changes.tags = MergeTags(after.tags, upsert.tags, upsert.replace_tags);
  return changes;
}

Result<bool> SqliteContactRepository::InsertIfAbsent(const ContactUpsert& upsert,
                                                     StoredContact& after, SysTime now) {
  Statement& insert = statements_->insert_contact;
  insert.Bind(1, std::string_view(after.phone_e164))
      .Bind(2, upsert.name)
      .Bind(3, upsert.country)
      .Bind(4, upsert.language)
      .Bind(5, upsert.timezone)
      .Bind(6, SerializeAttributes(after.attributes))
      .Bind(7, ToUnixMillis(now));
  Status run = insert.Run();
  insert.Reset();
  if (!run.ok()) return run.error();
  if (connection_.Changes() == 0) return false;
  after.id = ContactId{sqlite3_last_insert_rowid(connection_.handle())};
  return true;
}

Result<UpsertResult> SqliteContactRepository::Upsert(const ContactUpsert& upsert, SysTime now,
                                                     std::string_view actor) {
  if (Status prepared = Prepare(); !prepared.ok()) return prepared.error();
  UpsertResult result;
  StoredContact& after = result.after;
  Changes changes;
  bool created = false;
  if (expect_new_) {
    // Most rows of a first import are new numbers: insert straight away, and look the number up
    // only when it exists (the insert then did nothing). The outcome is the same either way.
    changes = MergeInto(upsert, after);
    auto inserted = InsertIfAbsent(upsert, after, now);
    if (!inserted.ok()) return inserted.error();
    created = *inserted;
    if (!created) after = StoredContact{};
  }
  if (!created) {
    auto existing = FindByPhone(upsert.phone_e164);
    if (!existing.ok()) return existing.error();
    result.before = std::move(*existing);
    if (result.before) after = *result.before;
    changes = MergeInto(upsert, after);
    if (!result.before) {
      auto inserted = InsertIfAbsent(upsert, after, now);
      if (!inserted.ok()) return inserted.error();
      if (!*inserted) return MakeError(ErrorCode::kInternal, "contact appeared during upsert");
      created = true;
    } else if (changes.row) {
      Statement& update = statements_->update_contact;
      auto text_or_null = [](const std::string& s) {
        return s.empty() ? std::optional<std::string>() : std::optional<std::string>(s);
      };
      update.Bind(1, after.id.value)
          .Bind(2, text_or_null(after.name))
          .Bind(3, text_or_null(after.country))
          .Bind(4, text_or_null(after.language))
          .Bind(5, text_or_null(after.timezone))
          .Bind(6, SerializeAttributes(after.attributes))
          .Bind(7, ToUnixMillis(now));
      Status updated = update.Run();
      update.Reset();
      if (!updated.ok()) return updated.error();
    }
  }
  expect_new_ = created;
  if (changes.tags) {
    if (Status s = WriteTags(after.id, after.tags, upsert.replace_tags, now); !s.ok()) {
      return s.error();
    }
  }
  bool consent_changed = false;
  for (auto [purpose, change, current] :
       {std::tuple{Purpose::kMarketing, &upsert.marketing, &after.consent_marketing},
        std::tuple{Purpose::kUtility, &upsert.utility, &after.consent_utility}}) {
    if (!*change) continue;
    // A repeated grant (or revocation) keeps the original time and source.
    if (!created && (*change)->granted == *current) continue;
    if (created && !(*change)->granted) continue;  // nothing to revoke yet
    if (Status s = WriteConsent(after.id, purpose, **change, actor, now); !s.ok()) {
      return s.error();
    }
    *current = (*change)->granted;
    consent_changed = true;
  }
  result.outcome = created                                            ? UpsertOutcome::kCreated
                   : (changes.row || changes.tags || consent_changed) ? UpsertOutcome::kUpdated
                                                                      : UpsertOutcome::kUnchanged;
  return result;
}

// One pass over each table in contact id order, merged here: a query per contact would make a
// start-up index rebuild of a million contacts take minutes instead of seconds.
Status SqliteContactRepository::ForEach(const std::function<void(StoredContact&&)>& visit) {
  if (Status prepared = Prepare(); !prepared.ok()) return prepared;
  std::unordered_map<std::int64_t, std::string> tag_names;
  auto names = connection_.Prepare("SELECT id, name FROM tags");
  if (!names.ok()) return names.error();
  while (true) {
    auto row = names->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    tag_names.emplace(names->ColumnInt(0), names->ColumnText(1));
  }
  auto contacts = connection_.Prepare(
      "SELECT id, phone_e164, name, country, language, timezone, attributes, "
      "opted_out_at IS NOT NULL, last_inbound_at FROM contacts WHERE erased_at IS NULL ORDER BY "
      "id");
  auto tags =
      connection_.Prepare("SELECT contact_id, tag_id FROM contact_tags ORDER BY contact_id");
  auto consents =
      connection_.Prepare("SELECT contact_id, purpose, granted FROM consents ORDER BY contact_id");
  if (!contacts.ok()) return contacts.error();
  if (!tags.ok()) return tags.error();
  if (!consents.ok()) return consents.error();
  auto tag_row = tags->Step();
  auto consent_row = consents->Step();
  for (;;) {
    auto row = contacts->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    StoredContact contact;
    contact.id = ContactId{contacts->ColumnInt(0)};
    contact.phone_e164 = contacts->ColumnText(1);
    contact.name = contacts->ColumnText(2);
    contact.country = contacts->ColumnText(3);
    contact.language = contacts->ColumnText(4);
    contact.timezone = contacts->ColumnText(5);
    contact.attributes = ParseAttributes(contacts->ColumnText(6));
    contact.opted_out = contacts->ColumnInt(7) != 0;
    if (!contacts->ColumnIsNull(8)) contact.last_inbound = FromUnixMillis(contacts->ColumnInt(8));
    for (; tag_row.ok() && *tag_row && tags->ColumnInt(0) <= contact.id.value;
         tag_row = tags->Step()) {
      if (tags->ColumnInt(0) == contact.id.value)
        contact.tags.push_back(tag_names[tags->ColumnInt(1)]);
    }
    for (; consent_row.ok() && *consent_row && consents->ColumnInt(0) <= contact.id.value;
         consent_row = consents->Step()) {
      if (consents->ColumnInt(0) != contact.id.value) continue;
      bool granted = consents->ColumnInt(2) != 0;
      (consents->ColumnText(1) == "marketing" ? contact.consent_marketing
                                              : contact.consent_utility) = granted;
    }
    if (!tag_row.ok()) return tag_row.error();
    if (!consent_row.ok()) return consent_row.error();
    visit(std::move(contact));
  }
  return Status::Ok();
}

Result<UpsertResult> SqliteContactRepository::ChangeTags(ContactId id,
                                                         const std::vector<std::string>& add,
                                                         const std::vector<std::string>& remove,
                                                         SysTime now) {
  if (Status prepared = Prepare(); !prepared.ok()) return prepared.error();
  auto existing = FindById(id);
  if (!existing.ok()) return existing.error();
  if (!existing->has_value()) {
    return MakeError(ErrorCode::kNotFound, "no contact with id " + std::to_string(id.value));
  }
  UpsertResult result;
  result.before = std::move(*existing);
  result.after = *result.before;
  std::vector<std::string> next;
  for (const auto& tag : result.after.tags) {
    bool removed = std::any_of(remove.begin(), remove.end(),
                               [&](const std::string& r) { return Lower(r) == Lower(tag); });
    if (!removed) next.push_back(tag);
  }
  bool changed = next.size() != result.after.tags.size();
  changed |= MergeTags(next, add, false);
  result.after.tags = std::move(next);
  result.outcome = changed ? UpsertOutcome::kUpdated : UpsertOutcome::kUnchanged;
  if (changed) {
    if (Status s = WriteTags(id, result.after.tags, true, now); !s.ok()) return s.error();
  }
  return result;
}

Result<std::vector<ContactId>> SqliteContactRepository::ContactsWithTag(std::int64_t tag_id) {
  auto query = connection_.Prepare("SELECT contact_id FROM contact_tags WHERE tag_id = ?1");
  if (!query.ok()) return query.error();
  query->Bind(1, tag_id);
  std::vector<ContactId> ids;
  for (;;) {
    auto row = query->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    ids.push_back(ContactId{query->ColumnInt(0)});
  }
  return ids;
}

Result<std::vector<ContactId>> SqliteContactRepository::RenameTag(std::string_view from,
                                                                  std::string_view to,
                                                                  std::string_view actor,
                                                                  SysTime now) {
  if (Status prepared = Prepare(); !prepared.ok()) return prepared.error();
  auto lookup = connection_.Prepare("SELECT id FROM tags WHERE name = ?1");
  if (!lookup.ok()) return lookup.error();
  lookup->Bind(1, from);
  auto row = lookup->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kNotFound, "no tag named " + std::string(from), "from");
  std::int64_t tag_id = lookup->ColumnInt(0);
  auto ids = ContactsWithTag(tag_id);
  if (!ids.ok()) return ids.error();
  auto rename = connection_.Prepare("UPDATE tags SET name = ?2 WHERE id = ?1");
  if (!rename.ok()) return rename.error();
  rename->Bind(1, tag_id).Bind(2, to);
  if (Status renamed = rename->Run(); !renamed.ok()) {
    if (renamed.error().code == ErrorCode::kAlreadyExists) {
      return MakeError(ErrorCode::kAlreadyExists, "a tag named " + std::string(to) + " exists",
                       "to");
    }
    return renamed.error();
  }
  json::object detail{{"from", from}, {"to", to}, {"contacts", ids->size()}};
  if (Status s =
          Audit("tag.rename", std::to_string(tag_id), actor, "", json::serialize(detail), now);
      !s.ok()) {
    return s.error();
  }
  return ids;
}

Result<std::vector<ContactId>> SqliteContactRepository::DeleteTag(std::string_view name,
                                                                  std::string_view actor,
                                                                  SysTime now) {
  if (Status prepared = Prepare(); !prepared.ok()) return prepared.error();
  auto lookup = connection_.Prepare("SELECT id FROM tags WHERE name = ?1");
  if (!lookup.ok()) return lookup.error();
  lookup->Bind(1, name);
  auto row = lookup->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kNotFound, "no tag named " + std::string(name), "name");
  std::int64_t tag_id = lookup->ColumnInt(0);
  auto ids = ContactsWithTag(tag_id);
  if (!ids.ok()) return ids.error();
  auto remove = connection_.Prepare("DELETE FROM tags WHERE id = ?1");  // cascades to contacts
  if (!remove.ok()) return remove.error();
  remove->Bind(1, tag_id);
  if (Status removed = remove->Run(); !removed.ok()) return removed.error();
  json::object detail{{"name", name}, {"contacts", ids->size()}};
  if (Status s =
          Audit("tag.delete", std::to_string(tag_id), actor, "", json::serialize(detail), now);
      !s.ok()) {
    return s.error();
  }
  return ids;
}

Result<std::optional<StoredContact>> SqliteContactRepository::Erase(ContactId id,
                                                                    std::string_view actor,
                                                                    std::string_view reason,
                                                                    SysTime now) {
  if (Status prepared = Prepare(); !prepared.ok()) return prepared.error();
  auto existing = FindById(id);
  if (!existing.ok() || !existing->has_value()) return existing;
  const std::string statements[] = {
      "DELETE FROM contact_tags WHERE contact_id = ?1",
      "DELETE FROM consents WHERE contact_id = ?1",
      "DELETE FROM service_windows WHERE contact_id = ?1",
      "UPDATE contacts SET phone_e164 = NULL, name = NULL, timezone = NULL, attributes = '{}', "
      "last_inbound_at = NULL, opted_out_source = NULL, erased_at = ?2, updated_at = ?2 "
      "WHERE id = ?1",
  };
  for (const auto& sql : statements) {
    auto statement = connection_.Prepare(sql);
    if (!statement.ok()) return statement.error();
    statement->Bind(1, id.value);
    if (sql.find("?2") != std::string::npos) statement->Bind(2, ToUnixMillis(now));
    if (Status done = statement->Run(); !done.ok()) return done.error();
  }
  if (Status s = Audit("contact.erase", std::to_string(id.value), actor, reason, "{}", now);
      !s.ok()) {
    return s.error();
  }
  return existing;
}

Result<std::vector<ContactLocation>> SqliteContactRepository::Locations(
    std::span<const ContactId> ids) {
  std::vector<ContactLocation> locations;
  if (ids.empty()) return locations;
  locations.reserve(ids.size());
  const bool ascending = std::is_sorted(ids.begin(), ids.end());
  const std::int64_t span = ids.back().value - ids.front().value + 1;
  if (ascending && span <= 4 * static_cast<std::int64_t>(ids.size())) {
    // Dense ids in order (an audience's page): one range scan of the table, merged with the
    // ids, costs a fraction of a lookup per id.
    auto range = connection_.Prepare(
        "SELECT id, coalesce(country, ''), coalesce(timezone, '') FROM contacts "
        "WHERE id BETWEEN ?1 AND ?2 ORDER BY id");
    if (!range.ok()) return range.error();
    range->Bind(1, ids.front().value).Bind(2, ids.back().value);
    std::size_t next = 0;
    for (;;) {
      auto row = range->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      const ContactId id{range->ColumnInt(0)};
      while (next < ids.size() && ids[next] < id) ++next;
      if (next == ids.size()) break;
      if (ids[next] == id) locations.push_back({id, range->ColumnText(1), range->ColumnText(2)});
    }
    return locations;
  }
  auto find = connection_.Prepare(
      "SELECT coalesce(country, ''), coalesce(timezone, '') FROM contacts WHERE id = ?1");
  if (!find.ok()) return find.error();
  for (ContactId id : ids) {
    find->Reset();
    find->Bind(1, id.value);
    auto row = find->Step();
    if (!row.ok()) return row.error();
    if (*row) locations.push_back({id, find->ColumnText(0), find->ColumnText(1)});
  }
  return locations;
}

}  // namespace herald::storage
