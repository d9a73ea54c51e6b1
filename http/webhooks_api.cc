#include "http/webhooks_api.h"

#include <boost/json.hpp>
#include <charconv>

#include "http/api_util.h"

namespace herald::http {
namespace {

namespace json = boost::json;

Response PlainText(int status, std::string body) {
  Response response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

json::object RecordJson(const app::WebhookRecord& record) {
  json::object object{{"id", record.id},
                      {"source", record.source},
                      {"received_at", TimeJson(record.received_at)},
                      {"summary", record.summary},
                      {"attempts", record.attempts},
                      {"bytes", record.bytes}};
  object["processed_at"] =
      record.processed_at ? json::value(TimeJson(*record.processed_at)) : json::value(nullptr);
  object["error"] = record.error.empty() ? json::value(nullptr) : json::value(record.error);
  return object;
}

Result<std::int64_t> NonNegative(const std::map<std::string, std::string>& query,
                                 const std::string& key, std::int64_t fallback, std::int64_t most) {
  const auto it = query.find(key);
  if (it == query.end()) return fallback;
  std::int64_t value = 0;
  const char* end = it->second.data() + it->second.size();
  auto [at, error] = std::from_chars(it->second.data(), end, value);
  if (error != std::errc() || at != end || value < 0 || value > most) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected a whole number from 0 to " + std::to_string(most), key);
  }
  return value;
}

}  // namespace

void RegisterWebhookEndpoints(Router& router, app::WebhookService& service) {
  router.Add("GET", "/webhooks/whatsapp", Access::kPublic,
             [&service](const Request& request, Responder respond) {
               auto query = QueryParams(request);
               if (!query.ok()) return respond(ErrorResponse(query.error()));
               const auto value = [&query](const char* key) {
                 const auto it = query->find(key);
                 return it == query->end() ? std::string() : it->second;
               };
               auto challenge = service.Handshake(value("hub.mode"), value("hub.verify_token"),
                                                  value("hub.challenge"));
               if (!challenge) return respond(PlainText(403, "verification refused\n"));
               respond(PlainText(200, std::move(*challenge)));
             });
  router.Add("POST", "/webhooks/whatsapp", Access::kPublic,
             [&service](const Request& request, Responder respond) {
               std::optional<std::string> signature;
               if (auto header = request.Header("X-Hub-Signature-256")) signature = *header;
               service.Receive(request.body, std::move(signature),
                               AnswerJson<bool>(std::move(respond), 200, [](bool stored) {
                                 return json::object{{"stored", stored}};
                               }));
             });
}

void RegisterWebhooksApi(Router& router, app::WebhookService& service) {
  router.Add(
      "GET", "/v1/webhooks", Access::kAdmin, [&service](const Request& request, Responder respond) {
        auto query = QueryParams(request);
        if (!query.ok()) return respond(ErrorResponse(query.error()));
        auto limit = NonNegative(*query, "limit", 50, 1000);
        if (!limit.ok()) return respond(ErrorResponse(limit.error()));
        auto before = NonNegative(*query, "before", 0, INT64_MAX);
        if (!before.ok()) return respond(ErrorResponse(before.error()));
        const auto failed = query->find("failed");
        const bool failed_only =
            failed != query->end() && (failed->second == "true" || failed->second == "1");
        service.Counts([&service, respond, limit = *limit, before = *before,
                        failed_only](Result<app::WebhookCounts> counts) {
          if (!counts.ok()) return respond(ErrorResponse(counts.error()));
          service.List(before, static_cast<std::size_t>(limit), failed_only,
                       [respond, counts = *counts](Result<std::vector<app::WebhookRecord>> list) {
                         if (!list.ok()) return respond(ErrorResponse(list.error()));
                         json::array requests;
                         for (const auto& record : *list) requests.push_back(RecordJson(record));
                         respond(JsonBody(200, json::object{{"pending", counts.pending},
                                                            {"processed", counts.processed},
                                                            {"failed", counts.failed},
                                                            {"requests", std::move(requests)}}));
                       });
        });
      });
}

}  // namespace herald::http
