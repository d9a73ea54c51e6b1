// `herald report`: the reports of issue 18 as readable tables, or CSV (docs/finance.md):
//   report campaign ID [--csv] [--chart FILE] [-o FILE]   the funnel, rates, costs and days
//   report costs ID [--csv] [-o FILE]                     estimate vs actual, by cause
//   report month YYYY-MM [--csv] [-o FILE]                the monthly summary, value and net value
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <memory>
#include <string>

#include "cli/command_util.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

// A ratio field (0.2513) as a percentage ("25.13 %"), "-" when null.
std::string Percent(const json::value& object, std::string_view key) {
  const json::value* value = JsonField(object, key);
  if (value == nullptr || !value->is_number()) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f %%", value->to_number<double>() * 100.0);
  return text;
}

std::string Money(const json::value& object, std::string_view key, const std::string& currency) {
  const json::value* value = JsonField(object, key);
  if (value == nullptr || !value->is_string()) return "-";
  return std::string(value->as_string()) + " " + currency;
}

void PrintCounted(std::ostream& out, const json::value& answer, std::string_view field,
                  std::string_view key, std::string_view title) {
  const json::value* list = JsonField(answer, field);
  if (list == nullptr || !list->is_array() || list->as_array().empty()) return;
  out << title << ":\n";
  for (const json::value& entry : list->as_array()) {
    out << "  " << JsonString(entry, key) << "  " << JsonNumberText(entry, "count") << "\n";
  }
}

void PrintFunnel(std::ostream& out, const json::value& answer) {
  const std::string currency = JsonString(answer, "currency");
  const json::value* rates = JsonField(answer, "rates");
  const json::value none;
  const json::value& rate = rates != nullptr ? *rates : none;
  std::vector<std::vector<std::string>> funnel{
      {"STAGE", "COUNT", "RATE"},
      {"audience", JsonNumberText(answer, "audience"), ""},
      {"skipped", JsonNumberText(answer, "skipped"), ""},
      {"blocked", JsonNumberText(answer, "blocked"), ""},
      {"waiting", JsonNumberText(answer, "waiting"), ""},
      {"expired", JsonNumberText(answer, "expired"), ""},
      {"cancelled", JsonNumberText(answer, "cancelled"), ""},
      {"uncertain", JsonNumberText(answer, "uncertain"), ""},
      {"sent", JsonNumberText(answer, "sent"), ""},
      {"delivered", JsonNumberText(answer, "delivered"), Percent(rate, "delivered") + " of sent"},
      {"read", JsonNumberText(answer, "read"), Percent(rate, "read") + " of delivered"},
      {"replied", JsonNumberText(answer, "replied"), Percent(rate, "replied") + " of delivered"},
      {"failed", JsonNumberText(answer, "failed"), Percent(rate, "failed") + " of sent"},
      {"opted out after", JsonNumberText(answer, "opted_out_after"),
       Percent(rate, "opted_out") + " of delivered"},
  };
  out << "campaign " << JsonNumberText(answer, "campaign") << "\n\n";
  PrintTable(out, funnel);
  out << "\n";
  PrintCounted(out, answer, "skipped_by_reason", "reason", "skipped by reason");
  PrintCounted(out, answer, "blocked_by_reason", "reason", "blocked by reason");
  PrintCounted(out, answer, "failed_by_error", "error", "failed by error");
  out << "spend               " << Money(answer, "spend", currency);
  if (JsonInteger(answer, "spend_unknown") > 0) {
    out << "  (+ " << JsonNumberText(answer, "spend_unknown")
        << " delivered messages whose cost is not reported yet)";
  }
  out << "\nestimate            " << Money(answer, "estimate", currency) << "\n"
      << "cost per delivered  " << Money(answer, "cost_per_delivered", currency) << "\n"
      << "cost per read       " << Money(answer, "cost_per_read", currency) << "\n"
      << "cost per reply      " << Money(answer, "cost_per_reply", currency) << "\n";
  const json::value* days = JsonField(answer, "days");
  if (days != nullptr && days->is_array() && !days->as_array().empty()) {
    std::vector<std::vector<std::string>> rows{{"DAY (UTC)", "SENT", "DELIVERED", "READ", "REPLIED",
                                                "FAILED", "OPTED OUT", "SPEND " + currency}};
    for (const json::value& day : days->as_array()) {
      rows.push_back({JsonString(day, "day"), JsonNumberText(day, "sent"),
                      JsonNumberText(day, "delivered"), JsonNumberText(day, "read"),
                      JsonNumberText(day, "replied"), JsonNumberText(day, "failed"),
                      JsonNumberText(day, "opted_out"), JsonString(day, "spend")});
    }
    out << "\n";
    PrintTable(out, rows);
  }
  out << "\nchart: " << JsonString(answer, "chart")
      << " (herald report campaign ID --chart FILE)\n";
}

