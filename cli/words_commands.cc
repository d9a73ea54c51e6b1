// `herald words`: the compliance officers' word lists (/v1/wordlists): list, create, show and
// change them, import and export them as CSV, and test a text against them.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_util.h"
#include "cli/detail/match_marker.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

using AnswerHandler = std::function<ExitCode(const json::value& answer)>;

// Sends one request with the authenticated client and hands the JSON answer to `handle`.
ExitCode CallAndHandle(CommandContext& context, const ApiCall& call, const AnswerHandler& handle) {
  Result<ApiClient> client = context.AuthenticatedClient();
  if (!client.ok()) return context.Fail(client.error());
  Result<ApiResponse> response = call(*client);
  if (!response.ok()) return FailListingLines(context, response.error());
  Result<json::value> answer = JsonObjectOf(*response);
  if (!answer.ok()) return context.Fail(answer.error());
  return handle(*answer);
}

// RunJsonCall with FailListingLines for the errors.
ExitCode RunCall(CommandContext& context, const ApiCall& call, const HumanPrinter& print) {
  return CallAndHandle(context, call, [&](const json::value& answer) {
    if (context.json()) {
      PrintJson(context.out(), answer);
    } else {
      print(context.out(), answer);
    }
    return ExitCode::kOk;
  });
}

std::string ListPath(const std::string& name) { return "/v1/wordlists/" + PercentEncode(name); }

std::string VersionQuery(std::int64_t version) {
  return version > 0 ? "?version=" + std::to_string(version) : "";
}

std::string LanguageOrGlobal(const std::string& language) {
  return language.empty() ? "(global)" : language;
}

std::string ForLanguage(const std::string& language) {
  return language.empty() ? " for all languages" : " for language " + language;
}

// Line breaks and tabs in a note or a reason would break a table's lines.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

// "2024-05-01T12:00:00.123Z" -> "2024-05-01 12:00:00Z", as the other commands show times;
// anything else as it is.
std::string FormatRfc3339(const std::string& text) {
  if (text.size() < 20 || text[10] != 'T' || text.back() != 'Z') return text;
  return text.substr(0, 10) + " " + text.substr(11, 8) + "Z";
}

