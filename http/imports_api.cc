#include "http/imports_api.h"

#include <boost/json.hpp>
#include <charconv>

#include "common/time.h"
#include "contacts/phone_number.h"
#include "http/api_util.h"

namespace herald::http {
namespace {

namespace json = boost::json;

json::object ImportJson(const app::ImportStatus& status) {
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
                   {"started_at", TimeJson(status.started)},
                   {"started_ms", ToUnixMillis(status.started)}};
  if (status.finished) {
    out["finished_at"] = TimeJson(*status.finished);
    out["finished_ms"] = ToUnixMillis(*status.finished);
  }
  if (!status.error.empty()) out["error"] = status.error;
  if (status.waiting) out["waiting"] = true;
  return out;
}

// Import options from the query string; errors name the parameter.
Result<contacts::ImportOptions> ImportOptionsOf(const Request& request,
                                                const std::string& default_region) {
  auto query = QueryParams(request);
  if (!query.ok()) return query.error();
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

Result<std::size_t> LimitOf(const Request& request) {
  auto query = QueryParams(request);
  if (!query.ok()) return query.error();
  std::size_t limit = 50;
  for (const auto& [key, value] : *query) {
    if (key != "limit") return MakeError(ErrorCode::kInvalidArgument, "unknown parameter", key);
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
    if (ec != std::errc() || end != value.data() + value.size() || limit < 1 || limit > 1000) {
      return MakeError(ErrorCode::kInvalidArgument, "expected 1 to 1000", "limit");
    }
  }
  return limit;
}

}  // namespace

void RegisterImportsApi(Router& router, app::ContactService& service,
                        std::function<std::string()> default_region) {
  router.Add(
      "POST", "/v1/contacts/imports", Access::kAdmin,
      [&service, default_region](const Request& request, Responder respond) {
        auto options = ImportOptionsOf(request, default_region());
        if (!options.ok()) return respond(ErrorResponse(options.error()));
        if (request.body_file == nullptr) {
          return respond(JsonError(400, "invalid_argument", "the request body is empty", "body"));
        }
        service.StartImport(
            app::ImportRequest{request.body_file, std::move(*options), ActorOf(request)},
            [respond](Result<app::ImportStatus> status) {
              if (!status.ok()) return respond(ErrorResponse(status.error()));
              Response response = JsonBody(202, ImportJson(*status));
              response.headers.emplace_back("Location", "/v1/contacts/imports/" + status->id);
              respond(std::move(response));
            });
      },
      BodySize::kSpooled);
  router.Add("GET", "/v1/contacts/imports", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto limit = LimitOf(request);
               if (!limit.ok()) return respond(ErrorResponse(limit.error()));
               service.ListImports(
                   *limit, AnswerJson<std::vector<app::ImportStatus>>(
                               respond, 200, [](const std::vector<app::ImportStatus>& imports) {
                                 json::array out;
                                 for (const auto& status : imports)
                                   out.push_back(ImportJson(status));
                                 return json::object{{"imports", std::move(out)}};
                               }));
             });
  router.Add("GET", "/v1/contacts/imports/{id}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto id = PathParam(request, "id");
               if (!id.ok()) return respond(ErrorResponse(id.error()));
               service.GetImport(*id, AnswerJson<app::ImportStatus>(respond, 200, ImportJson));
             });
  router.Add("GET", "/v1/contacts/imports/{id}/rejects", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto id = PathParam(request, "id");
               if (!id.ok()) return respond(ErrorResponse(id.error()));
               service.ImportRejects(*id, [respond](Result<std::filesystem::path> file) {
                 if (!file.ok()) return respond(ErrorResponse(file.error()));
                 Response response;
                 response.content_type = "text/csv; charset=utf-8";
                 response.body_file = *file;
                 respond(std::move(response));
               });
             });
}

}  // namespace herald::http
