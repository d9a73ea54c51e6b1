#include "http/forecasts_api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "http/api_util.h"

namespace herald::http {
namespace {

namespace json = boost::json;

json::object LineJson(const campaign::ForecastLine& line) {
  return {{"recipients", line.recipients},
          {"eligible", line.eligible},
          {"billable", line.billable},
          {"unpriced", line.unpriced},
          {"cost", campaign::FormatMicros(line.cost_micros)},
          {"cost_micros", line.cost_micros}};
}

// Lines by cost, the dearest first (then by name).
json::array LinesJson(const std::map<std::string, campaign::ForecastLine>& lines,
                      std::string_view key) {
  std::vector<std::pair<std::string, campaign::ForecastLine>> sorted(lines.begin(), lines.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.cost_micros > b.second.cost_micros;
  });
  json::array out;
  for (const auto& [name, line] : sorted) {
    json::object item = LineJson(line);
    item.emplace(key, name);
    out.push_back(std::move(item));
  }
  return out;
}

json::object TimelineJson(const app::ForecastResult& result) {
  const campaign::Timeline& timeline = result.timeline;
  json::array days;
  for (const campaign::TimelineDay& day : timeline.days) {
    days.push_back(json::object{{"day", campaign::FormatDay(day.day)},
                                {"sent", day.sent},
                                {"spend", campaign::FormatMicros(day.spend_micros)},
                                {"spend_micros", day.spend_micros}});
  }
  json::object out{{"start", TimeJson(result.timeline_start)},
                   {"first_send", nullptr},
                   {"finish", nullptr},
                   {"duration_seconds", nullptr},
                   {"sent", timeline.sent},
                   {"expired", timeline.expired},
                   {"unsent", timeline.unsent},
                   {"limited_by", timeline.limited_by},
                   {"days", std::move(days)}};
  if (timeline.first_send) out["first_send"] = TimeJson(*timeline.first_send);
  if (timeline.finish) {
    out["finish"] = TimeJson(*timeline.finish);
    out["duration_seconds"] =
        NumberJson(std::chrono::duration<double>(*timeline.finish - result.timeline_start).count());
  }
  return out;
}

json::object ResultJson(const app::ForecastResult& result) {
  const campaign::Forecast& forecast = result.forecast;
  json::object skipped;
  for (const auto& [reason, count] : forecast.skipped) skipped[reason] = count;
  json::object by_basis;
  for (const auto& [basis, count] : forecast.by_basis) by_basis[basis] = count;
  return {{"source", result.source},
          {"category", result.category},
          {"at", TimeJson(result.at)},
          {"price_version", result.price_version},
          {"currency", forecast.currency},
          {"recipients", forecast.total.recipients},
          {"eligible", forecast.total.eligible},
          {"billable", forecast.total.billable},
          {"unpriced", forecast.total.unpriced},
          {"total", campaign::FormatMicros(forecast.total.cost_micros)},
          {"total_micros", forecast.total.cost_micros},
          {"by_country", LinesJson(forecast.by_country, "country")},
          {"by_category", LinesJson(forecast.by_category, "category")},
          {"skipped", std::move(skipped)},
          {"by_basis", std::move(by_basis)},
          {"timeline", TimelineJson(result)}};
}

// "promo/de", "promo", or {"name": "promo", "language": "de"}.
Status ReadTemplate(const json::value& value, app::CampaignContent& content) {
  if (value.is_string()) {
    const std::string_view text = value.as_string();
    const std::size_t slash = text.find('/');
    content.template_name = std::string(text.substr(0, slash));
    if (slash != std::string_view::npos)
      content.template_language = std::string(text.substr(slash + 1));
  } else if (value.is_object()) {
    const json::value* name = value.as_object().if_contains("name");
    const json::value* language = value.as_object().if_contains("language");
    if (name != nullptr && name->is_string())
      content.template_name = std::string(name->as_string());
    if (language != nullptr && language->is_string()) {
      content.template_language = std::string(language->as_string());
    }
  }
  if (content.template_name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected \"NAME\", \"NAME/LANGUAGE\" or {\"name\", \"language\"}",
                     "template");
  }
  return Status::Ok();
}

