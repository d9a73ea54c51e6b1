// `herald segment`: count, preview and export the contacts a segment expression matches, and keep
// named (saved) segments.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/command_util.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

constexpr int kDefaultSample = 10;

std::string PreviewBody(const std::string& expression, int sample) {
  return json::serialize(json::object{{"expression", expression}, {"sample", sample}});
}

// "1234 contacts" and the per-country counts, largest first (ties by country).
void PrintCount(std::ostream& out, const json::value& preview) {
  const std::int64_t count = JsonInteger(preview, "count");
  out << count << (count == 1 ? " contact" : " contacts") << "\n";
  std::vector<std::pair<std::string, std::int64_t>> countries;
  if (const json::value* by_country = JsonField(preview, "by_country");
      by_country != nullptr && by_country->is_object()) {
    for (const auto& member : by_country->as_object()) {
      countries.emplace_back(std::string(member.key()), JsonInteger(*by_country, member.key()));
    }
  }
  std::sort(countries.begin(), countries.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::size_t name_width = 0, count_width = 0;
  for (const auto& [country, n] : countries) {
    name_width = std::max(name_width, country.size());
    count_width = std::max(count_width, std::to_string(n).size());
  }
  for (const auto& [country, n] : countries) {
    const std::string number = std::to_string(n);
    out << "  " << country << std::string(name_width - country.size() + 2, ' ')
        << std::string(count_width - number.size(), ' ') << number << "\n";
  }
}

void PrintPreview(std::ostream& out, const json::value& preview) {
  PrintCount(out, preview);
  const json::value* sample = JsonField(preview, "sample");
  if (sample == nullptr || !sample->is_array() || sample->as_array().empty()) return;
  std::vector<std::vector<std::string>> rows = {{"PHONE", "NAME", "COUNTRY", "TAGS"}};
  for (const json::value& contact : sample->as_array()) {
    rows.push_back({JsonString(contact, "phone"), JsonString(contact, "name"),
                    JsonString(contact, "country"), JsonStringList(contact, "tags")});
  }
  out << "\nsample (" << rows.size() - 1 << " of " << JsonInteger(preview, "count") << "):\n";
  PrintTable(out, rows);
}

void AddCountAndPreview(CLI::App& segment, CommandTable& table) {
  auto count_expression = std::make_shared<std::string>();
  CLI::App* count =
      segment.add_subcommand("count", "Count the contacts an expression matches, by country");
  count->add_option("EXPR", *count_expression, "The segment expression")->required();
  table.Add(count, [count_expression](CommandContext& context) {
    const std::string body = PreviewBody(*count_expression, 0);
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Post("/v1/segments/preview", body); },
        &PrintCount, *count_expression);
  });

  auto args = std::make_shared<std::pair<std::string, int>>("", kDefaultSample);
  CLI::App* preview = segment.add_subcommand(
      "preview", "Count the contacts an expression matches and show a sample of them");
  preview->add_option("EXPR", args->first, "The segment expression")->required();
  preview->add_option("--sample", args->second, "How many contacts to show (0 to 1000; 10)")
      ->type_name("N")
      ->check(CLI::Range(0, 1000));
  table.Add(preview, [args](CommandContext& context) {
    const std::string body = PreviewBody(args->first, args->second);
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Post("/v1/segments/preview", body); },
        &PrintPreview, args->first);
  });
}

// CSV out, so --json does not apply.
ExitCode RunExport(CommandContext& context, const std::string& expression,
                   const std::string& output_path) {
  Result<ApiClient> client = context.AuthenticatedClient();
  if (!client.ok()) return context.Fail(client.error());
  Result<ApiResponse> csv = client->Post("/v1/segments/export",
                                         json::serialize(json::object{{"expression", expression}}));
  if (!csv.ok()) return FailWithExpression(context, csv.error(), expression);
  if (output_path.empty()) {
    context.out() << csv->body << std::flush;
    return ExitCode::kOk;
  }
  if (Status written = WriteFile(output_path, csv->body); !written.ok()) {
    return context.Fail(written.error());
  }
  return ExitCode::kOk;
}

