// SqliteContactRepository: what inbound messages change (issue 17): the contact's last inbound
// time and service windows, opt-outs, and tags from replies.
#include <boost/json.hpp>
#include <string>

#include "common/time.h"
#include "storage/sqlite/audit.h"
#include "storage/sqlite/contact_repository.h"

namespace herald::storage {
namespace {

Result<StoredContact> Reload(SqliteContactRepository& repository, ContactId id) {
  auto after = repository.FindById(id);
  if (!after.ok()) return after.error();
  if (!after->has_value()) {
    return MakeError(ErrorCode::kNotFound, "contact " + std::to_string(id.value) + " is gone");
  }
  return std::move(**after);
}

// One audit entry about contact `id` (through the one audit writer).
Status AuditContact(Connection& connection, SysTime at, std::string_view actor,
                    std::string_view action, ContactId id, std::string_view reason,
                    std::string_view detail_json = "{}") {
  const std::string object_id = std::to_string(id.value);
  return AuditWriter(connection)
      .Append({.at = at,
               .actor = actor,
               .action = action,
               .object_type = "contact",
               .object_id = object_id,
               .reason = reason,
               .detail_json = detail_json});
}

}  // namespace

Result<UpsertResult> SqliteContactRepository::RecordInbound(const InboundContact& inbound,
                                                            SysTime now, std::string_view actor) {
  auto existing = FindByPhone(inbound.phone_e164);
  if (!existing.ok()) return existing.error();
  UpsertResult result;
  if (!existing->has_value()) {
    ContactUpsert create;
    create.phone_e164 = inbound.phone_e164;
    if (!inbound.profile_name.empty()) create.name = inbound.profile_name;
    auto created = Upsert(create, now, actor);
    if (!created.ok()) return created.error();
    result.outcome = UpsertOutcome::kCreated;
  } else {
    result.before = **existing;
  }
  const std::int64_t id =
      result.before ? result.before->id.value : FindByPhone(inbound.phone_e164)->value().id.value;
  const std::int64_t at = ToUnixMillis(inbound.at);
  auto last = connection_.Prepare(
      "UPDATE contacts SET last_inbound_at = ?2, updated_at = ?3 "
      "WHERE id = ?1 AND (last_inbound_at IS NULL OR last_inbound_at < ?2)");
  if (!last.ok()) return last.error();
  last->Bind(1, id).Bind(2, at).Bind(3, ToUnixMillis(now));
  if (Status run = last->Run(); !run.ok()) return run.error();
  const bool moved = connection_.Changes() > 0;
  if (inbound.sender) {
    auto window = connection_.Prepare(
        "INSERT INTO service_windows (sender_id, contact_id, last_inbound_at, entry_point_until) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sender_id, contact_id) DO UPDATE SET "
        "last_inbound_at = max(last_inbound_at, excluded.last_inbound_at), "
        "entry_point_until = CASE WHEN excluded.entry_point_until IS NULL THEN entry_point_until "
        "ELSE max(coalesce(entry_point_until, 0), excluded.entry_point_until) END");
    if (!window.ok()) return window.error();
    window->Bind(1, inbound.sender->value).Bind(2, id).Bind(3, at);
    if (inbound.entry_point) {
      window->Bind(4, ToUnixMillis(inbound.at + kEntryPointWindow));
    } else {
      window->BindNull(4);
    }
    if (Status run = window->Run(); !run.ok()) return run.error();
  }
  auto after = Reload(*this, ContactId{id});
  if (!after.ok()) return after.error();
  result.after = std::move(*after);
  if (result.outcome != UpsertOutcome::kCreated) {
    result.outcome = moved ? UpsertOutcome::kUpdated : UpsertOutcome::kUnchanged;
  }
  return result;
}

Result<UpsertResult> SqliteContactRepository::OptOut(ContactId id, std::string_view source,
                                                     SysTime at, std::string_view actor) {
  auto before = FindById(id);
  if (!before.ok()) return before.error();
  if (!before->has_value()) {
    return MakeError(ErrorCode::kNotFound, "no contact " + std::to_string(id.value), "contact");
  }
  UpsertResult result;
  result.before = **before;
  result.after = **before;
  if ((*before)->opted_out) return result;
  auto opt_out = connection_.Prepare(
      "UPDATE contacts SET opted_out_at = ?2, opted_out_source = ?3, updated_at = ?2 "
      "WHERE id = ?1 AND opted_out_at IS NULL");
  if (!opt_out.ok()) return opt_out.error();
  opt_out->Bind(1, id.value).Bind(2, ToUnixMillis(at)).Bind(3, source);
  if (Status run = opt_out->Run(); !run.ok()) return run.error();
  if (Status audited = AuditContact(connection_, at, actor, "contact.opt_out", id, source);
      !audited.ok()) {
    return audited.error();
  }
  result.after.opted_out = true;
  result.outcome = UpsertOutcome::kUpdated;
  return result;
}

Result<UpsertResult> SqliteContactRepository::TagFromReply(ContactId id, std::string_view tag,
                                                           std::optional<std::int64_t> campaign,
                                                           std::string_view actor, SysTime now) {
  auto changed = ChangeTags(id, {std::string(tag)}, {}, now);
  if (!changed.ok() || changed->outcome == UpsertOutcome::kUnchanged) return changed;
  boost::json::object detail{{"tag", tag}};
  detail["campaign"] = campaign ? boost::json::value(*campaign) : boost::json::value(nullptr);
  const std::string detail_json = boost::json::serialize(detail);
  if (Status audited =
          AuditContact(connection_, now, actor, "contact.tag_from_reply", id, "reply", detail_json);
      !audited.ok()) {
    return audited.error();
  }
  return changed;
}

Result<UpsertResult> SqliteContactRepository::ChangePhone(ContactId id, std::string_view new_phone,
                                                          std::string_view actor, SysTime now) {
  auto before = FindById(id);
  if (!before.ok()) return before.error();
  if (!before->has_value()) {
    return MakeError(ErrorCode::kNotFound, "no contact " + std::to_string(id.value), "contact");
  }
  UpsertResult result;
  result.before = **before;
  result.after = **before;
  if ((*before)->phone_e164 == new_phone) return result;
  auto taken = FindByPhone(new_phone);
  if (!taken.ok()) return taken.error();
  if (taken->has_value()) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "another contact has the number " + std::string(new_phone), "phone");
  }
  auto change =
      connection_.Prepare("UPDATE contacts SET phone_e164 = ?2, updated_at = ?3 WHERE id = ?1");
  if (!change.ok()) return change.error();
  change->Bind(1, id.value).Bind(2, new_phone).Bind(3, ToUnixMillis(now));
  if (Status run = change->Run(); !run.ok()) return run.error();
  if (Status audited = AuditContact(connection_, now, actor, "contact.number_changed", id,
                                    "user_changed_number");
      !audited.ok()) {
    return audited.error();
  }
  result.after.phone_e164 = std::string(new_phone);
  result.outcome = UpsertOutcome::kUpdated;
  return result;
}

}  // namespace herald::storage