Result<app::ForecastRequest> RequestFromBody(const json::object& body) {
  app::ForecastRequest request;
  if (const json::value* campaign = body.if_contains("campaign")) {
    if (!campaign->is_int64() || campaign->as_int64() < 1) {
      return MakeError(ErrorCode::kInvalidArgument, "expected a campaign id", "campaign");
    }
    if (body.contains("segment") || body.contains("template") || body.contains("text")) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "give a campaign, or a segment and a template, not both", "campaign");
    }
    request.campaign = CampaignId{campaign->as_int64()};
  } else {
    auto segment = OptionalStringField(body, "segment");
    if (!segment.ok()) return segment.error();
    if (!*segment || (*segment)->empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "required (with template or text), unless campaign is given", "segment");
    }
    request.segment = **segment;
    auto text = OptionalBoolField(body, "text");
    if (!text.ok()) return text.error();
    const json::value* template_value = body.if_contains("template");
    if ((template_value != nullptr) == (text->value_or(false))) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "give a template, or \"text\": true for free-form messages", "template");
    }
    if (template_value != nullptr) {
      if (Status read = ReadTemplate(*template_value, request.content); !read.ok()) {
        return read.error();
      }
    } else {
      request.content.is_template = false;
    }
  }
  auto at = OptionalTimeField(body, "at");
  if (!at.ok()) return at.error();
  request.at = *at;
  auto senders = OptionalNumberField(body, "senders");
  if (!senders.ok()) return senders.error();
  if (*senders) {
    if (**senders < 1 || **senders > 10000) {
      return MakeError(ErrorCode::kInvalidArgument, "expected 1 to 10,000", "senders");
    }
    request.senders = static_cast<std::size_t>(**senders);
  }
  return request;
}

json::object MonthlyJson(const app::MonthlyForecast& monthly) {
  json::array campaigns;
  for (const app::MonthlyForecastCampaign& line : monthly.campaigns) {
    json::object item{{"campaign", line.campaign.value},
                      {"name", line.name},
                      {"state", line.state},
                      {"sent", line.sent},
                      {"spend", campaign::FormatMicros(line.spend_micros)},
                      {"spend_micros", line.spend_micros},
                      {"finish", nullptr},
                      {"expired", line.expired}};
    if (line.finish) item["finish"] = TimeJson(*line.finish);
    if (!line.error.empty()) item["error"] = line.error;
    campaigns.push_back(std::move(item));
  }
  json::array days;
  for (const campaign::TimelineDay& day : monthly.days) {
    days.push_back(json::object{{"day", campaign::FormatDay(day.day)},
                                {"sent", day.sent},
                                {"spend", campaign::FormatMicros(day.spend_micros)},
                                {"spend_micros", day.spend_micros}});
  }
  return {{"month", monthly.month},
          {"currency", monthly.currency},
          {"sent", monthly.sent},
          {"spend", campaign::FormatMicros(monthly.spend_micros)},
          {"spend_micros", monthly.spend_micros},
          {"campaigns", std::move(campaigns)},
          {"days", std::move(days)}};
}

}  // namespace

void RegisterForecastsApi(Router& router, app::ForecastService& service) {
  router.Add("GET", "/v1/forecasts/monthly", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto query = QueryParams(request);
               if (!query.ok()) return respond(ErrorResponse(query.error()));
               const std::string month = (*query)["month"];
               if (month.empty()) {
                 return respond(
                     JsonError(400, "invalid_argument", "required: a month like 2026-12", "month"));
               }
               service.Monthly(month, AnswerJson<app::MonthlyForecast>(respond, 200, MonthlyJson));
             });
  router.Add("POST", "/v1/forecasts", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto body = JsonObjectBody(
                   request, {"campaign", "segment", "template", "text", "at", "senders"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto forecast = RequestFromBody(*body);
               if (!forecast.ok()) return respond(ErrorResponse(forecast.error()));
               service.Forecast(std::move(*forecast),
                                AnswerJson<app::ForecastResult>(respond, 200, ResultJson));
             });
}

}  // namespace herald::http
