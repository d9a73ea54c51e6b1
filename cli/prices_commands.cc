// `herald prices`: the price table and the pricing rules (/v1/prices, /v1/pricing-rules):
//   list [--at DAY] [--version N] [--market M] [--category C]
//   import FILE [--replace]          merge a price CSV into the table, or replace the table
//   export [--version N] [-o FILE]   the table as CSV (the import format)
//   versions                         every import that changed the table
//   quote COUNTRY CATEGORY [--at DAY]
//   rules list | rules set FROM ... | rules delete FROM
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <memory>
#include <string>

#include "cli/command_util.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

void PrintRows(std::ostream& out, const json::value& answer) {
  std::vector<std::vector<std::string>> rows{
      {"MARKET", "CATEGORY", "RATE", "CURRENCY", "FROM", "VERSION", "SOURCE"}};
  const json::value* prices = JsonField(answer, "rows");
  if (prices != nullptr && prices->is_array()) {
    for (const json::value& row : prices->as_array()) {
      std::string market = JsonString(row, "market");
      const std::string members = JsonStringList(row, "members");
      if (!members.empty()) market += " (" + members + ")";
      rows.push_back({market, JsonString(row, "category"), JsonString(row, "rate"),
                      JsonString(row, "currency"), JsonString(row, "effective_from"),
                      JsonNumberText(row, "version"), JsonString(row, "source")});
    }
  }
  PrintTable(out, rows);
}

void PrintVersion(std::ostream& out, const json::value& answer) {
  if (!JsonBool(answer, "changed")) {
    out << "no change: the table already holds these prices (version "
        << JsonNumberText(answer, "version") << ", " << JsonNumberText(answer, "rows")
        << " rows)\n";
    return;
  }
  out << "version " << JsonNumberText(answer, "version") << ": " << JsonNumberText(answer, "added")
      << " added, " << JsonNumberText(answer, "replaced") << " replaced, "
      << JsonNumberText(answer, "retired") << " retired; " << JsonNumberText(answer, "rows")
      << " rows in the table\n";
}

void AddList(CLI::App& prices, CommandTable& table) {
  struct Arguments {
    std::string at, market, category;
    std::int64_t version = 0;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* list = prices.add_subcommand("list", "List the price table");
  list->add_option("--at", args->at, "Only the rates in force on this day (YYYY-MM-DD)");
  list->add_option("--version", args->version, "The table as it was at this version")
      ->check(CLI::PositiveNumber);
  list->add_option("--market", args->market, "Only this market (DE, OTHER, a group's name)");
  list->add_option("--category", args->category, "Only this category (marketing, utility, …)");
  table.Add(list, [args](CommandContext& context) {
    std::string path = "/v1/prices?";
    if (!args->at.empty()) path += "at=" + PercentEncode(args->at) + "&";
    if (args->version > 0) path += "version=" + std::to_string(args->version) + "&";
    if (!args->market.empty()) path += "market=" + PercentEncode(args->market) + "&";
    if (!args->category.empty()) path += "category=" + PercentEncode(args->category) + "&";
    path.pop_back();
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Get(path); }, &PrintRows);
  });
}

