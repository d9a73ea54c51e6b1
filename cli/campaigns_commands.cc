// `herald campaigns`: create, list, show, start, pause, resume, cancel, watch, deliveries and
// resend-uncertain (issue 16, item 2); `herald messages check|send`: one message through the gate
// (item 7).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/command_util.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

std::string CampaignPath(const std::string& id) { return "/v1/campaigns/" + PercentEncode(id); }

bool IsFinal(std::string_view state) {
  return state == "completed" || state == "cancelled" || state == "expired";
}

// "sent 120, queued 30, skipped 2": the states that have deliveries, in the API's order.
std::string Counts(const json::value& campaign) {
  const json::value* deliveries = JsonField(campaign, "deliveries");
  std::string out;
  if (deliveries == nullptr || !deliveries->is_object()) return out;
  for (const auto& [state, count] : deliveries->as_object()) {
    if (state == "total" || !count.is_int64() || count.as_int64() == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::string(state) + " " + std::to_string(count.as_int64());
  }
  return out.empty() ? "none yet" : out;
}

std::int64_t Count(const json::value& campaign, std::string_view state) {
  const json::value* deliveries = JsonField(campaign, "deliveries");
  return deliveries != nullptr ? JsonInteger(*deliveries, state) : 0;
}

void PrintCampaign(std::ostream& out, const json::value& campaign) {
  out << "campaign    " << JsonNumberText(campaign, "id") << " " << JsonString(campaign, "name")
      << "\n"
      << "state       " << JsonString(campaign, "state");
  if (std::string reason = JsonString(campaign, "state_reason"); !reason.empty()) {
    out << " (" << reason << ")";
  }
  out << "\nsegment     " << JsonString(campaign, "segment") << "\n";
  if (const json::value* audience = JsonField(campaign, "audience")) {
    out << "audience    " << JsonNumberText(*audience, "size")
        << (JsonBool(*audience, "complete") ? "" : " (being written)") << "\n";
  }
  out << "deliveries  " << Counts(campaign) << "\n";
  if (const json::value* rate = JsonField(campaign, "rate")) {
    out << "rate        " << JsonNumberText(*rate, "current") << " msg/s (allowed "
        << JsonNumberText(*rate, "allowed") << ")\n";
  }
  if (std::string eta = JsonString(campaign, "eta"); !eta.empty()) {
    out << "eta         " << eta << "\n";
  }
}

struct CreateArguments {
  std::string name, segment, template_name, language, text, purpose, start_at, timezone, local_time,
      end_by, currency;
  std::vector<std::string> params, named_params, header_params, senders;
  std::optional<double> spend_cap;
  bool start = false;
};

Result<json::object> ContentOf(const CreateArguments& args) {
  json::object body;
  if (!args.text.empty()) {
    body["text"] = args.text;
  } else {
    json::object spec{{"name", args.template_name}};
    if (!args.language.empty()) spec["language"] = args.language;
    json::object parameters;
    if (!args.named_params.empty()) {
      json::object named;
      for (const std::string& pair : args.named_params) {
        const std::size_t equals = pair.find('=');
        if (equals == std::string::npos || equals == 0) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "--named-param takes NAME=VALUE, got \"" + pair + "\"", "named-param");
        }
        named[pair.substr(0, equals)] = pair.substr(equals + 1);
      }
      parameters["body"] = std::move(named);
    } else if (!args.params.empty()) {
      parameters["body"] = ToJsonArray(args.params);
    }
    if (!args.header_params.empty()) parameters["header"] = ToJsonArray(args.header_params);
    if (!parameters.empty()) spec["parameters"] = std::move(parameters);
    body["template"] = std::move(spec);
  }
  if (!args.purpose.empty()) body["purpose"] = args.purpose;
  return body;
}

void AddContentOptions(CLI::App& command, CreateArguments& args) {
  CLI::Option* template_name =
      command.add_option("--template", args.template_name, "An approved template's name");
  CLI::Option* text =
      command.add_option("--text", args.text, "A free-form text (only within open windows)");
  template_name->excludes(text);
  command.add_option("--language", args.language,
                     "The template's language (default: each "
                     "recipient's)");
  command.add_option("--param", args.params,
                     "A body value, in placeholder order ({{name}}, {{attr.KEY|fallback}} …)");
  command.add_option("--named-param", args.named_params, "A named body value: NAME=VALUE");
  command.add_option("--header-param", args.header_params, "A header value, in order");
  command.add_option("--purpose", args.purpose, "marketing, utility, authentication or service");
}

