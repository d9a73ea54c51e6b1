// `herald forecast`: what a campaign will cost before anything is sent (POST /v1/forecasts):
//   forecast --campaign ID
//   forecast --segment EXPR --template NAME[/LANGUAGE] [--at TIME] [--senders N]
//   forecast --segment EXPR --text [--at TIME]
//   forecast --month YYYY-MM   (every campaign not finished yet, within the month)
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <memory>
#include <string>

#include "cli/command_util.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

struct ForecastArguments {
  std::int64_t campaign = 0;
  std::string segment;
  std::string template_name;
  bool text = false;
  std::string at;
  int senders = 0;
  std::string month;
};

void PrintForecast(std::ostream& out, const json::value& answer) {
  const std::string currency = JsonString(answer, "currency");
  out << "recipients  " << JsonNumberText(answer, "recipients") << "\n"
      << "eligible    " << JsonNumberText(answer, "eligible") << "\n"
      << "billable    " << JsonNumberText(answer, "billable") << "\n"
      << "total       " << JsonString(answer, "total") << " " << currency << "\n"
      << "category    " << JsonString(answer, "category") << "  (from the "
      << JsonString(answer, "source") << ", at " << JsonString(answer, "at") << ", price table v"
      << JsonNumberText(answer, "price_version") << ")\n";
  if (JsonInteger(answer, "unpriced") > 0) {
    out << "unpriced    " << JsonNumberText(answer, "unpriced")
        << " billable messages have no rate for their market (add it, or an OTHER row)\n";
  }
  const json::value* skipped = JsonField(answer, "skipped");
  if (skipped != nullptr && skipped->is_object() && !skipped->as_object().empty()) {
    out << "not sent to:\n";
    for (const auto& [reason, count] : skipped->as_object()) {
      out << "  " << std::string(reason) << "  " << json::serialize(count) << "\n";
    }
  }
  std::vector<std::vector<std::string>> rows{
      {"COUNTRY", "RECIPIENTS", "ELIGIBLE", "BILLABLE", "COST " + currency}};
  const json::value* countries = JsonField(answer, "by_country");
  if (countries != nullptr && countries->is_array()) {
    for (const json::value& line : countries->as_array()) {
      const std::string country = JsonString(line, "country");
      rows.push_back({country.empty() ? "(unknown)" : country, JsonNumberText(line, "recipients"),
                      JsonNumberText(line, "eligible"), JsonNumberText(line, "billable"),
                      JsonString(line, "cost")});
    }
  }
  out << "\n";
  PrintTable(out, rows);
  const json::value* timeline = JsonField(answer, "timeline");
  if (timeline == nullptr || !timeline->is_object()) return;
  out << "\ntimeline    from " << JsonString(*timeline, "start");
  const std::string finish = JsonString(*timeline, "finish");
  if (!finish.empty()) {
    out << " to " << finish << " (" << JsonNumberText(*timeline, "duration_seconds") << " s)";
  }
  out << "\n";
  const std::string limited = JsonString(*timeline, "limited_by");
  if (!limited.empty()) out << "limited by  " << limited << "\n";
  if (JsonInteger(*timeline, "expired") > 0) {
    out << "expire      " << JsonNumberText(*timeline, "expired") << " (left at end_by)\n";
  }
  if (JsonInteger(*timeline, "unsent") > 0) {
    out << "unsent      " << JsonNumberText(*timeline, "unsent")
        << " (not sent within 35 days, or no active number)\n";
  }
  const json::value* days = JsonField(*timeline, "days");
  if (days != nullptr && days->is_array() && !days->as_array().empty()) {
    std::vector<std::vector<std::string>> per_day{{"DAY (UTC)", "SENT", "SPEND " + currency}};
    for (const json::value& day : days->as_array()) {
      per_day.push_back(
          {JsonString(day, "day"), JsonNumberText(day, "sent"), JsonString(day, "spend")});
    }
    out << "\n";
    PrintTable(out, per_day);
  }
}

void PrintMonthly(std::ostream& out, const json::value& answer) {
  const std::string currency = JsonString(answer, "currency");
  out << "month " << JsonString(answer, "month") << ": " << JsonNumberText(answer, "sent")
      << " messages, " << JsonString(answer, "spend") << " " << currency
      << " (campaigns not finished yet, each forecast on its own numbers)\n\n";
  std::vector<std::vector<std::string>> rows{
      {"CAMPAIGN", "STATE", "SENT", "SPEND " + currency, "FINISH", "EXPIRE"}};
  const json::value* campaigns = JsonField(answer, "campaigns");
  if (campaigns != nullptr && campaigns->is_array()) {
    for (const json::value& line : campaigns->as_array()) {
      const std::string error = JsonString(line, "error");
      const std::string finish = JsonString(line, "finish");
      rows.push_back({"#" + JsonNumberText(line, "campaign") + " " + JsonString(line, "name"),
                      JsonString(line, "state"), JsonNumberText(line, "sent"),
                      JsonString(line, "spend"),
                      !error.empty()   ? "(" + error + ")"
                      : finish.empty() ? "-"
                                       : finish,
                      JsonNumberText(line, "expired")});
    }
  }
  PrintTable(out, rows);
}

}  // namespace

void RegisterForecastCommand(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<ForecastArguments>();
  CLI::App* forecast = app.add_subcommand(
      "forecast", "What a campaign will cost: recipients, eligible, billable, cost per country");
  auto* campaign = forecast->add_option("--campaign", args->campaign, "A campaign's id")
                       ->check(CLI::PositiveNumber);
  auto* segment = forecast->add_option("--segment", args->segment,
                                       "A segment expression or a saved segment's name");
  auto* templ = forecast->add_option("--template", args->template_name, "NAME or NAME/LANGUAGE");
  auto* text = forecast->add_flag("--text", args->text, "Free-form messages (service)");
  forecast->add_option("--at", args->at, "The planned send time (RFC 3339; default now)");
  forecast->add_option("--senders", args->senders, "How many numbers send it (default: active)")
      ->check(CLI::Range(1, 10000));
  auto* month = forecast->add_option(
      "--month", args->month, "Every campaign not finished yet, within a month (YYYY-MM, UTC)");
  campaign->excludes(segment)->excludes(templ)->excludes(text)->excludes(month);
  month->excludes(segment)->excludes(templ)->excludes(text);
  templ->excludes(text);
  forecast->footer(
      "Examples:\n"
      "  herald forecast --campaign 7\n"
      "  herald forecast --segment 'tag:vip AND country:DE' --template promo/de\n"
      "  herald forecast --month 2026-12\n");
  table.Add(forecast, [args](CommandContext& context) -> ExitCode {
    if (!args->month.empty()) {
      const std::string path = "/v1/forecasts/monthly?month=" + PercentEncode(args->month);
      return RunJsonCall(
          context, [&](ApiClient& client) { return client.Get(path); }, &PrintMonthly, "");
    }
    json::object body;
    if (args->campaign > 0) {
      body["campaign"] = args->campaign;
    } else {
      if (args->segment.empty() || (args->template_name.empty() && !args->text)) {
        return UsageError(context,
                          "give --campaign ID, or --segment EXPR with --template NAME[/LANGUAGE] "
                          "or --text");
      }
      body["segment"] = args->segment;
      if (args->text) {
        body["text"] = true;
      } else {
        body["template"] = args->template_name;
      }
    }
    if (!args->at.empty()) body["at"] = args->at;
    if (args->senders > 0) body["senders"] = args->senders;
    const std::string payload = json::serialize(body);
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Post("/v1/forecasts", payload); },
        &PrintForecast, args->segment);
  });
}

}  // namespace herald::cli