// What each cause means, for a reader who did not write the code.
std::string_view Explain(std::string_view cause) {
  if (cause == "not_delivered") return "failed or never sent: not billed";
  if (cause == "pending") return "not delivered yet: not billed so far";
  if (cause == "awaiting_pricing") return "delivered; no status reported its pricing yet";
  if (cause == "window_opened") return "the user had written: free in the service window";
  if (cause == "free_entry_point") return "free entry point window (ad or page button)";
  if (cause == "window_closed") return "counted free in a window that had closed";
  if (cause == "allowance_used") return "the monthly free service allowance was used up";
  if (cause == "rule_change") return "the pricing rules of the day sent bill it";
  if (cause == "category_changed") return "billed in another category than estimated";
  if (cause == "price_change") return "another rate in force when it was sent";
  if (cause == "unpriced") return "billed; no rate for its market and category";
  if (cause == "no_estimate") return "billed; it had no estimate";
  return "the platform's pricing says something this version does not know";
}

void PrintCosts(std::ostream& out, const json::value& answer) {
  const std::string currency = JsonString(answer, "currency");
  out << "campaign    " << JsonNumberText(answer, "campaign") << "\n"
      << "estimate    " << Money(answer, "estimate", currency) << "\n"
      << "actual      " << Money(answer, "actual", currency) << "\n"
      << "difference  " << Money(answer, "difference", currency) << "\n"
      << "matched     " << JsonNumberText(answer, "matched") << " of "
      << JsonNumberText(answer, "deliveries") << " deliveries cost what was estimated\n";
  const json::value* causes = JsonField(answer, "causes");
  if (causes == nullptr || !causes->is_array() || causes->as_array().empty()) return;
  std::vector<std::vector<std::string>> rows{
      {"CAUSE", "COUNT", "ESTIMATE", "ACTUAL", "DIFFERENCE", "EXAMPLE", "MEANING"}};
  for (const json::value& cause : causes->as_array()) {
    const std::string name = JsonString(cause, "cause");
    rows.push_back({name, JsonNumberText(cause, "count"), JsonString(cause, "estimate"),
                    JsonString(cause, "actual"), JsonString(cause, "difference"),
                    "#" + JsonNumberText(cause, "example_delivery"), std::string(Explain(name))});
  }
  out << "\n";
  PrintTable(out, rows);
}

void PrintMonth(std::ostream& out, const json::value& answer) {
  const std::string currency = JsonString(answer, "currency");
  out << "month " << JsonString(answer, "month") << ", a reply valued at "
      << JsonString(answer, "value_per_reply") << " " << currency << "\n\n";
  std::vector<std::vector<std::string>> rows{{"CAMPAIGN", "SENT", "DELIVERED", "REPLIED",
                                              "REPLY RATE", "OPT-OUT RATE", "SPEND", "COST/REPLY",
                                              "VALUE", "NET"}};
  const auto add = [&rows](const json::value& row, const std::string& name) {
    rows.push_back(
        {name, JsonNumberText(row, "sent"), JsonNumberText(row, "delivered"),
         JsonNumberText(row, "replied"), Percent(row, "reply_rate"), Percent(row, "opt_out_rate"),
         JsonString(row, "spend"),
         JsonField(row, "cost_per_reply") && JsonField(row, "cost_per_reply")->is_string()
             ? JsonString(row, "cost_per_reply")
             : "-",
         JsonString(row, "value"), JsonString(row, "net_value")});
  };
  const json::value* campaigns = JsonField(answer, "campaigns");
  if (campaigns != nullptr && campaigns->is_array()) {
    for (const json::value& row : campaigns->as_array()) {
      const json::value* id = JsonField(row, "campaign");
      const std::string name = JsonString(row, "name");
      add(row, id != nullptr && id->is_int64() ? "#" + std::to_string(id->as_int64()) + " " + name
                                               : name);
    }
  }
  if (const json::value* total = JsonField(answer, "total")) add(*total, "total");
  PrintTable(out, rows);
  out << "\n(money in " << currency << ")\n";
}

