#include "http/campaigns_api.h"

#include <array>
#include <boost/json.hpp>
#include <cmath>

#include "common/time.h"
#include "http/api_util.h"

namespace herald::http {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 12> kCreateFields = {
    "name",     "segment",  "template",   "text",   "purpose",   "senders",
    "start_at", "timezone", "local_time", "end_by", "spend_cap", "currency"};

json::value Time(const std::optional<SysTime>& time) {
  return time ? json::value(TimeJson(*time)) : json::value(nullptr);
}

json::object CampaignJson(const app::CampaignView& view) {
  const app::CampaignRecord& record = view.record;
  json::object deliveries;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < storage::kDeliveryStateCount; ++i) {
    deliveries[storage::DeliveryStateName(static_cast<storage::DeliveryState>(i))] = view.counts[i];
    total += view.counts[i];
  }
  deliveries["total"] = total;
  json::array senders;
  for (const std::string& sender : view.senders) senders.push_back(json::string(sender));
  json::object out{{"id", record.id.value},
                   {"name", record.name},
                   {"segment", record.segment},
                   {"content", json::parse(record.content_json)},
                   {"state", record.state},
                   {"state_reason", record.state_reason},
                   {"senders", std::move(senders)},
                   {"start_at", Time(record.start_at)},
                   {"timezone", record.timezone},
                   {"local_time", record.local_time},
                   {"end_by", Time(record.end_by)},
                   {"currency", record.currency},
                   {"created_by", record.created_by},
                   {"created_at", TimeJson(record.created_at)},
                   {"started_at", Time(record.started_at)},
                   {"finished_at", Time(record.finished_at)},
                   {"deliveries", std::move(deliveries)},
                   {"rate", json::object{{"current", NumberJson(view.progress.current_rate)},
                                         {"allowed", NumberJson(view.progress.allowed_rate)}}},
                   {"eta", Time(view.progress.eta)}};
  out["spend_cap"] = record.spend_cap_micros
                         ? NumberJson(static_cast<double>(*record.spend_cap_micros) / 1e6)
                         : json::value(nullptr);
  out["audience"] = json::object{
      {"size", record.audience_size ? json::value(*record.audience_size) : json::value(nullptr)},
      {"complete", view.audience_complete}};
  return out;
}

Result<app::CampaignSpec> ReadSpec(const json::object& body) {
  app::CampaignSpec spec;
  auto name = OptionalStringField(body, "name");
  if (!name.ok()) return name.error();
  if (!*name) return MakeError(ErrorCode::kInvalidArgument, "name is required", "name");
  spec.name = **name;
  auto segment = OptionalStringField(body, "segment");
  if (!segment.ok()) return segment.error();
  if (!*segment) return MakeError(ErrorCode::kInvalidArgument, "segment is required", "segment");
  spec.segment = **segment;
  auto content = app::ParseCampaignContent(body);
  if (!content.ok()) return content.error();
  spec.content = std::move(*content);
  auto senders = StringList(body, "senders");
  if (!senders.ok()) return senders.error();
  spec.senders = std::move(*senders);
  auto timezone = OptionalStringField(body, "timezone");
  if (!timezone.ok()) return timezone.error();
  spec.timezone = timezone->value_or("");
  auto start_at = OptionalStringField(body, "start_at");
  if (!start_at.ok()) return start_at.error();
  if (*start_at) {
    auto instant = app::ParseStartAt(**start_at, spec.timezone);
    if (!instant.ok()) return instant.error();
    spec.start_at = *instant;
  }
  auto local_time = OptionalStringField(body, "local_time");
  if (!local_time.ok()) return local_time.error();
  spec.local_time = local_time->value_or("");
  auto end_by = OptionalTimeField(body, "end_by");
  if (!end_by.ok()) return end_by.error();
  spec.end_by = *end_by;
  auto cap = OptionalNumberField(body, "spend_cap");
  if (!cap.ok()) return cap.error();
  if (*cap) {
    if (!std::isfinite(**cap) || **cap <= 0 || **cap > 1e12) {
      return MakeError(ErrorCode::kInvalidArgument, "expected an amount above 0", "spend_cap");
    }
    spec.spend_cap_micros = static_cast<std::int64_t>(std::llround(**cap * 1e6));
  }
  auto currency = OptionalStringField(body, "currency");
  if (!currency.ok()) return currency.error();
  if (*currency) {
    bool valid = (*currency)->size() == 3;
    for (char c : **currency) valid = valid && c >= 'A' && c <= 'Z';
    if (!valid) {
      return MakeError(ErrorCode::kInvalidArgument, "expected an ISO 4217 code such as USD",
                       "currency");
    }
    spec.currency = **currency;
  }
  return spec;
}

using Action = void (app::CampaignService::*)(CampaignId, std::string, std::string,
                                              app::Reply<app::CampaignView>);

