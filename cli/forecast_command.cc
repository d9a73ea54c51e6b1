// `herald forecast`: what a campaign will cost before anything is sent (POST /v1/forecasts):
//   forecast --campaign ID
//   forecast --segment EXPR --template NAME[/LANGUAGE] [--at TIME] [--senders N]
//   forecast --segment EXPR --text [--at TIME]
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
  campaign->excludes(segment)->excludes(templ)->excludes(text);
  templ->excludes(text);
  forecast->footer(
      "Examples:\n"
      "  herald forecast --campaign 7\n"
      "  herald forecast --segment 'tag:vip AND country:DE' --template promo/de\n");
  table.Add(forecast, [args](CommandContext& context) -> ExitCode {
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
