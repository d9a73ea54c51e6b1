#include "http/reports_api.h"

#include <boost/json.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "app/report_chart.h"
#include "campaign/pricing.h"
#include "common/csv.h"
#include "http/api_util.h"

namespace herald::http {
namespace {

namespace json = boost::json;
using campaign::FormatMicros;

std::string DayText(std::int64_t day) {
  return campaign::FormatDay(campaign::Day(std::chrono::days(day)));
}

// A ratio rounded to four decimals (0.2513), or null.
json::value RateJson(const std::optional<double>& rate) {
  if (!rate) return nullptr;
  return NumberJson(std::round(*rate * 10000.0) / 10000.0);
}

std::string RateText(const std::optional<double>& rate) {
  if (!rate) return "";
  const double rounded = std::round(*rate * 10000.0) / 10000.0;
  return json::serialize(NumberJson(rounded));
}

json::value MoneyJson(const std::optional<std::int64_t>& micros) {
  if (!micros) return nullptr;
  return json::value(FormatMicros(*micros));
}

json::array CountedJson(const std::vector<app::Counted>& counted, std::string_view key) {
  json::array out;
  for (const app::Counted& entry : counted) {
    out.push_back(json::object{{key, entry.key}, {"count", entry.count}});
  }
  return out;
}

json::object FunnelJson(const app::Funnel& funnel) {
  json::array days;
  for (const app::FunnelDay& day : funnel.days) {
    days.push_back(json::object{{"day", DayText(day.day)},
                                {"sent", day.sent},
                                {"delivered", day.delivered},
                                {"read", day.read},
                                {"replied", day.replied},
                                {"failed", day.failed},
                                {"opted_out", day.opted_out},
                                {"spend", FormatMicros(day.spend_micros)},
                                {"spend_micros", day.spend_micros}});
  }
  const std::string id = std::to_string(funnel.campaign.value);
  return {
      {"campaign", funnel.campaign.value},
      {"currency", funnel.currency},
      {"audience", funnel.audience},
      {"skipped", funnel.skipped},
      {"blocked", funnel.blocked},
      {"cancelled", funnel.cancelled},
      {"expired", funnel.expired},
      {"waiting", funnel.waiting},
      {"uncertain", funnel.uncertain},
      {"sent", funnel.sent},
      {"delivered", funnel.delivered},
      {"read", funnel.read},
      {"replied", funnel.replied},
      {"failed", funnel.failed},
      {"opted_out_after", funnel.opted_out_after},
      {"skipped_by_reason", CountedJson(funnel.skipped_by_reason, "reason")},
      {"blocked_by_reason", CountedJson(funnel.blocked_by_reason, "reason")},
      {"failed_by_error", CountedJson(funnel.failed_by_error, "error")},
      {"rates", json::object{{"delivered", RateJson(funnel.delivery_rate)},
                             {"read", RateJson(funnel.read_rate)},
                             {"replied", RateJson(funnel.reply_rate)},
                             {"opted_out", RateJson(funnel.opt_out_rate)},
                             {"failed", RateJson(funnel.failure_rate)}}},
      {"estimate", FormatMicros(funnel.estimate_micros)},
      {"spend", FormatMicros(funnel.spend_micros)},
      {"spend_micros", funnel.spend_micros},
      {"spend_unknown", funnel.spend_unknown},
      {"cost_per_delivered", MoneyJson(funnel.cost_per_delivered_micros)},
      {"cost_per_read", MoneyJson(funnel.cost_per_read_micros)},
      {"cost_per_reply", MoneyJson(funnel.cost_per_reply_micros)},
      {"days", std::move(days)},
      {"chart", "/v1/campaigns/" + id + "/report/chart.svg"},
  };
}

std::string FunnelCsv(const app::Funnel& funnel) {
  std::string out;
  AppendCsvRow(out, std::vector<std::string>{"day", "sent", "delivered", "read", "replied",
                                             "failed", "opted_out", "spend", "currency"});
  for (const app::FunnelDay& day : funnel.days) {
    AppendCsvRow(
        out, std::vector<std::string>{
                 DayText(day.day), std::to_string(day.sent), std::to_string(day.delivered),
                 std::to_string(day.read), std::to_string(day.replied), std::to_string(day.failed),
                 std::to_string(day.opted_out), FormatMicros(day.spend_micros), funnel.currency});
  }
  return out;
}

json::object CostsJson(const app::CostReport& report) {
  json::array causes;
  for (const app::CostCause& cause : report.causes) {
    causes.push_back(json::object{{"cause", cause.cause},
                                  {"count", cause.count},
                                  {"estimate", FormatMicros(cause.estimate_micros)},
                                  {"actual", FormatMicros(cause.actual_micros)},
                                  {"difference", FormatMicros(cause.difference_micros)},
                                  {"difference_micros", cause.difference_micros},
                                  {"example_delivery", cause.example.value}});
  }
  return {{"campaign", report.campaign.value},
          {"currency", report.currency},
          {"deliveries", report.deliveries},
          {"estimate", FormatMicros(report.estimate_micros)},
          {"estimate_micros", report.estimate_micros},
          {"actual", FormatMicros(report.actual_micros)},
          {"actual_micros", report.actual_micros},
          {"actual_unknown", report.actual_unknown},
          {"difference", FormatMicros(report.actual_micros - report.estimate_micros)},
          {"difference_micros", report.actual_micros - report.estimate_micros},
          {"matched", report.matched},
          {"causes", std::move(causes)}};
}

std::string CostsCsv(const app::CostReport& report) {
  std::string out;
  AppendCsvRow(out, std::vector<std::string>{"cause", "count", "estimate", "actual", "difference",
                                             "currency", "example_delivery"});
  AppendCsvRow(out, std::vector<std::string>{"matched", std::to_string(report.matched), "", "",
                                             "0.00", report.currency, ""});
  for (const app::CostCause& cause : report.causes) {
    AppendCsvRow(out,
                 std::vector<std::string>{
                     cause.cause, std::to_string(cause.count), FormatMicros(cause.estimate_micros),
                     FormatMicros(cause.actual_micros), FormatMicros(cause.difference_micros),
                     report.currency, std::to_string(cause.example.value)});
  }
  return out;
}

json::object MonthRowJson(const app::MonthRow& row) {
  json::object out{{"campaign", row.campaign ? json::value(row.campaign->value) : nullptr},
                   {"name", row.name},
                   {"sent", row.sent},
                   {"delivered", row.delivered},
                   {"read", row.read},
                   {"replied", row.replied},
                   {"failed", row.failed},
                   {"opted_out", row.opted_out},
                   {"reply_rate", RateJson(row.reply_rate)},
                   {"opt_out_rate", RateJson(row.opt_out_rate)},
                   {"spend", FormatMicros(row.spend_micros)},
                   {"spend_micros", row.spend_micros},
                   {"spend_unknown", row.spend_unknown},
                   {"cost_per_reply", MoneyJson(row.cost_per_reply_micros)},
                   {"value", FormatMicros(row.value_micros)},
                   {"net_value", FormatMicros(row.net_value_micros)},
                   {"net_value_micros", row.net_value_micros}};
  return out;
}

json::object MonthlyJson(const app::MonthlyReport& report) {
  json::array campaigns;
  for (const app::MonthRow& row : report.campaigns) campaigns.push_back(MonthRowJson(row));
  return {{"month", report.month},
          {"currency", report.currency},
          {"value_per_reply", FormatMicros(report.value_per_reply_micros)},
          {"total", MonthRowJson(report.total)},
          {"campaigns", std::move(campaigns)}};
}

std::string MonthlyCsv(const app::MonthlyReport& report) {
  std::string out;
  AppendCsvRow(
      out, std::vector<std::string>{"month", "campaign", "name", "sent", "delivered", "read",
                                    "replied", "failed", "opted_out", "reply_rate", "opt_out_rate",
                                    "spend", "cost_per_reply", "value", "net_value", "currency"});
  auto row_of = [&](const app::MonthRow& row, std::string campaign) {
    AppendCsvRow(
        out,
        std::vector<std::string>{
            report.month, std::move(campaign), row.name, std::to_string(row.sent),
            std::to_string(row.delivered), std::to_string(row.read), std::to_string(row.replied),
            std::to_string(row.failed), std::to_string(row.opted_out), RateText(row.reply_rate),
            RateText(row.opt_out_rate), FormatMicros(row.spend_micros),
            row.cost_per_reply_micros ? FormatMicros(*row.cost_per_reply_micros) : "",
            FormatMicros(row.value_micros), FormatMicros(row.net_value_micros), report.currency});
  };
  for (const app::MonthRow& row : report.campaigns) {
    row_of(row, row.campaign ? std::to_string(row.campaign->value) : "");
  }
  row_of(report.total, "total");
  return out;
}

// "json" (the default) or "csv"; anything else is a 400 naming `format`.
Result<bool> WantsCsv(const Request& request) {
  auto query = QueryParams(request);
  if (!query.ok()) return query.error();
  const std::string& format = (*query)["format"];
  if (!format.empty() && format != "json" && format != "csv") {
    return MakeError(ErrorCode::kInvalidArgument, "expected json or csv", "format");
  }
  return format == "csv";
}

Response TextResponse(std::string body, std::string content_type) {
  Response response = JsonResponse(200, std::move(body));
  response.content_type = std::move(content_type);
  return response;
}

// Answers JSON by `to_json`, or CSV by `to_csv` when asked.
template <typename T, typename ToJson, typename ToCsv>
app::Reply<T> Answer(Responder respond, bool csv, ToJson to_json, ToCsv to_csv) {
  return [respond = std::move(respond), csv, to_json, to_csv](Result<T> result) {
    if (!result.ok()) return respond(ErrorResponse(result.error()));
    if (csv) return respond(TextResponse(to_csv(*result), "text/csv; charset=utf-8"));
    respond(JsonBody(200, to_json(*result)));
  };
}

}  // namespace

void RegisterReportsApi(Router& router, app::ReportService& service) {
  router.Add("GET", "/v1/campaigns/{id}/report", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto campaign = CampaignIdParam(request);
               if (!campaign.ok()) return respond(ErrorResponse(campaign.error()));
               auto csv = WantsCsv(request);
               if (!csv.ok()) return respond(ErrorResponse(csv.error()));
               service.CampaignFunnel(
                   *campaign, Answer<app::Funnel>(std::move(respond), *csv, FunnelJson, FunnelCsv));
             });
  router.Add("GET", "/v1/campaigns/{id}/report/chart.svg", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto campaign = CampaignIdParam(request);
               if (!campaign.ok()) return respond(ErrorResponse(campaign.error()));
               service.CampaignFunnel(*campaign, [respond](Result<app::Funnel> funnel) {
                 if (!funnel.ok()) return respond(ErrorResponse(funnel.error()));
                 const std::string title =
                     "Campaign " + std::to_string(funnel->campaign.value) + ": per day";
                 respond(TextResponse(app::FunnelChartSvg(*funnel, title), "image/svg+xml"));
               });
             });
  router.Add("GET", "/v1/campaigns/{id}/costs", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto campaign = CampaignIdParam(request);
               if (!campaign.ok()) return respond(ErrorResponse(campaign.error()));
               auto csv = WantsCsv(request);
               if (!csv.ok()) return respond(ErrorResponse(csv.error()));
               service.Costs(*campaign, Answer<app::CostReport>(std::move(respond), *csv, CostsJson,
                                                                CostsCsv));
             });
  router.Add("GET", "/v1/reports/monthly", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto query = QueryParams(request);
               if (!query.ok()) return respond(ErrorResponse(query.error()));
               auto csv = WantsCsv(request);
               if (!csv.ok()) return respond(ErrorResponse(csv.error()));
               const std::string month = (*query)["month"];
               if (month.empty()) {
                 return respond(
                     JsonError(400, "invalid_argument", "required: a month like 2026-11", "month"));
               }
               service.Monthly(month, Answer<app::MonthlyReport>(std::move(respond), *csv,
                                                                 MonthlyJson, MonthlyCsv));
             });
}

}  // namespace herald::http