std::string Plural(std::int64_t count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

// A --reason that is there but blank would only be refused by the daemon.
std::string CheckReason(const std::string& reason) {
  return reason.find_first_not_of(" \t\r\n") == std::string::npos ? "must not be empty" : "";
}

void AddReasonOption(CLI::App& command, std::string& reason) {
  command
      .add_option("--reason", reason,
                  "Why (e.g. a ticket); recorded with the actor in the list's history")
      ->type_name("TEXT")
      ->required()
      ->check(CheckReason);
}

std::string CheckVersion(const std::string& text) {
  std::int64_t version = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  const bool whole = error == std::errc() && end == text.data() + text.size();
  return whole && version >= 1 ? "" : "must be a version number (1 or more)";
}

void AddVersionOption(CLI::App& command, std::int64_t& version) {
  command.add_option("--version", version, "An earlier version (default: the active one)")
      ->type_name("N")
      ->check(CheckVersion);
}

// The answer to a change: which version it made active and what it did.
void PrintChange(std::ostream& out, const json::value& change) {
  const std::string name = JsonString(change, "name");
  const std::int64_t terms = JsonInteger(change, "terms");
  if (!JsonBool(change, "changed")) {
    out << "word list " << name << ": no change (version " << JsonInteger(change, "version") << ", "
        << Plural(terms, "term", "terms") << ")\n";
    return;
  }
  out << "word list " << name << ": version " << JsonInteger(change, "previous_version") << " -> "
      << JsonInteger(change, "version") << ": " << JsonInteger(change, "added") << " added, "
      << JsonInteger(change, "updated") << " updated, " << JsonInteger(change, "removed")
      << " removed; " << Plural(terms, "term", "terms") << "\n";
}

void PrintLists(std::ostream& out, const json::value& answer) {
  const json::value* lists = JsonField(answer, "lists");
  if (lists == nullptr || !lists->is_array() || lists->as_array().empty()) {
    out << "no word lists\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {{"NAME", "LANGUAGE", "VERSION", "TERMS"}};
  for (const json::value& list : lists->as_array()) {
    rows.push_back({JsonString(list, "name"), LanguageOrGlobal(JsonString(list, "language")),
                    std::to_string(JsonInteger(list, "version")),
                    std::to_string(JsonInteger(list, "terms"))});
  }
  PrintTable(out, rows);
}

void PrintList(std::ostream& out, const json::value& list) {
  const json::value* terms = JsonField(list, "terms");
  const std::size_t count = terms != nullptr && terms->is_array() ? terms->as_array().size() : 0;
  out << "word list " << JsonString(list, "name") << ForLanguage(JsonString(list, "language"))
      << ", version " << JsonInteger(list, "version") << ", "
      << Plural(static_cast<std::int64_t>(count), "term", "terms") << "\n";
  if (count == 0) return;
  std::vector<std::vector<std::string>> rows = {{"TERM", "MATCH", "SEVERITY", "NOTE"}};
  for (const json::value& term : terms->as_array()) {
    rows.push_back({OneLine(JsonString(term, "term")), JsonString(term, "match"),
                    JsonString(term, "severity"), OneLine(JsonString(term, "note"))});
  }
  PrintTable(out, rows);
}

void PrintHistory(std::ostream& out, const json::value& answer) {
  const json::value* versions = JsonField(answer, "versions");
  if (versions == nullptr || !versions->is_array() || versions->as_array().empty()) {
    out << "no versions\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {{"VERSION", "CREATED", "BY", "TERMS", "REASON"}};
  for (const json::value& version : versions->as_array()) {
    rows.push_back({std::to_string(JsonInteger(version, "version")),
                    FormatRfc3339(JsonString(version, "created_at")), JsonString(version, "actor"),
                    std::to_string(JsonInteger(version, "terms")),
                    OneLine(JsonString(version, "reason"))});
  }
  PrintTable(out, rows);
}

void AddListAndCreate(CLI::App& words, CommandTable& table) {
  CLI::App* list = words.add_subcommand("list", "List the word lists and their active versions");
  table.Add(list, [](CommandContext& context) {
    return RunCall(
        context, [](ApiClient& client) { return client.Get("/v1/wordlists"); }, &PrintLists);
  });

  struct Arguments {
    std::string name, language, reason;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* create = words.add_subcommand("create", "Create an empty word list");
  create->add_option("LIST", args->name, "The list's name ([A-Za-z0-9._-])")->required();
  create
      ->add_option("--language", args->language,
                   "The language it applies to (e.g. de); without it, to every language")
      ->type_name("LANG");
  AddReasonOption(*create, args->reason);
  table.Add(create, [args](CommandContext& context) {
    const std::string body = json::serialize(
        json::object{{"name", args->name}, {"language", args->language}, {"reason", args->reason}});
    return RunCall(
        context, [&](ApiClient& client) { return client.Post("/v1/wordlists", body); },
        [&](std::ostream& out, const json::value& list) {
          // The answer is the change, which has no language: the list has the one asked for.
          const json::value* language = JsonField(list, "language");
          out << "created word list " << JsonString(list, "name")
              << ForLanguage(language != nullptr && language->is_string()
                                 ? std::string(language->as_string())
                                 : args->language)
              << ", version " << JsonInteger(list, "version") << "\n";
        });
  });
}

void AddShowAndHistory(CLI::App& words, CommandTable& table) {
  auto show_args = std::make_shared<std::pair<std::string, std::int64_t>>("", 0);
  CLI::App* show = words.add_subcommand("show", "Show the terms of a word list");
  show->add_option("LIST", show_args->first, "The list's name")->required();
  AddVersionOption(*show, show_args->second);
  table.Add(show, [show_args](CommandContext& context) {
    const std::string path = ListPath(show_args->first) + VersionQuery(show_args->second);
    return RunCall(
        context, [&](ApiClient& client) { return client.Get(path); }, &PrintList);
  });

  auto history_name = std::make_shared<std::string>();
  CLI::App* history = words.add_subcommand(
      "history", "Show the versions of a word list: who changed it, when and why");
  history->add_option("LIST", *history_name, "The list's name")->required();
  table.Add(history, [history_name](CommandContext& context) {
    const std::string path = ListPath(*history_name) + "/versions";
    return RunCall(
        context, [&](ApiClient& client) { return client.Get(path); }, &PrintHistory);
  });
}

struct TermArguments {
  std::string list;
  std::vector<std::string> terms;
  std::string match{"word"};
  std::string severity{"block"};
  std::string note;
  std::string reason;
};

CLI::Option* AddMatchOption(CLI::App& command, std::string& match) {
  return command
      .add_option("--match", match,
                  "How the terms match: word, phrase, prefix, regex or allow (default word)")
      ->type_name("KIND")
      ->check(CLI::IsMember({"word", "phrase", "prefix", "regex", "allow"}));
}

void AddAddAndRemove(CLI::App& words, CommandTable& table) {
  auto add_args = std::make_shared<TermArguments>();
  CLI::App* add = words.add_subcommand("add", "Add terms to a word list (or update them)");
  add->add_option("LIST", add_args->list, "The list's name")->required();
  add->add_option("TERM", add_args->terms, "The terms; all get the same options")->required();
  AddMatchOption(*add, add_args->match);
  add->add_option("--severity", add_args->severity,
                  "block (the message is not sent) or review (it is, and the match is reported); "
                  "default block")
      ->type_name("SEVERITY")
      ->check(CLI::IsMember({"block", "review"}));
  add->add_option("--note", add_args->note, "Why the terms are on the list")->type_name("TEXT");
  AddReasonOption(*add, add_args->reason);
  table.Add(add, [add_args](CommandContext& context) {
    json::array terms;
    for (const std::string& term : add_args->terms) {
      terms.push_back(json::object{{"term", term},
                                   {"match", add_args->match},
                                   {"severity", add_args->severity},
                                   {"note", add_args->note}});
    }
    const std::string body =
        json::serialize(json::object{{"terms", std::move(terms)}, {"reason", add_args->reason}});
    const std::string path = ListPath(add_args->list) + "/terms";
    return RunCall(
        context, [&](ApiClient& client) { return client.Post(path, body); }, &PrintChange);
  });

  auto remove_args = std::make_shared<TermArguments>();
  CLI::App* remove = words.add_subcommand("remove", "Remove terms from a word list");
  remove->add_option("LIST", remove_args->list, "The list's name")->required();
  remove->add_option("TERM", remove_args->terms, "The terms")->required();
  AddMatchOption(*remove, remove_args->match);
  AddReasonOption(*remove, remove_args->reason);
  table.Add(remove, [remove_args](CommandContext& context) {
    json::array terms;
    for (const std::string& term : remove_args->terms) {
      terms.push_back(json::object{{"term", term}, {"match", remove_args->match}});
    }
    const std::string body =
        json::serialize(json::object{{"terms", std::move(terms)}, {"reason", remove_args->reason}});
    const std::string path = ListPath(remove_args->list) + "/terms/remove";
    return RunCall(
        context, [&](ApiClient& client) { return client.Post(path, body); }, &PrintChange);
  });
}

// The whole file: word lists are small, and ApiClient streams files only for POST.
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

struct ImportArguments {
  std::string list;
  std::string file;
  bool replace = false;
  std::string reason;
};

// The daemon names the file of a PUT .../csv "<list>.csv" in its errors ("de.csv:3: match: ...",
// docs/openapi.yaml); the user knows it by the path they gave, so the errors name that instead.
Error NamingTheFileGiven(Error error, const std::string& list, const std::string& file) {
  const std::string daemon_name = list + ".csv:";
  std::string message;
  std::size_t start = 0;
  while (start < error.message.size()) {
    std::size_t end = error.message.find('\n', start);
    end = end == std::string::npos ? error.message.size() : end + 1;
    std::string_view line(error.message.data() + start, end - start);
    if (line.starts_with(daemon_name)) {
      message += file + ":";
      line.remove_prefix(daemon_name.size());
    }
    message += line;
    start = end;
  }
  error.message = std::move(message);
  return error;
}

ExitCode RunImport(CommandContext& context, const ImportArguments& args) {
  Result<std::string> csv = ReadWholeFile(args.file);
  if (!csv.ok()) return context.Fail(csv.error());
  const std::string path = ListPath(args.list) +
                           "/csv?mode=" + (args.replace ? "replace" : "merge") +
                           "&reason=" + PercentEncode(args.reason);
  return RunCall(
      context,
      [&](ApiClient& client) -> Result<ApiResponse> {
        Result<ApiResponse> response = client.Put(path, *csv, "text/csv");
        if (!response.ok() && response.error().field == "csv") {
          return NamingTheFileGiven(response.error(), args.list, args.file);
        }
        return response;
      },
      &PrintChange);
}

// CSV out, so --json does not apply.
ExitCode RunExport(CommandContext& context, const std::string& path,
                   const std::string& output_path) {
  Result<ApiClient> client = context.AuthenticatedClient();
  if (!client.ok()) return context.Fail(client.error());
  Result<ApiResponse> csv = client->Get(path);
  if (!csv.ok()) return FailListingLines(context, csv.error());
  if (output_path.empty()) {
    context.out() << csv->body << std::flush;
    return ExitCode::kOk;
  }
  if (Status written = WriteFile(output_path, csv->body); !written.ok()) {
    return context.Fail(written.error());
  }
  return ExitCode::kOk;
}

void AddImportAndExport(CLI::App& words, CommandTable& table) {
  auto import_args = std::make_shared<ImportArguments>();
  CLI::App* import = words.add_subcommand(
      "import", "Merge a CSV file (term,match,severity,note) into a word list, or replace it");
  import->add_option("LIST", import_args->list, "The list's name")->required();
  import->add_option("FILE", import_args->file, "The CSV file")->required();
  import->add_flag("--replace", import_args->replace,
                   "Replace the list's terms with the file's (default: add and update)");
  AddReasonOption(*import, import_args->reason);
  table.Add(import,
            [import_args](CommandContext& context) { return RunImport(context, *import_args); });

  struct ExportArguments {
    std::string list;
    std::int64_t version = 0;
    std::string output;
  };
  auto export_args = std::make_shared<ExportArguments>();
  CLI::App* export_command =
      words.add_subcommand("export", "Write a word list as CSV (the import format)");
  export_command->add_option("LIST", export_args->list, "The list's name")->required();
  AddVersionOption(*export_command, export_args->version);
  export_command->add_option("-o,--output", export_args->output, "Write to FILE, not stdout")
      ->type_name("FILE");
  table.Add(export_command, [export_args](CommandContext& context) {
    return RunExport(context,
                     ListPath(export_args->list) + "/csv" + VersionQuery(export_args->version),
                     export_args->output);
  });
}

// One match of `words test`: what matched, and where in the text.
void PrintMatch(std::ostream& out, const std::string& text, const json::value& match) {
  const std::string severity = JsonString(match, "severity");
  const std::string note = OneLine(JsonString(match, "note"));
  out << severity << std::string(severity.size() < 6 ? 6 - severity.size() : 0, ' ') << "  \""
      << JsonString(match, "term") << "\" (" << JsonString(match, "match") << ") in list "
      << JsonString(match, "list") << " v" << JsonInteger(match, "version")
      << (note.empty() ? "" : ": " + note) << "\n";
  const std::int64_t begin = JsonInteger(match, "begin");
  const std::int64_t end = JsonInteger(match, "end");
  std::optional<detail::MarkedMatch> marked;
  if (begin >= 0 && end >= 0) {
    marked =
        detail::MarkMatch(text, static_cast<std::size_t>(begin), static_cast<std::size_t>(end));
  }
  if (!marked) {  // offsets that do not fit the text: show what the daemon says matched
    out << "  \"" << OneLine(JsonString(match, "excerpt")) << "\" at bytes " << begin << "-" << end
        << "\n";
    return;
  }
  const std::string prefix = text.find('\n') == std::string::npos
                                 ? ""
                                 : "line " + std::to_string(marked->line_number) + ": ";
  out << "  " << prefix << marked->line << "\n"
      << "  " << std::string(prefix.size(), ' ') << marked->marker << "\n";
}

void PrintTestResult(std::ostream& out, const std::string& text, const json::value& answer) {
  const json::value* matches = JsonField(answer, "matches");
  std::int64_t blocking = 0, review = 0;
  if (matches != nullptr && matches->is_array()) {
    for (const json::value& match : matches->as_array()) {
      ++(JsonString(match, "severity") == "block" ? blocking : review);
    }
  }
  std::string counts = "no matches";
  if (blocking > 0) {
    counts = Plural(blocking, "blocking match", "blocking matches");
    if (review > 0) counts += ", " + std::to_string(review) + " for review";
  } else if (review > 0) {
    counts = Plural(review, "match", "matches") + " for review";
  }
  out << (JsonBool(answer, "blocked") ? "would be blocked: " : "would not be blocked: ") << counts
      << "\n";
  if (matches == nullptr || !matches->is_array()) return;
  for (const json::value& match : matches->as_array()) PrintMatch(out, text, match);
}

void AddTest(CLI::App& words, CommandTable& table) {
  auto args = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* test = words.add_subcommand(
      "test", "Check a text against the word lists; exit code 1 when it would be blocked");
  test->add_option("TEXT", args->first, "The text, as it would be sent")->required();
  test->add_option("--language", args->second,
                   "Check only the global lists and those of this language (de_AT also "
                   "selects de; default: every list)")
      ->type_name("LANG");
  table.Add(test, [args](CommandContext& context) {
    const std::string body =
        json::serialize(json::object{{"text", args->first}, {"language", args->second}});
    return CallAndHandle(
        context, [&](ApiClient& client) { return client.Post("/v1/wordlists/test", body); },
        [&](const json::value& answer) {
          if (context.json()) {
            PrintJson(context.out(), answer);
          } else {
            PrintTestResult(context.out(), args->first, answer);
          }
          return JsonBool(answer, "blocked") ? ExitCode::kFailed : ExitCode::kOk;
        });
  });
}

}  // namespace

void RegisterWordsCommands(CLI::App& app, CommandTable& table) {
  CLI::App* words = app.add_subcommand(
      "words", "Keep the word lists of the compliance gate; test a text against them");
  AddListAndCreate(*words, table);
  AddShowAndHistory(*words, table);
  AddAddAndRemove(*words, table);
  AddImportAndExport(*words, table);
  AddTest(*words, table);
}

}  // namespace herald::cli