void AddCreate(CLI::App& campaigns, CommandTable& table) {
  auto args = std::make_shared<CreateArguments>();
  CLI::App* create = campaigns.add_subcommand("create", "Create a campaign");
  create->add_option("NAME", args->name, "The campaign's name")->required();
  create->add_option("--segment", args->segment, "A segment expression or a saved segment")
      ->required();
  AddContentOptions(*create, *args);
  create->add_option("--sender", args->senders, "A phone_number_id to send from (repeatable)");
  create->add_option("--start-at", args->start_at, "RFC 3339, or local time with --timezone");
  create->add_option("--timezone", args->timezone, "The zone of --start-at (Europe/Berlin)");
  create->add_option("--local-time", args->local_time, "HH:MM in each recipient's zone");
  create->add_option("--end-by", args->end_by, "RFC 3339: what is not sent by then expires");
  create->add_option("--spend-cap", args->spend_cap, "Most to spend, in --currency");
  create->add_option("--currency", args->currency, "ISO 4217 code (default USD)");
  create->add_flag("--start", args->start, "Start it at once");
  table.Add(create, [args](CommandContext& context) {
    if (args->template_name.empty() && args->text.empty()) {
      return UsageError(context, "give --template NAME or --text TEXT");
    }
    auto content = ContentOf(*args);
    if (!content.ok()) return UsageError(context, content.error().message);
    json::object body = std::move(*content);
    body["name"] = args->name;
    body["segment"] = args->segment;
    if (!args->senders.empty()) body["senders"] = ToJsonArray(args->senders);
    if (!args->start_at.empty()) body["start_at"] = args->start_at;
    if (!args->timezone.empty()) body["timezone"] = args->timezone;
    if (!args->local_time.empty()) body["local_time"] = args->local_time;
    if (!args->end_by.empty()) body["end_by"] = args->end_by;
    if (args->spend_cap) body["spend_cap"] = *args->spend_cap;
    if (!args->currency.empty()) body["currency"] = args->currency;
    const std::string text = json::serialize(body);
    return RunJsonCall(
        context,
        [&](ApiClient& client) -> Result<ApiResponse> {
          Result<ApiResponse> created = client.Post("/v1/campaigns", text);
          if (!created.ok() || !args->start) return created;
          auto answer = created->Json();
          if (!answer.ok()) return answer.error();
          const std::string id = JsonNumberText(*answer, "id");
          Result<ApiResponse> started = client.Post(CampaignPath(id) + "/start", "{}");
          if (started.ok()) return started;
          // Created but not started: say so, or running create again makes a second campaign.
          Error error = started.error();
          error.message += " (campaign " + id +
                           " was created as a draft; start it with `herald campaigns start " + id +
                           "`)";
          return error;
        },
        PrintCampaign, args->segment);
  });
}

void AddList(CLI::App& campaigns, CommandTable& table) {
  auto state = std::make_shared<std::string>();
  CLI::App* list = campaigns.add_subcommand("list", "List campaigns, newest first");
  list->add_option("--state", *state, "Only campaigns in this state");
  table.Add(list, [state](CommandContext& context) {
    const std::string path =
        "/v1/campaigns" + (state->empty() ? "" : "?state=" + PercentEncode(*state));
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Get(path); },
        [](std::ostream& out, const json::value& answer) {
          std::vector<std::vector<std::string>> rows{
              {"ID", "NAME", "STATE", "SENT", "TOTAL", "CREATED"}};
          const json::value* campaigns = JsonField(answer, "campaigns");
          if (campaigns != nullptr && campaigns->is_array()) {
            for (const json::value& campaign : campaigns->as_array()) {
              rows.push_back(
                  {JsonNumberText(campaign, "id"), JsonString(campaign, "name"),
                   JsonString(campaign, "state"), std::to_string(Count(campaign, "sent")),
                   std::to_string(Count(campaign, "total")), JsonString(campaign, "created_at")});
            }
          }
          PrintTable(out, rows);
        });
  });
}