void AddImportExport(CLI::App& prices, CommandTable& table) {
  struct ImportArguments {
    std::string file;
    bool replace = false;
  };
  auto import_args = std::make_shared<ImportArguments>();
  CLI::App* import = prices.add_subcommand(
      "import", "Merge a price CSV (market,category,rate_usd,effective_from,…) into the table");
  import->add_option("FILE", import_args->file, "The CSV file")->required();
  import->add_flag("--replace", import_args->replace,
                   "Make the table exactly the file (rows it lacks are retired)");
  table.Add(import, [import_args](CommandContext& context) -> ExitCode {
    Result<ApiClient> client = context.AuthenticatedClient();
    if (!client.ok()) return context.Fail(client.error());
    // The daemon names the file by `source` in its errors: the path as the user gave it.
    const std::string path = std::string("/v1/prices/import?mode=") +
                             (import_args->replace ? "replace" : "merge") +
                             "&source=" + PercentEncode(import_args->file);
    Result<ApiResponse> response = client->PostFile(path, import_args->file, "text/csv");
    if (!response.ok()) return FailListingLines(context, response.error());
    Result<json::value> answer = JsonObjectOf(*response);
    if (!answer.ok()) return context.Fail(answer.error());
    if (context.json()) {
      PrintJson(context.out(), *answer);
    } else {
      PrintVersion(context.out(), *answer);
    }
    return ExitCode::kOk;
  });

  struct ExportArguments {
    std::int64_t version = 0;
    std::string output;
  };
  auto export_args = std::make_shared<ExportArguments>();
  CLI::App* export_command =
      prices.add_subcommand("export", "Write the price table as CSV (the import format)");
  export_command->add_option("--version", export_args->version, "As it was at this version")
      ->check(CLI::PositiveNumber);
  export_command->add_option("-o,--output", export_args->output, "Write to FILE, not stdout")
      ->type_name("FILE");
  table.Add(export_command, [export_args](CommandContext& context) -> ExitCode {
    Result<ApiClient> client = context.AuthenticatedClient();
    if (!client.ok()) return context.Fail(client.error());
    std::string path = "/v1/prices?format=csv";
    if (export_args->version > 0) path += "&version=" + std::to_string(export_args->version);
    Result<ApiResponse> csv = client->Get(path);
    if (!csv.ok()) return context.Fail(csv.error());
    if (export_args->output.empty()) {
      context.out() << csv->body << std::flush;
      return ExitCode::kOk;
    }
    if (Status written = WriteFile(export_args->output, csv->body); !written.ok()) {
      return context.Fail(written.error());
    }
    return ExitCode::kOk;
  });
}

void AddVersionsAndQuote(CLI::App& prices, CommandTable& table) {
  CLI::App* versions =
      prices.add_subcommand("versions", "List every import that changed the table");
  table.Add(versions, [](CommandContext& context) {
    return RunJsonCall(
        context, [](ApiClient& client) { return client.Get("/v1/prices/versions"); },
        [](std::ostream& out, const json::value& answer) {
          std::vector<std::vector<std::string>> rows{{"VERSION", "CREATED", "ACTOR", "MODE",
                                                      "ADDED", "REPLACED", "RETIRED", "ROWS",
                                                      "SOURCE"}};
          const json::value* list = JsonField(answer, "versions");
          if (list != nullptr && list->is_array()) {
            for (const json::value& v : list->as_array()) {
              rows.push_back({JsonNumberText(v, "version"), JsonString(v, "created_at"),
                              JsonString(v, "actor"), JsonString(v, "mode"),
                              JsonNumberText(v, "added"), JsonNumberText(v, "replaced"),
                              JsonNumberText(v, "retired"), JsonNumberText(v, "rows"),
                              JsonString(v, "source")});
            }
          }
          PrintTable(out, rows);
        });
  });

  struct QuoteArguments {
    std::string country, category, at;
  };
  auto args = std::make_shared<QuoteArguments>();
  CLI::App* quote = prices.add_subcommand(
      "quote", "The rate in force for a recipient's country and a category, and whose it is");
  quote->add_option("COUNTRY", args->country, "Two-letter country code (DE)")->required();
  quote->add_option("CATEGORY", args->category, "marketing, utility, authentication, …")
      ->required();
  quote->add_option("--at", args->at, "On this day (YYYY-MM-DD; default today)");
  table.Add(quote, [args](CommandContext& context) {
    std::string path = "/v1/prices/quote?country=" + PercentEncode(args->country) +
                       "&category=" + PercentEncode(args->category);
    if (!args->at.empty()) path += "&at=" + PercentEncode(args->at);
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Get(path); },
        [](std::ostream& out, const json::value& answer) {
          const json::value* rate = JsonField(answer, "rate");
          if (rate == nullptr || !rate->is_string()) {
            out << "no rate covers " << JsonString(answer, "country") << " "
                << JsonString(answer, "category") << " on " << JsonString(answer, "at")
                << ": add a row for it or for OTHER\n";
            return;
          }
          out << JsonString(answer, "country") << " " << JsonString(answer, "category") << " on "
              << JsonString(answer, "at") << ": " << JsonString(answer, "rate") << " "
              << JsonString(answer, "currency") << " (market " << JsonString(answer, "market")
              << ", from " << JsonString(answer, "effective_from") << ")\n";
        });
  });
}

