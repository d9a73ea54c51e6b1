// `herald senders`: the business numbers Herald sends from (issue 16, item 1):
//   add ID [--display N] [--portfolio P] [--tier T] [--throughput R] [--quality Q] [--warmup]
//   list | show ID | pause ID [--reason R] | resume ID [--reason R]
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "cli/command_util.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

std::string SenderPath(const std::string& id) { return "/v1/senders/" + PercentEncode(id); }

void PrintSender(std::ostream& out, const json::value& sender) {
  out << "sender      " << JsonString(sender, "phone_number_id") << " ("
      << JsonString(sender, "display_phone_number") << ")\n"
      << "portfolio   " << JsonString(sender, "portfolio") << ", "
      << JsonString(sender, "messaging_limit_tier") << "\n"
      << "state       " << JsonString(sender, "state");
  if (std::string reason = JsonString(sender, "state_reason"); !reason.empty()) {
    out << " (" << reason << ")";
  }
  out << "\nquality     " << JsonString(sender, "quality") << "\nthroughput  "
      << JsonNumberText(sender, "throughput") << " msg/s\n";
  const json::value* pacing = JsonField(sender, "pacing");
  if (pacing != nullptr && pacing->is_object()) {
    out << "pacing      " << JsonNumberText(*pacing, "allowed_per_s") << " of "
        << JsonNumberText(*pacing, "level_per_s") << " msg/s, backlog "
        << JsonNumberText(*pacing, "backlog");
    if (std::string slowed = JsonString(*pacing, "slowed_by"); !slowed.empty()) {
      out << ", slowed by " << slowed;
      if (std::string until = JsonString(*pacing, "slowed_until"); !until.empty()) {
        out << " until " << until;
      }
    }
    out << "\n";
  }
}

struct AddArguments {
  std::string id;
  std::string display;
  std::string portfolio;
  std::string tier;
  std::optional<double> throughput;
  std::string quality;
  bool warmup = false;
};

void AddAdd(CLI::App& senders, CommandTable& table) {
  auto args = std::make_shared<AddArguments>();
  CLI::App* add = senders.add_subcommand("add", "Add a business number Herald may send from");
  add->add_option("PHONE_NUMBER_ID", args->id, "The platform's id of the number")->required();
  add->add_option("--display", args->display, "The number as people see it (+49 30 …)");
  add->add_option("--portfolio", args->portfolio,
                  "The business portfolio it belongs to (made if new; default: default)");
  add->add_option("--tier", args->tier, "The portfolio's messaging limit tier (TIER_2K, …)");
  add->add_option("--throughput", args->throughput, "Messages per second (default 80)");
  add->add_option("--quality", args->quality, "GREEN, YELLOW, RED or UNKNOWN");
  add->add_flag("--warmup", args->warmup, "Start the warm-up ramp of a new number now");
  table.Add(add, [args](CommandContext& context) {
    json::object body{{"phone_number_id", args->id}};
    if (!args->display.empty()) body["display_phone_number"] = args->display;
    if (!args->portfolio.empty()) body["portfolio"] = args->portfolio;
    if (!args->tier.empty()) body["messaging_limit_tier"] = args->tier;
    if (args->throughput) body["throughput"] = *args->throughput;
    if (!args->quality.empty()) body["quality"] = args->quality;
    if (args->warmup) body["warmup"] = true;
    const std::string text = json::serialize(body);
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Post("/v1/senders", text); }, PrintSender);
  });
}

void AddList(CLI::App& senders, CommandTable& table) {
  CLI::App* list = senders.add_subcommand("list", "List the sender numbers");
  table.Add(list, [](CommandContext& context) {
    return RunJsonCall(
        context, [](ApiClient& client) { return client.Get("/v1/senders"); },
        [](std::ostream& out, const json::value& answer) {
          std::vector<std::vector<std::string>> rows{
              {"PHONE_NUMBER_ID", "DISPLAY", "PORTFOLIO", "TIER", "STATE", "QUALITY", "MSG/S"}};
          const json::value* senders = JsonField(answer, "senders");
          if (senders != nullptr && senders->is_array()) {
            for (const json::value& sender : senders->as_array()) {
              rows.push_back(
                  {JsonString(sender, "phone_number_id"),
                   JsonString(sender, "display_phone_number"), JsonString(sender, "portfolio"),
                   JsonString(sender, "messaging_limit_tier"), JsonString(sender, "state"),
                   JsonString(sender, "quality"), JsonNumberText(sender, "throughput")});
            }
          }
          PrintTable(out, rows);
        });
  });
}

void AddShow(CLI::App& senders, CommandTable& table) {
  auto id = std::make_shared<std::string>();
  CLI::App* show = senders.add_subcommand("show", "Show a sender and how it is paced now");
  show->add_option("PHONE_NUMBER_ID", *id, "The platform's id of the number")->required();
  table.Add(show, [id](CommandContext& context) {
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Get(SenderPath(*id)); }, PrintSender);
  });
}

void AddStateChange(CLI::App& senders, CommandTable& table, const char* name,
                    const char* description, const char* state) {
  auto args = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* change = senders.add_subcommand(name, description);
  change->add_option("PHONE_NUMBER_ID", args->first, "The platform's id of the number")->required();
  change->add_option("--reason", args->second, "Why, for the audit log");
  table.Add(change, [args, state](CommandContext& context) {
    json::object body{{"state", state}};
    if (!args->second.empty()) body["reason"] = args->second;
    const std::string text = json::serialize(body);
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Patch(SenderPath(args->first), text); },
        PrintSender);
  });
}

}  // namespace

void RegisterSendersCommands(CLI::App& app, CommandTable& table) {
  CLI::App* senders = app.add_subcommand("senders", "The business numbers Herald sends from");
  senders->require_subcommand(1);
  AddAdd(*senders, table);
  AddList(*senders, table);
  AddShow(*senders, table);
  AddStateChange(*senders, table, "pause", "Stop sending from a number", "paused");
  AddStateChange(*senders, table, "resume", "Send from a paused number again", "active");
}

}  // namespace herald::cli