void AddExport(CLI::App& segment, CommandTable& table) {
  auto args = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* export_command = segment.add_subcommand(
      "export", "Write the contacts an expression matches as CSV (the import format)");
  export_command->add_option("EXPR", args->first, "The segment expression")->required();
  export_command->add_option("-o,--output", args->second, "Write to FILE instead of stdout")
      ->type_name("FILE");
  table.Add(export_command, [args](CommandContext& context) {
    return RunExport(context, args->first, args->second);
  });
}

std::string SegmentPath(const std::string& name) { return "/v1/segments/" + PercentEncode(name); }

void PrintSavedSegment(std::ostream& out, const json::value& segment) {
  PrintTable(out, {{"name", JsonString(segment, "name")},
                   {"expression", JsonString(segment, "expression")},
                   {"created by", JsonString(segment, "created_by")},
                   {"created", FormatUtcMillis(JsonInteger(segment, "created_ms"))},
                   {"updated", FormatUtcMillis(JsonInteger(segment, "updated_ms"))}});
}

void PrintSavedSegments(std::ostream& out, const json::value& answer) {
  const json::value* segments = JsonField(answer, "segments");
  if (segments == nullptr || !segments->is_array() || segments->as_array().empty()) {
    out << "no saved segments\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {{"NAME", "UPDATED", "BY", "EXPRESSION"}};
  for (const json::value& segment : segments->as_array()) {
    rows.push_back({JsonString(segment, "name"),
                    FormatUtcMillis(JsonInteger(segment, "updated_ms")),
                    JsonString(segment, "created_by"), JsonString(segment, "expression")});
  }
  PrintTable(out, rows);
}

void AddSaveAndList(CLI::App& segment, CommandTable& table) {
  auto args = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* save =
      segment.add_subcommand("save", "Save an expression under a name (or replace it)");
  save->add_option("NAME", args->first, "The segment's name")->required();
  save->add_option("EXPR", args->second, "The segment expression")->required();
  table.Add(save, [args](CommandContext& context) {
    const std::string body = json::serialize(json::object{{"expression", args->second}});
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Put(SegmentPath(args->first), body); },
        [](std::ostream& out, const json::value& saved) {
          out << "saved segment " << JsonString(saved, "name") << ": "
              << JsonString(saved, "expression") << "\n";
        },
        args->second);
  });

  CLI::App* list = segment.add_subcommand("list", "List the saved segments");
  table.Add(list, [](CommandContext& context) {
    return RunJsonCall(
        context, [](ApiClient& client) { return client.Get("/v1/segments"); }, &PrintSavedSegments);
  });
}

void AddShowAndDelete(CLI::App& segment, CommandTable& table) {
  auto show_name = std::make_shared<std::string>();
  CLI::App* show = segment.add_subcommand("show", "Show a saved segment");
  show->add_option("NAME", *show_name, "The segment's name")->required();
  table.Add(show, [show_name](CommandContext& context) {
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Get(SegmentPath(*show_name)); },
        &PrintSavedSegment);
  });

  auto delete_name = std::make_shared<std::string>();
  CLI::App* remove = segment.add_subcommand("delete", "Delete a saved segment");
  remove->add_option("NAME", *delete_name, "The segment's name")->required();
  table.Add(remove, [delete_name](CommandContext& context) {
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Delete(SegmentPath(*delete_name)); },
        [&](std::ostream& out, const json::value&) {
          out << "deleted segment " << *delete_name << "\n";
        });
  });
}

}  // namespace

void RegisterSegmentCommands(CLI::App& app, CommandTable& table) {
  CLI::App* segment =
      app.add_subcommand("segment", "Count, preview and export segments; keep saved segments");
  AddCountAndPreview(*segment, table);
  AddExport(*segment, table);
  AddSaveAndList(*segment, table);
  AddShowAndDelete(*segment, table);
}

}  // namespace herald::cli