void RegisterAction(Router& router, app::CampaignService& service, const std::string& verb,
                    Action action) {
  router.Add("POST", "/v1/campaigns/{id}/" + verb, Access::kAdmin,
             [&service, action](const Request& request, Responder respond) {
               auto id = CampaignIdParam(request);
               if (!id.ok()) return respond(ErrorResponse(id.error()));
               std::string reason;
               if (!request.body.empty()) {
                 auto body = JsonObjectBody(request, {"reason"});
                 if (!body.ok()) return respond(ErrorResponse(body.error()));
                 auto given = OptionalStringField(*body, "reason");
                 if (!given.ok()) return respond(ErrorResponse(given.error()));
                 reason = given->value_or("");
               }
               (service.*action)(*id, ActorOf(request), std::move(reason),
                                 AnswerJson<app::CampaignView>(respond, 200, CampaignJson));
             });
}

void RegisterDeliveries(Router& router, app::CampaignService& service) {
  router.Add(
      "GET", "/v1/campaigns/{id}/deliveries", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto id = CampaignIdParam(request);
        if (!id.ok()) return respond(ErrorResponse(id.error()));
        auto query = QueryParams(request);
        if (!query.ok()) return respond(ErrorResponse(query.error()));
        std::optional<storage::DeliveryState> state;
        app::DeliveriesFormat format = app::DeliveriesFormat::kCsv;
        for (const auto& [key, value] : *query) {
          if (key == "state") {
            state = storage::ParseDeliveryState(value);
            if (!state) {
              return respond(JsonError(400, "invalid_argument",
                                       "unknown delivery state \"" + value + "\"", "state"));
            }
          } else if (key == "format") {
            if (value == "jsonl" || value == "ndjson") {
              format = app::DeliveriesFormat::kJsonLines;
            } else if (value != "csv") {
              return respond(JsonError(400, "invalid_argument", "expected csv or jsonl", "format"));
            }
          } else {
            return respond(JsonError(400, "invalid_argument",
                                     "unknown query parameter; expected state, format", key));
          }
        }
        service.Deliveries(*id, state, format,
                           [respond, format](Result<std::filesystem::path> file) {
                             if (!file.ok()) return respond(ErrorResponse(file.error()));
                             Response response;
                             response.content_type = format == app::DeliveriesFormat::kCsv
                                                         ? "text/csv; charset=utf-8"
                                                         : "application/x-ndjson";
                             response.body_file = *file;
                             respond(std::move(response));
                           });
      });
}

}  // namespace

void RegisterCampaignsApi(Router& router, app::CampaignService& service) {
  router.Add("POST", "/v1/campaigns", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto body = JsonObjectBody(request, kCreateFields);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto spec = ReadSpec(*body);
               if (!spec.ok()) return respond(ErrorResponse(spec.error()));
               service.Create(std::move(*spec), ActorOf(request),
                              AnswerJson<app::CampaignView>(respond, 201, CampaignJson));
             });
  router.Add("GET", "/v1/campaigns", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto query = QueryParams(request);
               if (!query.ok()) return respond(ErrorResponse(query.error()));
               std::string state = (*query)["state"];
               service.List(state, AnswerJson<std::vector<app::CampaignView>>(
                                       respond, 200, [](const auto& views) {
                                         json::array out;
                                         for (const auto& view : views) {
                                           out.push_back(CampaignJson(view));
                                         }
                                         return json::object{{"campaigns", std::move(out)}};
                                       }));
             });
  router.Add("GET", "/v1/campaigns/{id}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto id = CampaignIdParam(request);
               if (!id.ok()) return respond(ErrorResponse(id.error()));
               service.Get(*id, AnswerJson<app::CampaignView>(respond, 200, CampaignJson));
             });
  RegisterAction(router, service, "start", &app::CampaignService::StartCampaign);
  RegisterAction(router, service, "pause", &app::CampaignService::Pause);
  RegisterAction(router, service, "resume", &app::CampaignService::Resume);
  RegisterAction(router, service, "cancel", &app::CampaignService::Cancel);
  RegisterDeliveries(router, service);
  router.Add("POST", "/v1/campaigns/{id}/resend-uncertain", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto id = CampaignIdParam(request);
               if (!id.ok()) return respond(ErrorResponse(id.error()));
               auto body = JsonObjectBody(request, {"confirm", "reason"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto confirm = OptionalBoolField(*body, "confirm");
               if (!confirm.ok()) return respond(ErrorResponse(confirm.error()));
               auto reason = OptionalStringField(*body, "reason");
               if (!reason.ok()) return respond(ErrorResponse(reason.error()));
               service.ResendUncertain(*id, confirm->value_or(false), ActorOf(request),
                                       reason->value_or(""),
                                       AnswerJson<app::CampaignView>(respond, 200, CampaignJson));
             });
}

}  // namespace herald::http
