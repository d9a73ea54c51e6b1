#include "http/senders_api.h"

#include <array>
#include <boost/json.hpp>

#include "common/time.h"
#include "http/api_util.h"

namespace herald::http {

namespace json = boost::json;

namespace {

json::object PortfolioJson(const app::Portfolio& portfolio) {
  const app::TierLimit limit = app::MessagingTierLimit(portfolio.messaging_tier);
  json::object out{{"name", portfolio.name},
                   {"messaging_limit_tier", portfolio.messaging_tier},
                   {"tier_known", limit.known}};
  if (limit.users) {
    out["unique_users_per_24h"] = *limit.users;
  } else {
    out["unique_users_per_24h"] = nullptr;
  }
  if (portfolio.restricted_until) {
    out["restricted_until"] = TimeJson(*portfolio.restricted_until);
    out["restriction_type"] = portfolio.restriction_type;
  } else {
    out["restricted_until"] = nullptr;
  }
  return out;
}

json::object PacingJson(const app::SenderPacing& pacing) {
  json::object out{{"level_per_s", NumberJson(pacing.level_per_s)},
                   {"allowed_per_s", NumberJson(pacing.allowed_per_s)},
                   {"tokens", NumberJson(pacing.tokens)},
                   {"slowed_by", pacing.slowed_by},
                   {"backlog", pacing.backlog},
                   {"tier_used", pacing.tier_used},
                   {"sent_total", pacing.sent_total},
                   {"throttled_total", pacing.throttled_total}};
  out["slowed_until"] =
      pacing.slowed_until ? json::value(TimeJson(*pacing.slowed_until)) : json::value(nullptr);
  out["tier_limit"] = pacing.tier_limit ? json::value(*pacing.tier_limit) : json::value(nullptr);
  return out;
}

// The two spellings a client may use for one field; giving both is ambiguous.
Result<std::optional<std::string>> AliasedString(const json::object& body, std::string_view key,
                                                 std::string_view alias) {
  if (body.contains(key) && body.contains(alias)) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        std::string(alias) + " is another name for " + std::string(key) + "; give one of them",
        std::string(alias));
  }
  return OptionalStringField(body, body.contains(alias) ? alias : key);
}

constexpr std::array<std::string_view, 11> kSenderFields = {"phone_number_id",
                                                            "display_phone_number",
                                                            "display_number",
                                                            "portfolio",
                                                            "messaging_limit_tier",
                                                            "tier",
                                                            "throughput",
                                                            "quality",
                                                            "state",
                                                            "warmup",
                                                            "reason"};

// Reads the fields a create and a patch share into `patch`.
Status ReadSenderFields(const json::object& body, app::SenderPatch& patch) {
  auto display = AliasedString(body, "display_phone_number", "display_number");
  if (!display.ok()) return display.error();
  auto portfolio = OptionalStringField(body, "portfolio");
  if (!portfolio.ok()) return portfolio.error();
  auto tier = AliasedString(body, "messaging_limit_tier", "tier");
  if (!tier.ok()) return tier.error();
  auto throughput = OptionalNumberField(body, "throughput");
  if (!throughput.ok()) return throughput.error();
  auto quality = OptionalStringField(body, "quality");
  if (!quality.ok()) return quality.error();
  auto state = OptionalStringField(body, "state");
  if (!state.ok()) return state.error();
  auto warmup = OptionalBoolField(body, "warmup");
  if (!warmup.ok()) return warmup.error();
  patch = {*display, *portfolio, *tier, *throughput, *quality, *state, *warmup};
  return Status::Ok();
}

std::string ReasonOf(const json::object& body) {
  const json::value* reason = body.if_contains("reason");
  return reason != nullptr && reason->is_string() ? std::string(reason->as_string()) : "";
}

