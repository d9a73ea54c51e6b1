#include "http/messages_api.h"

#include <array>
#include <boost/json.hpp>
#include <charconv>

#include "common/time.h"
#include "http/api_util.h"

namespace herald::http {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 6> kFields = {"to",      "template", "text",
                                                     "purpose", "sender",   "dry_run"};

json::object DecisionJson(const app::SingleDecision& decision) {
  json::array checks;
  for (const compliance::CheckResult& check : decision.checks) {
    json::object item{{"check", check.check},
                      {"passed", check.passed},
                      {"evaluated", check.evaluated},
                      {"reason", check.reason},
                      {"detail", check.detail}};
    item["until"] = check.until ? json::value(TimeJson(*check.until)) : json::value(nullptr);
    if (check.check == "words") {
      json::array matches;
      for (const compliance::WordMatch& match : check.matches) {
        matches.push_back(json::object{
            {"list", match.list},
            {"term", match.term},
            {"severity", match.severity == compliance::Severity::kBlock ? "block" : "review"},
            {"begin", match.begin},
            {"end", match.end},
            {"text", check.scanned_text.substr(match.begin, match.end - match.begin)}});
      }
      item["matches"] = std::move(matches);
    }
    checks.push_back(std::move(item));
  }
  json::object out{
      {"allowed", decision.allowed}, {"reason", decision.reason}, {"checks", std::move(checks)}};
  out["market_rule"] =
      decision.market_rule.empty() ? json::value(nullptr) : json::value(decision.market_rule);
  return out;
}

json::object ResultJson(const app::MessageResult& result) {
  json::object out{{"sender", result.sender}, {"decision", DecisionJson(result.decision)}};
  if (result.delivery) {
    out["id"] = result.delivery->value;
    out["state"] = result.state;
    out["reason"] = result.decision.reason;
  }
  return out;
}

json::object RowJson(const storage::DeliveryRow& row) {
  auto time = [](const std::optional<SysTime>& at) {
    return at ? json::value(TimeJson(*at)) : json::value(nullptr);
  };
  json::object out{{"id", row.id.value},
                   {"to", row.phone_e164},
                   {"sender", row.sender},
                   {"state", storage::DeliveryStateName(row.state)},
                   {"reason", row.reason},
                   {"attempts", row.attempts},
                   {"message_id", row.provider_message_id},
                   {"updated_at", TimeJson(row.updated_at)},
                   {"sent_at", time(row.sent_at)},
                   {"delivered_at", time(row.delivered_at)},
                   {"read_at", time(row.read_at)}};
  out["error_code"] = row.error_code ? json::value(*row.error_code) : json::value(nullptr);
  return out;
}

}  // namespace

void RegisterMessagesApi(Router& router, app::MessageService& service) {
  router.Add("POST", "/v1/messages", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto body = JsonObjectBody(request, kFields);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto to = OptionalStringField(*body, "to");
               if (!to.ok()) return respond(ErrorResponse(to.error()));
               if (!*to) return respond(JsonError(400, "invalid_argument", "to is required", "to"));
               auto content = app::ParseCampaignContent(*body);
               if (!content.ok()) return respond(ErrorResponse(content.error()));
               auto sender = OptionalStringField(*body, "sender");
               if (!sender.ok()) return respond(ErrorResponse(sender.error()));
               auto dry_run = OptionalBoolField(*body, "dry_run");
               if (!dry_run.ok()) return respond(ErrorResponse(dry_run.error()));
               app::MessageRequest message{**to, std::move(*content), sender->value_or(""),
                                           dry_run->value_or(false)};
               service.Send(std::move(message), ActorOf(request),
                            [respond](Result<app::MessageResult> result) {
                              if (!result.ok()) return respond(ErrorResponse(result.error()));
                              const int status =
                                  result->delivery && result->state == "queued" ? 202 : 200;
                              respond(JsonBody(status, ResultJson(*result)));
                            });
             });
  router.Add("GET", "/v1/messages/{id}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto text = PathParam(request, "id");
               if (!text.ok()) return respond(ErrorResponse(text.error()));
               std::int64_t id = 0;
               auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), id);
               if (error != std::errc() || end != text->data() + text->size() || id <= 0) {
                 return respond(
                     JsonError(400, "invalid_argument", "expected a message id (a number)", "id"));
               }
               service.Get(DeliveryId{id}, AnswerJson<storage::DeliveryRow>(respond, 200, RowJson));
             });
}

}  // namespace herald::http
