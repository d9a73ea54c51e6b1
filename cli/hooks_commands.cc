// `herald hooks`: the outbound event hooks (docs/hooks.md):
//   list                                   endpoints and their health
//   dead [--endpoint NAME] [--limit N] [--before ID]
//                                          dead letters, newest first
//   replay ID | replay --endpoint NAME     a dead letter, or every one of an endpoint, sent again
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <memory>
#include <string>

#include "cli/command_util.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

void AddList(CLI::App& hooks, CommandTable& table) {
  CLI::App* list = hooks.add_subcommand("list", "List the hook endpoints and their health");
  table.Add(list, [](CommandContext& context) {
    return RunJsonCall(
        context, [](ApiClient& client) { return client.Get("/v1/hooks"); },
        [](std::ostream& out, const json::value& answer) {
          std::vector<std::vector<std::string>> rows{
              {"NAME", "URL", "PENDING", "DELIVERED", "DEAD", "FAILING", "LAST ERROR"}};
          const json::value* endpoints = JsonField(answer, "endpoints");
          if (endpoints != nullptr && endpoints->is_array()) {
            for (const json::value& endpoint : endpoints->as_array()) {
              const json::value* failing = JsonField(endpoint, "failing");
              rows.push_back(
                  {JsonString(endpoint, "name"), JsonString(endpoint, "url"),
                   JsonNumberText(endpoint, "pending"), JsonNumberText(endpoint, "delivered"),
                   JsonNumberText(endpoint, "dead"),
                   failing != nullptr && failing->is_bool() && failing->as_bool() ? "yes" : "no",
                   JsonString(endpoint, "last_error")});
            }
          }
          PrintTable(out, rows);
        });
  });
}

struct DeadArguments {
  std::string endpoint;
  int limit = 50;
  std::int64_t before = 0;
};

void AddDead(CLI::App& hooks, CommandTable& table) {
  auto args = std::make_shared<DeadArguments>();
  CLI::App* dead = hooks.add_subcommand("dead", "List dead letters (events given up on)");
  dead->add_option("--endpoint", args->endpoint, "Only this endpoint's");
  dead->add_option("--limit", args->limit, "At most this many (default 50)")
      ->check(CLI::Range(1, 1000));
  dead->add_option("--before", args->before, "Older than this id (to page)");
  table.Add(dead, [args](CommandContext& context) {
    std::string path = "/v1/hooks/dead?limit=" + std::to_string(args->limit);
    if (!args->endpoint.empty()) path += "&endpoint=" + PercentEncode(args->endpoint);
    if (args->before > 0) path += "&before=" + std::to_string(args->before);
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Get(path); },
        [](std::ostream& out, const json::value& answer) {
          std::vector<std::vector<std::string>> rows{
              {"ID", "ENDPOINT", "KIND", "EVENT", "ATTEMPTS", "CREATED", "LAST ERROR"}};
          const json::value* dead = JsonField(answer, "dead");
          if (dead != nullptr && dead->is_array()) {
            for (const json::value& record : dead->as_array()) {
              rows.push_back({JsonNumberText(record, "id"), JsonString(record, "endpoint"),
                              JsonString(record, "kind"), JsonNumberText(record, "event_id"),
                              JsonNumberText(record, "attempts"), JsonString(record, "created_at"),
                              JsonString(record, "last_error")});
            }
          }
          PrintTable(out, rows);
        });
  });
}

void AddReplay(CLI::App& hooks, CommandTable& table) {
  auto args = std::make_shared<std::pair<std::int64_t, std::string>>(0, "");
  CLI::App* replay = hooks.add_subcommand(
      "replay", "Send dead letters again: one by its id, or every one of --endpoint");
  auto* id = replay->add_option("ID", args->first, "The dead letter's id (herald hooks dead)");
  auto* endpoint =
      replay->add_option("--endpoint", args->second, "Every dead letter of this endpoint");
  id->excludes(endpoint);
  table.Add(replay, [args](CommandContext& context) {
    if (args->first <= 0 && args->second.empty()) {
      return context.Fail(MakeError(ErrorCode::kInvalidArgument,
                                    "give a dead letter's ID or --endpoint NAME", "ID"));
    }
    if (args->first > 0) {
      const std::string path = "/v1/hooks/dead/" + std::to_string(args->first) + "/replay";
      return RunJsonCall(
          context, [&](ApiClient& client) { return client.Post(path, "{}"); },
          [](std::ostream& out, const json::value& answer) {
            out << "replayed " << JsonNumberText(answer, "id") << " ("
                << JsonString(answer, "endpoint") << ", " << JsonString(answer, "kind")
                << "): pending\n";
          });
    }
    const std::string body = json::serialize(json::object{{"endpoint", args->second}});
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Post("/v1/hooks/dead/replay", body); },
        [](std::ostream& out, const json::value& answer) {
          out << "replayed " << JsonNumberText(answer, "replayed") << " dead letters of "
              << JsonString(answer, "endpoint") << "\n";
        });
  });
}

}  // namespace

void RegisterHooksCommands(CLI::App& app, CommandTable& table) {
  CLI::App* hooks = app.add_subcommand("hooks", "Outbound event hooks: endpoints, dead letters");
  hooks->require_subcommand(1);
  AddList(*hooks, table);
  AddDead(*hooks, table);
  AddReplay(*hooks, table);
}

}  // namespace herald::cli