void AddShowAndActions(CLI::App& campaigns, CommandTable& table) {
  auto id = std::make_shared<std::string>();
  CLI::App* show = campaigns.add_subcommand("show", "Show a campaign's state and progress");
  show->add_option("ID", *id, "The campaign's id")->required();
  table.Add(show, [id](CommandContext& context) {
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Get(CampaignPath(*id)); }, PrintCampaign);
  });
  for (const char* verb : {"start", "pause", "resume", "cancel"}) {
    auto args = std::make_shared<std::pair<std::string, std::string>>();
    CLI::App* action =
        campaigns.add_subcommand(verb, std::string("Ask the daemon to ") + verb + " a campaign");
    action->add_option("ID", args->first, "The campaign's id")->required();
    action->add_option("--reason", args->second, "Why, for the audit log");
    table.Add(action, [args, verb](CommandContext& context) {
      json::object body;
      if (!args->second.empty()) body["reason"] = args->second;
      const std::string text = json::serialize(body);
      return RunJsonCall(
          context,
          [&](ApiClient& client) {
            return client.Post(CampaignPath(args->first) + "/" + verb, text);
          },
          PrintCampaign);
    });
  }
  auto resend = std::make_shared<std::pair<std::string, std::string>>();
  auto confirmed = std::make_shared<bool>(false);
  CLI::App* again = campaigns.add_subcommand(
      "resend-uncertain", "Send the campaign's uncertain deliveries again (may send twice)");
  again->add_option("ID", resend->first, "The campaign's id")->required();
  again->add_option("--reason", resend->second, "Why, for the audit log");
  again->add_flag("--yes", *confirmed,
                  "Confirm: an uncertain message may have reached its recipient already");
  table.Add(again, [resend, confirmed](CommandContext& context) {
    if (!*confirmed) {
      return UsageError(context,
                        "an uncertain delivery may have reached its recipient; sending it again "
                        "may deliver it twice: confirm with --yes");
    }
    json::object body{{"confirm", true}};
    if (!resend->second.empty()) body["reason"] = resend->second;
    const std::string text = json::serialize(body);
    return RunJsonCall(
        context,
        [&](ApiClient& client) {
          return client.Post(CampaignPath(resend->first) + "/resend-uncertain", text);
        },
        PrintCampaign);
  });
}

// A progress line: [#####.....] 52% sent 120, queued 100 | 80 msg/s | eta …
std::string ProgressLine(const json::value& campaign) {
  const std::int64_t total = Count(campaign, "total");
  const std::int64_t pending = Count(campaign, "queued") + Count(campaign, "sending");
  const double done = total > 0 ? static_cast<double>(total - pending) / total : 0;
  const int width = 20;
  const int filled = static_cast<int>(done * width);
  std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
  std::ostringstream out;
  out << bar << static_cast<int>(done * 100) << "% " << JsonString(campaign, "state") << ": "
      << Counts(campaign);
  if (const json::value* rate = JsonField(campaign, "rate")) {
    out << " | " << JsonNumberText(*rate, "current") << " msg/s";
  }
  if (std::string eta = JsonString(campaign, "eta"); !eta.empty()) out << " | eta " << eta;
  return out.str();
}

void AddWatch(CLI::App& campaigns, CommandTable& table) {
  auto id = std::make_shared<std::string>();
  auto interval_ms = std::make_shared<int>(1000);
  CLI::App* watch =
      campaigns.add_subcommand("watch",
                               "Follow a campaign until it is completed, cancelled or "
                               "expired (exit 0 only when completed)");
  watch->add_option("ID", *id, "The campaign's id")->required();
  watch->add_option("--interval-ms", *interval_ms, "Time between polls")
      ->check(CLI::Range(50, 60000));
  table.Add(watch, [id, interval_ms](CommandContext& context) {
    auto client = context.AuthenticatedClient();
    if (!client.ok()) return context.Fail(client.error());
    std::string last;
    json::value campaign;
    for (;;) {
      auto response = client->Get(CampaignPath(*id));
      if (!response.ok()) return context.Fail(response.error());
      auto answer = JsonObjectOf(*response);
      if (!answer.ok()) return context.Fail(answer.error());
      campaign = std::move(*answer);
      const std::string line = ProgressLine(campaign);
      if (context.err_is_terminal()) {
        context.err() << "\r\033[K" << line << std::flush;
      } else if (line != last && !context.json()) {
        context.out() << line << "\n";
      }
      last = line;
      if (IsFinal(JsonString(campaign, "state"))) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(*interval_ms));
    }
    if (context.err_is_terminal()) context.err() << "\n";
    if (context.json()) PrintJson(context.out(), campaign);
    return JsonString(campaign, "state") == "completed" ? ExitCode::kOk : ExitCode::kFailed;
  });
}

