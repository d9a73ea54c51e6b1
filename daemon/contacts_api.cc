#include "daemon/contacts_api.h"

#include <boost/json.hpp>

#include "contacts/phone_number.h"
#include "daemon/api_util.h"

namespace herald::daemon {
namespace {

namespace json = boost::json;

json::object ImportJson(const ImportStatus& status) {
  json::object out{{"id", status.id},
                   {"state", status.state},
                   {"actor", status.actor},
                   {"rows", status.counts.rows},
                   {"created", status.counts.created},
                   {"updated", status.counts.updated},
                   {"unchanged", status.counts.unchanged},
                   {"rejected", status.counts.rejected},
                   {"warnings", status.counts.warnings},
                   {"warning_samples", json::value_from(status.warning_samples)},
                   {"started_ms", status.started.time_since_epoch().count()}};
  if (status.finished) out["finished_ms"] = status.finished->time_since_epoch().count();
  if (!status.error.empty()) out["error"] = status.error;
  return out;
}

// Import options from the query string; errors name the parameter.
Result<contacts::ImportOptions> ImportOptionsOf(const Request& request,
                                                const std::string& default_region) {
  auto query = ParseQuery(request.query);
  if (!query) return MakeError(ErrorCode::kInvalidArgument, "malformed query string");
  contacts::ImportOptions options;
  options.default_region = default_region;
  for (const auto& [key, value] : *query) {
    if (key == "format") {
      if (value == "csv")
        options.format = contacts::Format::kCsv;
      else if (value == "jsonl")
        options.format = contacts::Format::kJsonLines;
      else if (value == "auto")
        options.format = contacts::Format::kAuto;
      else
        return MakeError(ErrorCode::kInvalidArgument, "expected csv, jsonl or auto", "format");
    } else if (key == "default_region") {
      if (!value.empty() && !contacts::PhoneNormaliser::IsKnownRegion(value)) {
        return MakeError(ErrorCode::kInvalidArgument, "unknown region \"" + value + "\"",
                         "default_region");
      }
      options.default_region = value;
    } else if (key == "replace_tags") {
      if (value != "true" && value != "false") {
        return MakeError(ErrorCode::kInvalidArgument, "expected true or false", "replace_tags");
      }
      options.replace_tags = value == "true";
    } else if (key == "encoding") {
      auto encoding = contacts::EncodingNamed(value);
      if (!encoding) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "expected " + std::string(contacts::kEncodingNames), "encoding");
      }
      options.encoding = *encoding;
    } else if (key == "consent_source") {
      if (value.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty", "consent_source");
      options.consent_source = value;
    } else {
      return MakeError(ErrorCode::kInvalidArgument, "unknown parameter", key);
    }
  }
  return options;
}

// The E.164 number named by a {phone} path segment ("%2B4915…" or "4915…" or national).
Result<std::string> PhoneParam(const Request& request, const std::string& default_region) {
  auto raw = PercentDecode(request.params.at("phone"), false);
  if (!raw) return MakeError(ErrorCode::kInvalidArgument, "malformed escape", "phone");
  std::string text = *raw;
  if (!text.empty() && text[0] != '+' && text[0] != '0') text = "+" + text;
  auto phone = contacts::PhoneNormaliser(default_region).Normalise(text);
  if (!phone.ok()) return phone.error();
  return phone->e164;
}

void RegisterImports(Router& router, ContactService& service,
                     std::function<std::string()> default_region) {
  router.Add(
      "POST", "/v1/contacts/imports", Access::kAdmin,
      [&service, default_region](const Request& request, Responder respond) {
        auto options = ImportOptionsOf(request, default_region());
        if (!options.ok()) return respond(ErrorResponse(options.error()));
        if (request.body.empty()) {
          return respond(JsonError(400, "invalid_argument", "the request body is empty", "body"));
        }
        std::string id = service.StartImport(request.body, *options, ActorOf(request));
        Response response = JsonBody(202, ImportJson(*service.GetImport(id)));
        response.headers.emplace_back("Location", "/v1/contacts/imports/" + id);
        respond(std::move(response));
      },
      BodySize::kBulk);
  router.Add("GET", "/v1/contacts/imports/{id}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto status = service.GetImport(request.params.at("id"));
               if (!status) return respond(JsonError(404, "not_found", "no such import", "id"));
               respond(JsonBody(200, ImportJson(*status)));
             });
  router.Add("GET", "/v1/contacts/imports/{id}/rejects", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto csv = service.RejectsCsv(request.params.at("id"));
               if (!csv) return respond(JsonError(404, "not_found", "no such import", "id"));
               Response response = JsonResponse(200, std::move(*csv));
               response.content_type = "text/csv; charset=utf-8";
               respond(std::move(response));
             });
}

// Runs `change` on the writer with a repository, then answers with the contact as it is after.
using ContactChange =
    std::function<Result<std::optional<storage::UpsertResult>>(storage::ContactRepository&)>;