void PrintRules(std::ostream& out, const json::value& answer) {
  std::vector<std::vector<std::string>> rows{{"FROM", "UTILITY FREE IN WINDOW", "SERVICE FREE",
                                              "FREE SERVICE/NUMBER/MONTH", "SERVICE BILLED AS",
                                              "ENTRY POINT FREE", "SOURCE"}};
  const json::value* rules = JsonField(answer, "rules");
  if (rules != nullptr && rules->is_array()) {
    for (const json::value& r : rules->as_array()) {
      auto yes = [&](std::string_view key) { return JsonBool(r, key) ? "yes" : "no"; };
      rows.push_back({JsonString(r, "effective_from"), yes("utility_free_in_window"),
                      yes("service_free"), JsonNumberText(r, "free_service_per_number_month"),
                      JsonString(r, "service_rate_category"), yes("entry_point_free"),
                      JsonString(r, "source")});
    }
  }
  PrintTable(out, rows);
}

void AddRules(CLI::App& prices, CommandTable& table) {
  CLI::App* rules = prices.add_subcommand("rules", "The pricing rules: which messages are free");
  rules->require_subcommand(1);
  CLI::App* list = rules->add_subcommand("list", "List the policy versions");
  table.Add(list, [](CommandContext& context) {
    return RunJsonCall(
        context, [](ApiClient& client) { return client.Get("/v1/pricing-rules"); }, &PrintRules);
  });

  struct SetArguments {
    std::string from, service_rate_category = "utility", source, reason;
    bool utility_free_in_window = false, service_free = false, entry_point_free = true;
    std::int64_t free_service = 0;
  };
  auto args = std::make_shared<SetArguments>();
  CLI::App* set = rules->add_subcommand("set", "Add or replace the policy version from a day");
  set->add_option("FROM", args->from, "The day it applies from (YYYY-MM-DD)")->required();
  set->add_option("--utility-free-in-window", args->utility_free_in_window,
                  "A utility template inside an open window is free (true/false)")
      ->required();
  set->add_option("--service-free", args->service_free, "Every service message is free")
      ->required();
  set->add_option("--free-service-per-number-month", args->free_service,
                  "Free service messages per number and month when not all are free")
      ->check(CLI::NonNegativeNumber);
  set->add_option("--service-rate-category", args->service_rate_category,
                  "The rate service messages are billed at (default utility)");
  set->add_option("--entry-point-free", args->entry_point_free,
                  "Messages inside a free entry point window are free (default true)");
  set->add_option("--source", args->source, "Where the rule comes from");
  set->add_option("--reason", args->reason, "Why (recorded in the audit log)");
  table.Add(set, [args](CommandContext& context) {
    const json::object body{{"utility_free_in_window", args->utility_free_in_window},
                            {"service_free", args->service_free},
                            {"free_service_per_number_month", args->free_service},
                            {"service_rate_category", args->service_rate_category},
                            {"entry_point_free", args->entry_point_free},
                            {"source", args->source},
                            {"reason", args->reason}};
    const std::string path = "/v1/pricing-rules/" + PercentEncode(args->from);
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Put(path, json::serialize(body)); },
        [](std::ostream& out, const json::value& answer) {
          out << "pricing rules from " << JsonString(answer, "effective_from") << " saved\n";
        });
  });

  struct DeleteArguments {
    std::string from, reason;
  };
  auto remove_args = std::make_shared<DeleteArguments>();
  CLI::App* remove = rules->add_subcommand("delete", "Delete the policy version from a day");
  remove->add_option("FROM", remove_args->from, "Its day (YYYY-MM-DD)")->required();
  remove->add_option("--reason", remove_args->reason, "Why (recorded in the audit log)");
  table.Add(remove, [remove_args](CommandContext& context) {
    const std::string path = "/v1/pricing-rules/" + PercentEncode(remove_args->from) +
                             "?reason=" + PercentEncode(remove_args->reason);
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Delete(path); },
        [&](std::ostream& out, const json::value&) {
          out << "pricing rules from " << remove_args->from << " deleted\n";
        });
  });
}

}  // namespace

void RegisterPricesCommands(CLI::App& app, CommandTable& table) {
  CLI::App* prices = app.add_subcommand("prices", "The price table and the pricing rules");
  prices->require_subcommand(1);
  AddList(*prices, table);
  AddImportExport(*prices, table);
  AddVersionsAndQuote(*prices, table);
  AddRules(*prices, table);
}

}  // namespace herald::cli
