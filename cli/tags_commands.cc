// `herald tags`: add or remove tags on many contacts at once, rename and delete tags.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_util.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

struct ApplyArguments {
  std::vector<std::string> add;
  std::vector<std::string> remove;
  std::string phones;   // a file, or a comma-separated list
  std::string segment;  // a segment expression
};

std::string Trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  const std::size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

// The numbers of --phones: the lines of the file it names (commas also separate; blank lines and
// lines starting with '#' are skipped), or when no such file exists, a comma-separated list.
Result<std::vector<std::string>> PhonesFrom(const std::string& value) {
  std::string text = value;
  std::error_code ec;
  if (std::filesystem::is_regular_file(value, ec)) {
    std::ifstream file(value, std::ios::binary);
    if (!file) return MakeError(ErrorCode::kIoError, "cannot read '" + value + "'", "phones");
    std::ostringstream contents;
    contents << file.rdbuf();
    text = contents.str();
  }
  std::vector<std::string> phones;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (Trim(line).starts_with('#')) continue;
    std::istringstream items(line);
    for (std::string item; std::getline(items, item, ',');) {
      if (std::string phone = Trim(item); !phone.empty()) phones.push_back(std::move(phone));
    }
  }
  if (phones.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no phone numbers in '" + value + "'", "phones");
  }
  return phones;
}

ExitCode RunApply(CommandContext& context, const ApplyArguments& args, bool by_segment) {
  if (args.add.empty() && args.remove.empty()) {
    return UsageError(context, "give --add TAG or --remove TAG");
  }
  json::object body{{"add", ToJsonArray(args.add)}, {"remove", ToJsonArray(args.remove)}};
  if (by_segment) {
    body["segment"] = args.segment;
  } else {
    Result<std::vector<std::string>> phones = PhonesFrom(args.phones);
    if (!phones.ok()) return context.Fail(phones.error());
    body["phones"] = ToJsonArray(*phones);
  }
  const std::string text = json::serialize(body);
  return RunJsonCall(
      context, [&](ApiClient& client) { return client.Post("/v1/tags/apply", text); },
      [](std::ostream& out, const json::value& answer) {
        out << "matched " << JsonInteger(answer, "matched") << " contacts, changed "
            << JsonInteger(answer, "changed") << ", not found " << JsonInteger(answer, "not_found")
            << "\n";
      },
      by_segment ? std::string_view(args.segment) : std::string_view());
}

void AddApply(CLI::App& tags, CommandTable& table) {
  auto args = std::make_shared<ApplyArguments>();
  CLI::App* apply = tags.add_subcommand(
      "apply", "Add or remove tags on a list of numbers or on the contacts of a segment");
  AddTagChangeOptions(*apply, args->add, args->remove);
  CLI::Option* phones =
      apply
          ->add_option("--phones", args->phones,
                       "The numbers: a file with one per line, or a comma-separated list")
          ->type_name("FILE_OR_LIST");
  CLI::Option* segment =
      apply->add_option("--segment", args->segment, "The contacts matching this expression")
          ->type_name("EXPR")
          ->excludes(phones);
  table.Add(apply, [args, phones, segment](CommandContext& context) {
    if (phones->count() == 0 && segment->count() == 0) {
      return UsageError(context, "give --phones FILE_OR_LIST or --segment EXPR");
    }
    return RunApply(context, *args, segment->count() > 0);
  });
}

std::string TagPath(const std::string& name) { return "/v1/tags/" + PercentEncode(name); }

void AddRename(CLI::App& tags, CommandTable& table) {
  auto names = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* rename = tags.add_subcommand("rename", "Rename a tag on every contact that has it");
  rename->add_option("OLD", names->first, "The tag's name")->required();
  rename->add_option("NEW", names->second, "Its new name")->required();
  table.Add(rename, [names](CommandContext& context) {
    const std::string body = json::serialize(json::object{{"to", names->second}});
    return RunJsonCall(
        context,
        [&](ApiClient& client) { return client.Post(TagPath(names->first) + "/rename", body); },
        [&](std::ostream& out, const json::value& answer) {
          out << "renamed tag " << names->first << " to " << names->second << " on "
              << JsonInteger(answer, "contacts") << " contacts\n";
        });
  });
}

void AddDelete(CLI::App& tags, CommandTable& table) {
  auto name = std::make_shared<std::string>();
  CLI::App* remove = tags.add_subcommand("delete", "Remove a tag from every contact that has it");
  remove->add_option("NAME", *name, "The tag's name")->required();
  table.Add(remove, [name](CommandContext& context) {
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Delete(TagPath(*name)); },
        [&](std::ostream& out, const json::value& answer) {
          out << "deleted tag " << *name << " from " << JsonInteger(answer, "contacts")
              << " contacts\n";
        });
  });
}

}  // namespace

void RegisterTagsCommands(CLI::App& app, CommandTable& table) {
  CLI::App* tags = app.add_subcommand("tags", "Tag many contacts at once; rename and delete tags");
  AddApply(*tags, table);
  AddRename(*tags, table);
  AddDelete(*tags, table);
}

}  // namespace herald::cli
