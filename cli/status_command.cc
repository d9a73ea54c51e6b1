// `herald status`: is the daemon up and ready, and (with a token) what is it running.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "cli/command.h"

namespace herald::cli {
namespace {

struct Readiness {
  bool ready = false;
  boost::json::value report;  // GET /readyz's body: {"status": ..., "checks": {...}}
};

const boost::json::value* Member(const boost::json::value& json, std::string_view key) {
  const boost::json::object* object = json.if_object();
  return object != nullptr ? object->if_contains(key) : nullptr;
}

std::optional<std::string> StringMember(const boost::json::value& json, std::string_view key) {
  const boost::json::value* member = Member(json, key);
  if (member == nullptr || !member->is_string()) return std::nullopt;
  return std::string(member->as_string());
}

std::optional<std::int64_t> IntegerMember(const boost::json::value& json, std::string_view key) {
  const boost::json::value* member = Member(json, key);
  if (member == nullptr || !member->is_number()) return std::nullopt;
  boost::system::error_code ec;
  std::int64_t number = member->to_number<std::int64_t>(ec);
  if (ec) return std::nullopt;
  return number;
}

Result<Readiness> FetchReadiness(ApiClient& client) {
  Result<ApiResponse> response = client.Send("GET", "/readyz");
  if (!response.ok()) return std::move(response).error();
  if (response->status != 200 && response->status != 503) return response->ToError();
  Result<boost::json::value> report = response->Json();
  if (!report.ok()) {
    // A 503 that is not a readiness report comes from something else (a proxy): say what it was.
    if (response->status == 503) return response->ToError();
    return std::move(report).error();
  }
  return Readiness{response->status == 200, std::move(*report)};
}

Result<boost::json::value> FetchDetails(ApiClient& client) {
  Result<ApiResponse> response = client.Get("/v1/status");
  if (!response.ok()) return std::move(response).error();
  Result<boost::json::value> details = response->Json();
  if (details.ok() && !details->is_object()) {
    return MakeError(ErrorCode::kInternal,
                     "the answer from " + response->url + " is not a JSON object");
  }
  return details;
}

// "12s", "3m 4s", "2h 5m", "1d 3h": the two largest units are enough to read at a glance.
std::string FormatUptime(std::int64_t seconds) {
  if (seconds < 60) return std::to_string(seconds) + "s";
  const std::int64_t minutes = seconds / 60;
  if (minutes < 60) return std::to_string(minutes) + "m " + std::to_string(seconds % 60) + "s";
  const std::int64_t hours = minutes / 60;
  if (hours < 24) return std::to_string(hours) + "h " + std::to_string(minutes % 60) + "m";
  return std::to_string(hours / 24) + "d " + std::to_string(hours % 24) + "h";
}

void PrintLine(std::ostream& out, std::string_view label, std::string_view text) {
  constexpr size_t kLabelWidth = 10;
  std::string padded(label);
  padded.resize(std::max(kLabelWidth, label.size() + 1), ' ');
  out << "  " << padded << text << "\n";
}

// "(schema 4, /var/lib/herald/herald.db)" from /v1/status, or "" when it says neither.
std::string StorageDetails(const boost::json::value& details) {
  std::string text;
  if (std::optional<std::int64_t> schema = IntegerMember(details, "schema_version")) {
    text = "schema " + std::to_string(*schema);
  }
  const boost::json::value* storage = Member(details, "storage");
  if (std::optional<std::string> path = storage ? StringMember(*storage, "path") : std::nullopt) {
    text += (text.empty() ? "" : ", ") + *path;
  }
  return text.empty() ? text : " (" + text + ")";
}

void PrintHuman(std::ostream& out, const std::string& url, const Readiness& readiness,
                const std::optional<boost::json::value>& details) {
  std::optional<std::string> version = details ? StringMember(*details, "version") : std::nullopt;
  out << "heraldd" << (version ? " " + *version : "") << " at " << url << ": "
      << (readiness.ready ? "ready" : "not ready") << "\n";
  if (const boost::json::value* checks = Member(readiness.report, "checks");
      checks != nullptr && checks->is_object()) {
    for (const auto& check : checks->as_object()) {
      std::string text = check.value().is_string() ? std::string(check.value().as_string())
                                                   : boost::json::serialize(check.value());
      if (check.key() == "storage" && details) text += StorageDetails(*details);
      PrintLine(out, check.key(), text);
    }
  }
  if (!details) {
    PrintLine(out, "details", "need the admin token: --token-file FILE or HERALD_TOKEN");
    return;
  }
  if (std::optional<std::int64_t> uptime = IntegerMember(*details, "uptime_seconds")) {
    PrintLine(out, "uptime", FormatUptime(*uptime));
  }
}

void PrintJsonReport(std::ostream& out, const std::string& url, const Readiness& readiness,
                     const std::optional<boost::json::value>& details) {
  boost::json::object report;
  report["url"] = url;
  report["ready"] = readiness.ready;
  report["readiness"] = readiness.report;
  report["status"] = details ? *details : boost::json::value(nullptr);
  PrintJson(out, report);
}

ExitCode RunStatus(CommandContext& context) {
  Result<std::optional<std::string>> token = context.Token();
  if (!token.ok()) return context.Fail(token.error());
  const bool have_token = token->has_value();
  Result<ApiClient> client = context.Client(std::move(*token));
  if (!client.ok()) return context.Fail(client.error());

  Result<Readiness> readiness = FetchReadiness(*client);
  if (!readiness.ok()) return context.Fail(readiness.error());
  std::optional<boost::json::value> details;
  if (have_token) {
    Result<boost::json::value> fetched = FetchDetails(*client);
    if (!fetched.ok()) return context.Fail(fetched.error());
    details = std::move(*fetched);
  }

  if (context.json()) {
    PrintJsonReport(context.out(), client->base_url(), *readiness, details);
  } else {
    PrintHuman(context.out(), client->base_url(), *readiness, details);
  }
  return readiness->ready ? ExitCode::kOk : ExitCode::kFailed;
}

}  // namespace

void RegisterStatusCommand(CLI::App& app, CommandTable& table) {
  CLI::App* status = app.add_subcommand(
      "status", "Show whether the daemon is ready; with a token, also its version and storage");
  table.Add(status, &RunStatus);
}

}  // namespace herald::cli