void RegisterSenders(Router& router, app::SenderService& service) {
  router.Add(
      "POST", "/v1/senders", Access::kAdmin, [&service](const Request& request, Responder respond) {
        auto body = JsonObjectBody(request, kSenderFields);
        if (!body.ok()) return respond(ErrorResponse(body.error()));
        auto id = OptionalStringField(*body, "phone_number_id");
        if (!id.ok()) return respond(ErrorResponse(id.error()));
        if (!*id) {
          return respond(
              JsonError(400, "invalid_argument", "phone_number_id is required", "phone_number_id"));
        }
        app::SenderPatch fields;
        if (Status read = ReadSenderFields(*body, fields); !read.ok()) {
          return respond(ErrorResponse(read.error()));
        }
        app::NewSender spec;
        spec.phone_number_id = **id;
        spec.display_phone_number = fields.display_phone_number.value_or("");
        spec.portfolio = fields.portfolio.value_or("default");
        spec.messaging_limit_tier = fields.messaging_limit_tier;
        spec.throughput = fields.throughput;
        spec.quality = fields.quality;
        spec.state = fields.state;
        spec.warmup = fields.warmup.value_or(false);
        service.Create(std::move(spec), ActorOf(request), ReasonOf(*body),
                       AnswerJson<app::SenderView>(respond, 201, SenderJson));
      });
  router.Add("GET", "/v1/senders", Access::kAdmin, [&service](const Request&, Responder respond) {
    json::array senders;
    for (const app::SenderView& view : service.List()) senders.push_back(SenderJson(view));
    respond(JsonBody(200, json::object{{"senders", std::move(senders)}}));
  });
  router.Add("GET", "/v1/senders/{phone_number_id}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto id = PathParam(request, "phone_number_id");
               if (!id.ok()) return respond(ErrorResponse(id.error()));
               auto view = service.Get(*id);
               if (!view.ok()) return respond(ErrorResponse(view.error()));
               respond(JsonBody(200, SenderJson(*view)));
             });
  router.Add("PATCH", "/v1/senders/{phone_number_id}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto id = PathParam(request, "phone_number_id");
               if (!id.ok()) return respond(ErrorResponse(id.error()));
               auto body = JsonObjectBody(request, kSenderFields);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               if (const json::value* given = body->if_contains("phone_number_id");
                   given != nullptr && !(given->is_string() && given->as_string() == *id)) {
                 return respond(JsonError(400, "invalid_argument", "phone_number_id cannot change",
                                          "phone_number_id"));
               }
               app::SenderPatch patch;
               if (Status read = ReadSenderFields(*body, patch); !read.ok()) {
                 return respond(ErrorResponse(read.error()));
               }
               service.Update(*id, std::move(patch), ActorOf(request), ReasonOf(*body),
                              AnswerJson<app::SenderView>(respond, 200, SenderJson));
             });
}

void RegisterPortfolios(Router& router, app::SenderService& service) {
  router.Add("GET", "/v1/portfolios", Access::kAdmin,
             [&service](const Request&, Responder respond) {
               json::array portfolios;
               for (const app::Portfolio& portfolio : service.Portfolios()) {
                 portfolios.push_back(PortfolioJson(portfolio));
               }
               respond(JsonBody(200, json::object{{"portfolios", std::move(portfolios)}}));
             });
  router.Add("GET", "/v1/portfolios/{name}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto portfolio = service.GetPortfolio(*name);
               if (!portfolio.ok()) return respond(ErrorResponse(portfolio.error()));
               respond(JsonBody(200, PortfolioJson(*portfolio)));
             });
  router.Add(
      "PATCH", "/v1/portfolios/{name}", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto name = PathParam(request, "name");
        if (!name.ok()) return respond(ErrorResponse(name.error()));
        auto body = JsonObjectBody(request, {"messaging_limit_tier", "tier", "restricted_until",
                                             "restriction_type", "reason", "name"});
        if (!body.ok()) return respond(ErrorResponse(body.error()));
        auto tier = AliasedString(*body, "messaging_limit_tier", "tier");
        if (!tier.ok()) return respond(ErrorResponse(tier.error()));
        auto until = OptionalTimeField(*body, "restricted_until");
        if (!until.ok()) return respond(ErrorResponse(until.error()));
        auto type = OptionalStringField(*body, "restriction_type");
        if (!type.ok()) return respond(ErrorResponse(type.error()));
        service.UpdatePortfolio(*name, {*tier, *until, *type}, ActorOf(request), ReasonOf(*body),
                                AnswerJson<app::Portfolio>(respond, 200, PortfolioJson));
      });
}

}  // namespace

json::object SenderJson(const app::SenderView& view) {
  const app::Sender& sender = view.sender;
  json::object out{{"phone_number_id", sender.phone_number_id},
                   {"display_phone_number", sender.display_phone_number},
                   {"portfolio", sender.portfolio},
                   {"messaging_limit_tier", view.portfolio.messaging_tier},
                   {"throughput", NumberJson(sender.throughput_per_s)},
                   {"quality", sender.quality},
                   {"state", sender.state},
                   {"state_reason", sender.state_reason},
                   {"created_at", TimeJson(sender.created_at)},
                   {"updated_at", TimeJson(sender.updated_at)}};
  out["warmup_started_at"] = sender.warmup_started_at
                                 ? json::value(TimeJson(*sender.warmup_started_at))
                                 : json::value(nullptr);
  out["portfolio_detail"] = PortfolioJson(view.portfolio);
  out["pacing"] = view.pacing ? json::value(PacingJson(*view.pacing)) : json::value(nullptr);
  return out;
}

void RegisterSendersApi(Router& router, app::SenderService& service) {
  RegisterSenders(router, service);
  RegisterPortfolios(router, service);
}

}  // namespace herald::http
