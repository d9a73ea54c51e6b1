#include "http/hooks_api.h"

#include <boost/json.hpp>
#include <charconv>

#include "http/api_util.h"

namespace herald::http {
namespace {

namespace json = boost::json;

json::value OptionalTime(const std::optional<SysTime>& time) {
  return time ? json::value(TimeJson(*time)) : json::value(nullptr);
}

json::value OptionalText(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::object EndpointJson(const app::HookEndpointView& view) {
  json::array events;
  for (const std::string& kind : view.events) events.emplace_back(kind);
  return json::object{{"name", view.name},
                      {"url", view.url},
                      {"events", std::move(events)},
                      {"pending", view.pending},
                      {"delivered", view.delivered},
                      {"dead", view.dead},
                      {"failing", view.failing},
                      {"last_delivered_at", OptionalTime(view.last_delivered_at)},
                      {"last_error_at", OptionalTime(view.last_error_at)},
                      {"last_error", OptionalText(view.last_error)}};
}

json::object DeliveryJson(const app::HookDeliveryRecord& record) {
  json::value data = json::parse(record.data_json);
  return json::object{{"id", record.id},
                      {"event_id", record.event_id},
                      {"endpoint", record.endpoint},
                      {"kind", record.kind},
                      {"state", app::HookDeliveryStateName(record.state)},
                      {"attempts", record.attempts},
                      {"created_at", TimeJson(record.created_at)},
                      {"last_attempt_at", OptionalTime(record.last_attempt_at)},
                      {"finished_at", OptionalTime(record.finished_at)},
                      {"last_error", OptionalText(record.last_error)},
                      {"data", std::move(data)}};
}

Result<std::int64_t> WholeNumber(std::string_view text, std::string_view key, std::int64_t least,
                                 std::int64_t most) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [at, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || at != end || value < least || value > most) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "expected a whole number from " + std::to_string(least) + " to " + std::to_string(most),
        std::string(key));
  }
  return value;
}

Result<std::int64_t> QueryNumber(const std::map<std::string, std::string>& query,
                                 const std::string& key, std::int64_t fallback, std::int64_t least,
                                 std::int64_t most) {
  const auto it = query.find(key);
  if (it == query.end()) return fallback;
  return WholeNumber(it->second, key, least, most);
}

}  // namespace

void RegisterHooksApi(Router& router, app::HookService& service) {
  router.Add("GET", "/v1/hooks", Access::kAdmin, [&service](const Request&, Responder respond) {
    service.Endpoints(AnswerJson<std::vector<app::HookEndpointView>>(
        std::move(respond), 200, [](const std::vector<app::HookEndpointView>& views) {
          json::array endpoints;
          for (const auto& view : views) endpoints.push_back(EndpointJson(view));
          return json::object{{"endpoints", std::move(endpoints)}};
        }));
  });
  router.Add("GET", "/v1/hooks/dead", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto query = QueryParams(request);
               if (!query.ok()) return respond(ErrorResponse(query.error()));
               auto limit = QueryNumber(*query, "limit", 50, 1, 1000);
               if (!limit.ok()) return respond(ErrorResponse(limit.error()));
               auto before = QueryNumber(*query, "before", 0, 0, INT64_MAX);
               if (!before.ok()) return respond(ErrorResponse(before.error()));
               const auto endpoint = query->find("endpoint");
               service.DeadLetters(endpoint == query->end() ? std::string() : endpoint->second,
                                   *before, static_cast<std::size_t>(*limit),
                                   AnswerJson<std::vector<app::HookDeliveryRecord>>(
                                       std::move(respond), 200,
                                       [](const std::vector<app::HookDeliveryRecord>& records) {
                                         json::array dead;
                                         for (const auto& record : records)
                                           dead.push_back(DeliveryJson(record));
                                         return json::object{{"dead", std::move(dead)}};
                                       }));
             });
  router.Add("POST", "/v1/hooks/dead/{id}/replay", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto text = PathParam(request, "id");
               if (!text.ok()) return respond(ErrorResponse(text.error()));
               auto id = WholeNumber(*text, "id", 1, INT64_MAX);
               if (!id.ok()) return respond(ErrorResponse(id.error()));
               service.Replay(
                   *id, AnswerJson<app::HookDeliveryRecord>(
                            std::move(respond), 200, [](const app::HookDeliveryRecord& record) {
                              return DeliveryJson(record);
                            }));
             });
  router.Add(
      "POST", "/v1/hooks/dead/replay", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto body = JsonObjectBody(request, {"endpoint"});
        if (!body.ok()) return respond(ErrorResponse(body.error()));
        auto endpoint = OptionalStringField(*body, "endpoint");
        if (!endpoint.ok()) return respond(ErrorResponse(endpoint.error()));
        if (!*endpoint || (*endpoint)->empty()) {
          return respond(ErrorResponse(
              MakeError(ErrorCode::kInvalidArgument,
                        "name the endpoint whose dead letters to replay: {\"endpoint\": \"crm\"}",
                        "endpoint")));
        }
        std::string name = **endpoint;
        service.ReplayEndpoint(
            name, AnswerJson<std::size_t>(std::move(respond), 200, [name](std::size_t replayed) {
              return json::object{{"endpoint", name}, {"replayed", replayed}};
            }));
      });
}

}  // namespace herald::http
