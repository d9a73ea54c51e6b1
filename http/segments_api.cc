#include "http/segments_api.h"

#include <boost/json.hpp>

#include "common/time.h"
#include "http/api_util.h"
#include "http/segment_param.h"

namespace herald::http {

namespace json = boost::json;

Result<campaign::SegmentExpr> ExpressionOf(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a segment expression (string)",
                     std::string(key));
  }
  auto expr = campaign::ParseSegment(std::string(value->as_string()));
  if (!expr.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, expr.error().message, std::string(key));
  }
  return expr;
}

namespace {

json::object PreviewJson(const app::SegmentPreview& preview) {
  json::object by_country;
  for (const auto& [country, count] : preview.by_country) {
    by_country[country.empty() ? "unknown" : country] = count;
  }
  json::array sample;
  for (const auto& contact : preview.sample) sample.push_back(ContactJson(contact));
  return json::object{{"count", preview.count},
                      {"by_country", std::move(by_country)},
                      {"sample", std::move(sample)}};
}

json::object SavedJson(const app::SavedSegment& segment) {
  return json::object{{"name", segment.name},
                      {"expression", segment.expression},
                      {"created_by", segment.created_by},
                      {"created_at", TimeJson(segment.created_at)},
                      {"updated_at", TimeJson(segment.updated_at)},
                      {"created_ms", ToUnixMillis(segment.created_at)},
                      {"updated_ms", ToUnixMillis(segment.updated_at)}};
}

void RegisterQueries(Router& router, app::ContactService& service) {
  router.Add(
      "POST", "/v1/segments/preview", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto body = JsonObjectBody(request, {"expression", "sample"});
        if (!body.ok()) return respond(ErrorResponse(body.error()));
        auto expr = ExpressionOf(*body, "expression");
        if (!expr.ok()) return respond(ErrorResponse(expr.error()));
        std::size_t sample = 10;
        if (const json::value* n = body->if_contains("sample")) {
          if (!n->is_int64() || n->as_int64() < 0 || n->as_int64() > 1000) {
            return respond(JsonError(400, "invalid_argument", "expected 0 to 1000", "sample"));
          }
          sample = static_cast<std::size_t>(n->as_int64());
        }
        service.Preview(std::move(*expr), sample,
                        AnswerJson<app::SegmentPreview>(respond, 200, PreviewJson));
      });
  router.Add("POST", "/v1/segments/export", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto body = JsonObjectBody(request, {"expression"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto expr = ExpressionOf(*body, "expression");
               if (!expr.ok()) return respond(ErrorResponse(expr.error()));
               service.Export(std::move(*expr), [respond](Result<std::filesystem::path> file) {
                 if (!file.ok()) return respond(ErrorResponse(file.error()));
                 Response response;
                 response.content_type = "text/csv; charset=utf-8";
                 response.body_file = *file;
                 respond(std::move(response));
               });
             });
}

void RegisterSaved(Router& router, app::ContactService& service) {
  router.Add("GET", "/v1/segments", Access::kAdmin, [&service](const Request&, Responder respond) {
    service.ListSegments(AnswerJson<std::vector<app::SavedSegment>>(
        respond, 200, [](const std::vector<app::SavedSegment>& segments) {
          json::array out;
          for (const auto& segment : segments) out.push_back(SavedJson(segment));
          return json::object{{"segments", std::move(out)}};
        }));
  });
  router.Add("GET", "/v1/segments/{name}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               service.FindSegment(*name, AnswerJson<app::SavedSegment>(respond, 200, SavedJson));
             });
  router.Add("PUT", "/v1/segments/{name}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto body = JsonObjectBody(request, {"expression", "name"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto expr = ExpressionOf(*body, "expression");
               if (!expr.ok()) return respond(ErrorResponse(expr.error()));
               service.SaveSegment(
                   *name, *expr, ActorOf(request),
                   AnswerJson<app::SavedSegment>(respond, 200, [](const app::SavedSegment& saved) {
                     return json::object{{"name", saved.name}, {"expression", saved.expression}};
                   }));
             });
  router.Add("DELETE", "/v1/segments/{name}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               service.DeleteSegment(*name, ActorOf(request),
                                     AnswerJson<bool>(respond, 200, [](bool) {
                                       return json::object{{"deleted", true}};
                                     }));
             });
}

}  // namespace

void RegisterSegmentsApi(Router& router, app::ContactService& service) {
  RegisterQueries(router, service);
  RegisterSaved(router, service);
}

}  // namespace herald::http