void ChangeContact(ContactService& service, ContactChange change, Responder respond) {
  auto result = std::make_shared<Result<std::optional<storage::UpsertResult>>>(
      std::optional<storage::UpsertResult>());
  Status queued = service.store().writer().Submit(
      [result, change](storage::Connection& connection) -> Status {
        auto repository = storage::ContactRepository::Create(connection);
        if (!repository.ok()) return repository.error();
        *result = change(**repository);
        return result->ok() ? Status::Ok() : Status(result->error());
      },
      [&service, result, respond](Status status) {
        if (!status.ok()) return respond(ErrorResponse(status.error()));
        if (!result->value()) return respond(JsonError(404, "not_found", "no such contact"));
        const storage::UpsertResult& change = *result->value();
        service.ApplyCommitted({change});
        respond(JsonBody(200, ContactJson(change.after)));
      });
  if (!queued.ok()) respond(ErrorResponse(queued.error()));
}

void RegisterContacts(Router& router, ContactService& service,
                      std::function<std::string()> default_region) {
  router.Add("GET", "/v1/contacts/{phone}", Access::kAdmin,
             [&service, default_region](const Request& request, Responder respond) {
               auto phone = PhoneParam(request, default_region());
               if (!phone.ok()) return respond(ErrorResponse(phone.error()));
               service.Query([phone = *phone, respond](storage::Connection& reader) {
                 auto repository = storage::ContactRepository::Create(reader);
                 if (!repository.ok()) return respond(ErrorResponse(repository.error()));
                 auto contact = (*repository)->FindByPhone(phone);
                 if (!contact.ok()) return respond(ErrorResponse(contact.error()));
                 if (!contact->has_value()) {
                   return respond(JsonError(404, "not_found", "no contact " + phone, "phone"));
                 }
                 respond(JsonBody(200, ContactJson(**contact)));
               });
             });
  router.Add(
      "DELETE", "/v1/contacts/{phone}", Access::kAdmin,
      [&service, default_region](const Request& request, Responder respond) {
        auto phone = PhoneParam(request, default_region());
        if (!phone.ok()) return respond(ErrorResponse(phone.error()));
        auto query = ParseQuery(request.query);
        if (!query || (*query)["reason"].empty()) {
          return respond(JsonError(400, "invalid_argument",
                                   "an erasure needs a reason (e.g. the request's reference)",
                                   "reason"));
        }
        auto erased = std::make_shared<std::optional<storage::StoredContact>>();
        std::string actor = ActorOf(request), reason = (*query)["reason"];
        Status queued = service.store().writer().Submit(
            [=, &service](storage::Connection& connection) -> Status {
              auto repository = storage::ContactRepository::Create(connection);
              if (!repository.ok()) return repository.error();
              auto contact = (*repository)->FindByPhone(*phone);
              if (!contact.ok()) return contact.error();
              if (!contact->has_value()) return Status::Ok();
              auto result =
                  (*repository)->Erase((*contact)->id, actor, reason, service.clock().Now());
              if (!result.ok()) return result.error();
              *erased = std::move(*result);
              return Status::Ok();
            },
            [&service, erased, respond, phone = *phone](Status status) {
              if (!status.ok()) return respond(ErrorResponse(status.error()));
              if (!erased->has_value()) {
                return respond(JsonError(404, "not_found", "no contact " + phone, "phone"));
              }
              service.ApplyErased(**erased);
              respond(JsonBody(200, json::object{{"erased", true}, {"id", (*erased)->id.value}}));
            });
        if (!queued.ok()) respond(ErrorResponse(queued.error()));
      });
  router.Add("POST", "/v1/contacts/{phone}/tags", Access::kAdmin,
             [&service, default_region](const Request& request, Responder respond) {
               auto phone = PhoneParam(request, default_region());
               if (!phone.ok()) return respond(ErrorResponse(phone.error()));
               auto body = JsonObjectBody(request);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto add = StringList(*body, "add");
               auto remove = StringList(*body, "remove");
               if (!add.ok()) return respond(ErrorResponse(add.error()));
               if (!remove.ok()) return respond(ErrorResponse(remove.error()));
               auto now = service.clock().Now();
               ChangeContact(
                   service,
                   [phone = *phone, add = *add, remove = *remove,
                    now](storage::ContactRepository& repository)
                       -> Result<std::optional<storage::UpsertResult>> {
                     auto contact = repository.FindByPhone(phone);
                     if (!contact.ok()) return contact.error();
                     if (!contact->has_value()) return std::optional<storage::UpsertResult>();
                     auto changed = repository.ChangeTags((*contact)->id, add, remove, now);
                     if (!changed.ok()) return changed.error();
                     return std::optional<storage::UpsertResult>(std::move(*changed));
                   },
                   respond);
             });
}

}  // namespace

void RegisterContactsApi(Router& router, ContactService& service,
                         std::function<std::string()> default_region) {
  RegisterImports(router, service, default_region);
  RegisterContacts(router, service, default_region);
  RegisterTagsAndSegmentsApi(router, service);
}

}  // namespace herald::daemon
