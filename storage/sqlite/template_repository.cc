#include "storage/sqlite/template_repository.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <utility>

#include "common/time.h"
#include "storage/sqlite/detail/savepoint.h"

namespace herald::storage {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 3> kCategories{"MARKETING", "UTILITY", "AUTHENTICATION"};

Error Invalid(std::string message, std::string field) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}

// The platform adds statuses now and then (IN_APPEAL, LIMIT_EXCEEDED, …): check the shape only.
bool IsStatus(std::string_view status) {
  return !status.empty() && status.size() <= 32 &&
         std::all_of(status.begin(), status.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

Status CheckStatus(std::string_view status) {
  if (IsStatus(status)) return Status::Ok();
  return Invalid("invalid template status \"" + std::string(status) +
                     "\"; expected the platform's spelling, e.g. APPROVED or REJECTED",
                 "status");
}

Status CheckActor(std::string_view actor) {
  if (actor.find_first_not_of(" \t\r\n") != std::string_view::npos) return Status::Ok();
  return Invalid("an actor is required: who makes the change", "actor");
}

Status CheckRecord(const TemplateRecord& record) {
  if (record.name.empty()) return Invalid("empty template name", "name");
  if (record.language.empty()) return Invalid("empty template language", "language");
  if (std::find(kCategories.begin(), kCategories.end(), record.category) == kCategories.end()) {
    return Invalid("unknown template category \"" + record.category +
                       "\"; expected MARKETING, UTILITY or AUTHENTICATION",
                   "category");
  }
  if (Status status = CheckStatus(record.status); !status.ok()) return status;
  boost::system::error_code ec;
  const json::value components = json::parse(record.components_json, ec);
  if (ec || !components.is_array()) {
    return Invalid("template components must be a JSON array", "components");
  }
  return Status::Ok();
}

std::string ObjectId(std::string_view name, std::string_view language) {
  return std::string(name) + "/" + std::string(language);
}

StoredTemplate ReadTemplate(const Statement& row) {
  StoredTemplate stored;
  stored.id = TemplateId{row.ColumnInt(0)};
  stored.record = TemplateRecord{row.ColumnText(1), row.ColumnText(2), row.ColumnText(3),
                                 row.ColumnText(4), row.ColumnText(5), row.ColumnText(6)};
  if (!row.ColumnIsNull(7)) stored.synced_at = FromUnixMillis(row.ColumnInt(7));
  return stored;
}

constexpr std::string_view kColumns =
    "SELECT id, name, language, category, status, components, platform_id, synced_at "
    "FROM templates ";

// The fields an upsert changed, for the audit entry; empty when it changed none.
json::array ChangedFields(const TemplateRecord& before, const TemplateRecord& after) {
  json::array changed;
  if (before.category != after.category) changed.push_back("category");
  if (before.status != after.status) changed.push_back("status");
  if (before.components_json != after.components_json) changed.push_back("components");
  if (before.platform_id != after.platform_id) changed.push_back("platform_id");
  return changed;
}

}  // namespace

Result<std::optional<StoredTemplate>> SqliteTemplateRepository::Find(std::string_view name,
                                                                     std::string_view language) {
  auto find = connection_.Prepare(std::string(kColumns) + "WHERE name = ?1 AND language = ?2");
  if (!find.ok()) return find.error();
  find->Bind(1, name).Bind(2, language);
  auto row = find->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<StoredTemplate>();
  return std::optional<StoredTemplate>(ReadTemplate(*find));
}

Result<std::vector<StoredTemplate>> SqliteTemplateRepository::List() {
  auto list = connection_.Prepare(std::string(kColumns) + "ORDER BY name, language");
  if (!list.ok()) return list.error();
  std::vector<StoredTemplate> templates;
  for (;;) {
    auto row = list->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    templates.push_back(ReadTemplate(*list));
  }
  return templates;
}

Result<TemplateUpsertOutcome> SqliteTemplateRepository::Upsert(const TemplateRecord& record,
                                                               std::string_view actor,
                                                               SysTime now) {
  if (Status ok = CheckActor(actor); !ok.ok()) return ok.error();
  if (Status ok = CheckRecord(record); !ok.ok()) return ok.error();
  TemplateUpsertOutcome outcome = TemplateUpsertOutcome::kUnchanged;
  Status status = detail::InSavepoint(connection_, "template_upsert", [&]() -> Status {
    auto existing = Find(record.name, record.language);
    if (!existing.ok()) return existing.error();
    auto save = connection_.Prepare(
        "INSERT INTO templates (name, language, category, status, components, platform_id, "
        "synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name, language) DO UPDATE "
        "SET category = excluded.category, status = excluded.status, "
        "components = excluded.components, platform_id = excluded.platform_id, "
        "synced_at = excluded.synced_at");
    if (!save.ok()) return save.error();
    save->Bind(1, record.name).Bind(2, record.language).Bind(3, record.category);
    save->Bind(4, record.status).Bind(5, record.components_json);
    if (record.platform_id.empty()) {
      save->BindNull(6);
    } else {
      save->Bind(6, record.platform_id);
    }
    save->Bind(7, ToUnixMillis(now));
    if (Status saved = save->Run(); !saved.ok()) return saved;
    json::object detail{{"category", record.category},
                        {"status", record.status},
                        {"platform_id", record.platform_id}};
    if (existing->has_value()) {
      json::array changed = ChangedFields((*existing)->record, record);
      if (changed.empty()) return Status::Ok();  // a sync that found nothing new
      outcome = TemplateUpsertOutcome::kUpdated;
      detail["changed"] = std::move(changed);
      detail["previous_status"] = (*existing)->record.status;
    } else {
      outcome = TemplateUpsertOutcome::kCreated;
      detail["created"] = true;
    }
    return audit_.Append({now, actor, "template.upsert", "template",
                          ObjectId(record.name, record.language), "", json::serialize(detail)});
  });
  if (!status.ok()) return status.error();
  return outcome;
}

Result<bool> SqliteTemplateRepository::SetStatus(std::string_view name, std::string_view language,
                                                 std::string_view status, std::string_view actor,
                                                 std::string_view reason, SysTime now) {
  if (Status ok = CheckActor(actor); !ok.ok()) return ok.error();
  if (Status ok = CheckStatus(status); !ok.ok()) return ok.error();
  bool changed = false;
  Status result = detail::InSavepoint(connection_, "template_status", [&]() -> Status {
    auto existing = Find(name, language);
    if (!existing.ok()) return existing.error();
    if (!existing->has_value()) {
      return MakeError(
          ErrorCode::kNotFound,
          "no template \"" + std::string(name) + "\" in language \"" + std::string(language) + "\"",
          "name");
    }
    const std::string previous = (*existing)->record.status;
    if (previous == status) return Status::Ok();
    auto update = connection_.Prepare("UPDATE templates SET status = ?2 WHERE id = ?1");
    if (!update.ok()) return update.error();
    update->Bind(1, (*existing)->id.value).Bind(2, status);
    if (Status updated = update->Run(); !updated.ok()) return updated;
    changed = true;
    json::object detail{{"from", previous}, {"to", status}};
    return audit_.Append({now, actor, "template.status", "template", ObjectId(name, language),
                          reason, json::serialize(detail)});
  });
  if (!result.ok()) return result.error();
  return changed;
}

}  // namespace herald::storage
