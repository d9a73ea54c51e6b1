// `herald templates`: the message templates the compliance gate knows (/v1/templates): list them,
// and store one by hand (as a platform sync would).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_util.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

std::string OrDash(std::string text) { return text.empty() ? "-" : text; }

// "2024-05-01T12:00:00.123Z" -> "2024-05-01 12:00:00Z", as the other commands show times.
std::string FormatRfc3339(const std::string& text) {
  if (text.size() < 20 || text[10] != 'T' || text.back() != 'Z') return text;
  return text.substr(0, 10) + " " + text.substr(11, 8) + "Z";
}

// The types of a template's components in order: "HEADER, BODY, BUTTONS".
std::string ComponentTypes(const json::value& template_json) {
  const json::value* components = JsonField(template_json, "components");
  std::string types;
  if (components == nullptr || !components->is_array()) return types;
  for (const json::value& component : components->as_array()) {
    const std::string type = JsonString(component, "type");
    if (type.empty()) continue;
    if (!types.empty()) types += ", ";
    types += type;
  }
  return types;
}

void PrintTemplates(std::ostream& out, const json::value& answer) {
  const json::value* templates = JsonField(answer, "templates");
  if (templates == nullptr || !templates->is_array() || templates->as_array().empty()) {
    out << "no templates\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "LANGUAGE", "CATEGORY", "STATUS", "COMPONENTS", "PLATFORM ID", "SYNCED"}};
  for (const json::value& entry : templates->as_array()) {
    rows.push_back({JsonString(entry, "name"), JsonString(entry, "language"),
                    JsonString(entry, "category"), JsonString(entry, "status"),
                    OrDash(ComponentTypes(entry)), OrDash(JsonString(entry, "platform_id")),
                    OrDash(FormatRfc3339(JsonString(entry, "synced_at")))});
  }
  PrintTable(out, rows);
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return MakeError(ErrorCode::kIoError, "cannot read '" + path + "': Is a directory");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return MakeError(ErrorCode::kIoError, "cannot read '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) return MakeError(ErrorCode::kIoError, "cannot read '" + path + "'");
  return contents.str();
}

// --components: "-" reads stdin, a value starting with '[' is the JSON itself, anything else
// names a file. The JSON must be an array (the platform's `components`).
Result<json::value> ReadComponents(const std::string& value) {
  std::string text;
  const std::size_t first = value.find_first_not_of(" \t\r\n");
  const bool inline_json = first != std::string::npos && value[first] == '[';
  if (value == "-") {
    std::ostringstream contents;
    contents << std::cin.rdbuf();
    text = contents.str();
  } else if (inline_json) {
    text = value;
  } else {
    Result<std::string> contents = ReadWholeFile(value);
    if (!contents.ok()) return std::move(contents).error();
    text = std::move(*contents);
  }
  const std::string source = value == "-" ? "stdin" : inline_json ? "the value" : "'" + value + "'";
  boost::system::error_code ec;
  json::value components = json::parse(text, ec);
  if (ec) {
    return MakeError(ErrorCode::kInvalidArgument, source + " is not JSON (" + ec.message() + ")",
                     "components");
  }
  if (!components.is_array()) {
    return MakeError(ErrorCode::kInvalidArgument, source + " is not a JSON array of components",
                     "components");
  }
  return components;
}

struct PutArguments {
  std::string name;
  std::string language;
  std::string category;
  std::string status;
  std::string components;
  std::string platform_id;
};

ExitCode RunPut(CommandContext& context, const PutArguments& args) {
  Result<json::value> components = ReadComponents(args.components);
  if (!components.ok()) return context.Fail(components.error());
  const std::string body = json::serialize(json::object{{"category", args.category},
                                                        {"status", args.status},
                                                        {"components", std::move(*components)},
                                                        {"platform_id", args.platform_id}});
  const std::string path =
      "/v1/templates/" + PercentEncode(args.name) + "/" + PercentEncode(args.language);
  return RunJsonCall(
      context, [&](ApiClient& client) { return client.Put(path, body); },
      [&](std::ostream& out, const json::value& answer) {
        out << "template " << args.name << " (" << args.language
            << "): " << JsonString(answer, "outcome") << "\n";
      });
}

void AddPut(CLI::App& templates, CommandTable& table) {
  auto args = std::make_shared<PutArguments>();
  CLI::App* put = templates.add_subcommand(
      "put", "Store a template (or replace the stored one) as the platform would sync it");
  put->add_option("NAME", args->name, "The template's name")->required();
  put->add_option("LANGUAGE", args->language, "Its language code (e.g. de, en_US)")->required();
  put->add_option("--category", args->category, "MARKETING, UTILITY or AUTHENTICATION")
      ->type_name("CATEGORY")
      ->required();
  put->add_option("--status", args->status,
                  "The platform's review status: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …")
      ->type_name("STATUS")
      ->required();
  put->add_option("--components", args->components,
                  "The platform's components array: a JSON file, '-' for stdin, or the JSON")
      ->type_name("FILE_OR_JSON")
      ->required();
  put->add_option("--platform-id", args->platform_id, "The template's id on the platform")
      ->type_name("ID");
  table.Add(put, [args](CommandContext& context) { return RunPut(context, *args); });
}

}  // namespace

void RegisterTemplatesCommands(CLI::App& app, CommandTable& table) {
  CLI::App* templates =
      app.add_subcommand("templates", "List the message templates; store one by hand");
  CLI::App* list = templates->add_subcommand("list", "List the stored templates");
  table.Add(list, [](CommandContext& context) {
    return RunJsonCall(
        context, [](ApiClient& client) { return client.Get("/v1/templates"); }, &PrintTemplates);
  });
  AddPut(*templates, table);
}

}  // namespace herald::cli