void AddDeliveries(CLI::App& campaigns, CommandTable& table) {
  struct Arguments {
    std::string id, state, format = "csv", output;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* deliveries = campaigns.add_subcommand(
      "deliveries", "Who got what and why not: every delivery with its state and reason");
  deliveries->add_option("ID", args->id, "The campaign's id")->required();
  deliveries->add_option("--state", args->state, "Only deliveries in this state");
  deliveries->add_option("--format", args->format, "csv or jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  deliveries->add_option("--output", args->output, "Write to FILE instead of stdout");
  table.Add(deliveries, [args](CommandContext& context) {
    auto client = context.AuthenticatedClient();
    if (!client.ok()) return context.Fail(client.error());
    std::string path = CampaignPath(args->id) + "/deliveries?format=" + args->format;
    if (!args->state.empty()) path += "&state=" + PercentEncode(args->state);
    auto response = client->Get(path);
    if (!response.ok()) return context.Fail(response.error());
    if (args->output.empty()) {
      context.out() << response->body;
      return ExitCode::kOk;
    }
    if (Status written = WriteFile(args->output, response->body); !written.ok()) {
      return context.Fail(written.error());
    }
    return ExitCode::kOk;
  });
}

// herald messages check|send
void PrintDecision(std::ostream& out, const json::value& answer) {
  const json::value* decision = JsonField(answer, "decision");
  if (decision == nullptr) return;
  if (JsonField(answer, "id") != nullptr) {
    out << "message " << JsonNumberText(answer, "id") << ": " << JsonString(answer, "state")
        << "\n";
  }
  out << (JsonBool(*decision, "allowed") ? "allowed"
                                         : "refused: " + JsonString(*decision, "reason"))
      << "\n";
  const json::value* checks = JsonField(*decision, "checks");
  if (checks == nullptr || !checks->is_array()) return;
  for (const json::value& check : checks->as_array()) {
    const bool passed = JsonBool(check, "passed");
    out << "  " << (passed ? "ok  " : "NO  ") << JsonString(check, "check");
    if (std::string detail = JsonString(check, "detail"); !detail.empty()) out << ": " << detail;
    if (std::string until = JsonString(check, "until"); !until.empty()) {
      out << " (until " << until << ")";
    }
    out << "\n";
  }
}

void AddMessage(CLI::App& messages, CommandTable& table, const char* verb, bool dry_run) {
  auto args = std::make_shared<CreateArguments>();
  auto to = std::make_shared<std::string>();
  auto sender = std::make_shared<std::string>();
  CLI::App* command = messages.add_subcommand(
      verb, dry_run ? "Would this message go to this contact now, and if not, why?"
                    : "Send one message through the gate");
  command->add_option("TO", *to, "The contact's number in E.164 (+4915112345678)")->required();
  AddContentOptions(*command, *args);
  command->add_option("--sender", *sender, "The phone_number_id to send from");
  table.Add(command, [args, to, sender, dry_run](CommandContext& context) {
    if (args->template_name.empty() && args->text.empty()) {
      return UsageError(context, "give --template NAME or --text TEXT");
    }
    auto content = ContentOf(*args);
    if (!content.ok()) return UsageError(context, content.error().message);
    json::object body = std::move(*content);
    body["to"] = *to;
    if (!sender->empty()) body["sender"] = *sender;
    if (dry_run) body["dry_run"] = true;
    const std::string text = json::serialize(body);
    ExitCode code = RunJsonCall(
        context, [&](ApiClient& client) { return client.Post("/v1/messages", text); },
        PrintDecision);
    return code;
  });
}

}  // namespace

void RegisterCampaignsCommands(CLI::App& app, CommandTable& table) {
  CLI::App* campaigns = app.add_subcommand("campaigns", "Campaigns: create, follow, control");
  campaigns->require_subcommand(1);
  AddCreate(*campaigns, table);
  AddList(*campaigns, table);
  AddShowAndActions(*campaigns, table);
  AddWatch(*campaigns, table);
  AddDeliveries(*campaigns, table);
  CLI::App* messages = app.add_subcommand("messages", "Single messages through the gate");
  messages->require_subcommand(1);
  AddMessage(*messages, table, "check", true);
  AddMessage(*messages, table, "send", false);
}

}  // namespace herald::cli