struct ReportArguments {
  std::int64_t campaign = 0;
  std::string month;
  bool csv = false;
  std::string output;
  std::string chart;
};

// GETs `path` (CSV when asked) and prints it: the raw CSV, or the JSON through `print`; to
// --output when given.
ExitCode Report(CommandContext& context, const ReportArguments& args, const std::string& path,
                const HumanPrinter& print) {
  if (!args.csv && args.output.empty()) {
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Get(path); }, print, "");
  }
  Result<ApiClient> client = context.AuthenticatedClient();
  if (!client.ok()) return context.Fail(client.error());
  const char separator = path.find('?') == std::string::npos ? '?' : '&';
  Result<ApiResponse> response = client->Get(args.csv ? path + separator + "format=csv" : path);
  if (!response.ok()) return context.Fail(response.error());
  if (args.output.empty()) {
    context.out() << response->body << std::flush;
    return ExitCode::kOk;
  }
  if (Status written = WriteFile(args.output, response->body); !written.ok()) {
    return context.Fail(written.error());
  }
  return ExitCode::kOk;
}

void AddOutputOptions(CLI::App& command, ReportArguments& args) {
  command.add_flag("--csv", args.csv, "CSV instead of tables");
  command.add_option("-o,--output", args.output, "Write to FILE, not stdout")->type_name("FILE");
}

}  // namespace

void RegisterReportCommands(CLI::App& app, CommandTable& table) {
  CLI::App* report = app.add_subcommand("report", "Funnel, costs and monthly reports");
  report->require_subcommand(1);

  auto campaign_args = std::make_shared<ReportArguments>();
  CLI::App* campaign = report->add_subcommand(
      "campaign", "A campaign's funnel: counts, rates, failures, costs, per day");
  campaign->add_option("ID", campaign_args->campaign, "The campaign's id")
      ->required()
      ->check(CLI::PositiveNumber);
  AddOutputOptions(*campaign, *campaign_args);
  campaign->add_option("--chart", campaign_args->chart, "Also write the per-day chart (SVG)")
      ->type_name("FILE");
  campaign->footer(
      "Examples:\n  herald report campaign 7\n  herald report campaign 7 --csv -o days.csv\n"
      "  herald report campaign 7 --chart days.svg\n");
  table.Add(campaign, [campaign_args](CommandContext& context) -> ExitCode {
    const std::string path = "/v1/campaigns/" + std::to_string(campaign_args->campaign);
    if (!campaign_args->chart.empty()) {
      Result<ApiClient> client = context.AuthenticatedClient();
      if (!client.ok()) return context.Fail(client.error());
      Result<ApiResponse> svg = client->Get(path + "/report/chart.svg");
      if (!svg.ok()) return context.Fail(svg.error());
      if (Status written = WriteFile(campaign_args->chart, svg->body); !written.ok()) {
        return context.Fail(written.error());
      }
    }
    return Report(context, *campaign_args, path + "/report", &PrintFunnel);
  });

  auto costs_args = std::make_shared<ReportArguments>();
  CLI::App* costs = report->add_subcommand(
      "costs", "A campaign's estimate against its actual cost, every difference by cause");
  costs->add_option("ID", costs_args->campaign, "The campaign's id")
      ->required()
      ->check(CLI::PositiveNumber);
  AddOutputOptions(*costs, *costs_args);
  table.Add(costs, [costs_args](CommandContext& context) -> ExitCode {
    return Report(context, *costs_args,
                  "/v1/campaigns/" + std::to_string(costs_args->campaign) + "/costs", &PrintCosts);
  });

  auto month_args = std::make_shared<ReportArguments>();
  CLI::App* month =
      report->add_subcommand("month", "A month of sending: replies, opt-outs, spend, net value");
  month->add_option("MONTH", month_args->month, "YYYY-MM (UTC)")->required();
  AddOutputOptions(*month, *month_args);
  month->footer("Example:\n  herald report month 2026-11\n");
  table.Add(month, [month_args](CommandContext& context) -> ExitCode {
    return Report(context, *month_args,
                  "/v1/reports/monthly?month=" + PercentEncode(month_args->month), &PrintMonth);
  });
}

}  // namespace herald::cli
