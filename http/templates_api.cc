#include "http/templates_api.h"

#include <boost/json.hpp>

#include "common/language_tag.h"
#include "http/api_util.h"

namespace herald::http {
namespace {

namespace json = boost::json;

std::string OptionalString(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

json::object TemplateJson(const app::StoredTemplate& stored) {
  boost::system::error_code ec;
  json::value components = json::parse(stored.record.components_json, ec);
  json::object out{{"name", stored.record.name},
                   {"language", stored.record.language},
                   {"category", stored.record.category},
                   {"status", stored.record.status},
                   {"components", ec ? json::value(json::array()) : std::move(components)},
                   {"platform_id", stored.record.platform_id}};
  if (stored.synced_at) out["synced_at"] = TimeJson(*stored.synced_at);
  return out;
}

// A template from a PUT body, checked as the gate's catalog will compile it, so that a template
// the gate could not use is refused rather than stored.
Result<app::TemplateRecord> TemplateFromBody(const std::string& name, const std::string& language,
                                             const json::object& body) {
  // Stored in the platform's spelling ("EN-us" -> "en_US"), so that one language is stored once.
  const Result<LanguageTag> tag = LanguageTag::Parse(language);
  if (!tag.ok()) return MakeError(ErrorCode::kInvalidArgument, tag.error().message, "language");
  const json::value* components = body.if_contains("components");
  if (components == nullptr || !components->is_array()) {
    return MakeError(ErrorCode::kInvalidArgument, "required (a JSON array)", "components");
  }
  app::TemplateRecord record{name,
                             tag->canonical(),
                             OptionalString(body, "category"),
                             OptionalString(body, "status"),
                             json::serialize(*components),
                             OptionalString(body, "platform_id")};
  auto checked = app::ToMessageTemplate(record);
  if (!checked.ok()) return checked.error();
  auto compiled = compliance::CompileTemplate(*checked);
  if (!compiled.ok()) return compiled.error();
  return record;
}

}  // namespace

void RegisterTemplatesApi(Router& router, app::ComplianceService& service) {
  router.Add("GET", "/v1/templates", Access::kAdmin, [&service](const Request&, Responder respond) {
    service.ListTemplates(AnswerJson<std::vector<app::StoredTemplate>>(
        respond, 200, [](const std::vector<app::StoredTemplate>& templates) {
          json::array out;
          for (const auto& stored : templates) out.push_back(TemplateJson(stored));
          return json::object{{"templates", std::move(out)}};
        }));
  });
  router.Add(
      "PUT", "/v1/templates/{name}/{language}", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto name = PathParam(request, "name");
        if (!name.ok()) return respond(ErrorResponse(name.error()));
        auto language = PathParam(request, "language");
        if (!language.ok()) return respond(ErrorResponse(language.error()));
        auto body = JsonObjectBody(request, {"category", "status", "components", "platform_id",
                                             "name", "language", "synced_at"});
        if (!body.ok()) return respond(ErrorResponse(body.error()));
        auto record = TemplateFromBody(*name, *language, *body);
        if (!record.ok()) return respond(ErrorResponse(record.error()));
        service.UpsertTemplate(
            std::move(*record), ActorOf(request),
            [respond](Result<app::TemplateUpsertOutcome> outcome) {
              if (!outcome.ok()) return respond(ErrorResponse(outcome.error()));
              constexpr std::string_view kNames[] = {"created", "updated", "unchanged"};
              const int status = *outcome == app::TemplateUpsertOutcome::kCreated ? 201 : 200;
              respond(
                  JsonBody(status, json::object{{"outcome", kNames[static_cast<int>(*outcome)]}}));
            });
      });
}

}  // namespace herald::http
