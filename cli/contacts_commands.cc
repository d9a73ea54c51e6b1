// `herald contacts`: import a file of contacts (as a job the daemon runs), and look up, erase or
// tag one contact.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/command_util.h"
#include "contacts/import_reader.h"

namespace herald::cli {
namespace {

namespace json = boost::json;

constexpr std::chrono::milliseconds kImportPollInterval{200};
constexpr std::size_t kRejectsShown = 10;   // inline after an import; the rest in the rejects CSV
constexpr std::size_t kWarningsShown = 10;  // of the daemon's warning_samples

struct ImportArguments {
  std::string file;
  std::string format;  // csv, jsonl, auto; "" when not given (the daemon's default)
  std::string default_region;
  bool replace_tags = false;
  std::string consent_source;
  std::string encoding;      // "" when not given (UTF-8)
  std::string rejects_path;  // "" when --rejects is not given
  bool no_wait = false;
};

// The body's Content-Type: from --format, else from the file's extension.
std::string_view ContentTypeFor(const ImportArguments& args) {
  std::string_view format = args.format;
  if (format.empty() || format == "auto") {
    const bool json_lines = args.file.ends_with(".jsonl") || args.file.ends_with(".ndjson");
    format = json_lines ? "jsonl" : "csv";
  }
  return format == "jsonl" ? "application/x-ndjson" : "text/csv";
}

// POST /v1/contacts/imports with the options given (and only those) in the query.
std::string ImportPath(const ImportArguments& args) {
  std::string query;
  auto add = [&query](std::string_view key, std::string_view value) {
    query += (query.empty() ? "?" : "&") + std::string(key) + "=" + PercentEncode(value);
  };
  if (!args.format.empty()) add("format", args.format);
  if (!args.default_region.empty()) add("default_region", args.default_region);
  if (args.replace_tags) add("replace_tags", "true");
  if (!args.consent_source.empty()) add("consent_source", args.consent_source);
  if (!args.encoding.empty()) add("encoding", args.encoding);
  return "/v1/contacts/imports" + query;
}

// "1 warning", "3 warnings"
std::string Plural(std::int64_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string ImportStatusPath(const json::value& status) {
  return "/v1/contacts/imports/" + PercentEncode(JsonString(status, "id"));
}

bool IsFinished(std::string_view state) {
  return state == "completed" || state == "failed" || state == "cancelled";
}

// Polls the import every kImportPollInterval until it has finished; on a terminal, one line on
// err() (rewritten in place) shows how far it got.
Result<json::value> WaitForImport(CommandContext& context, ApiClient& client, json::value status) {
  const std::string path = ImportStatusPath(status);
  bool progress_shown = false;
  auto clear_progress = [&] {
    if (progress_shown) context.err() << "\r\033[K" << std::flush;
  };
  while (!IsFinished(JsonString(status, "state"))) {
    if (context.err_is_terminal()) {
      context.err() << "\rimporting: " << JsonInteger(status, "rows") << " rows, "
                    << JsonInteger(status, "rejected") << " rejected" << std::flush;
      progress_shown = true;
    }
    std::this_thread::sleep_for(kImportPollInterval);
    Result<ApiResponse> response = client.Get(path);
    if (!response.ok()) {
      clear_progress();
      return std::move(response).error();
    }
    Result<json::value> next = JsonObjectOf(*response);
    if (!next.ok()) {
      clear_progress();
      return next;
    }
    status = std::move(*next);
  }
  clear_progress();
  return status;
}

void PrintImportSummary(std::ostream& out, const json::value& status) {
  const std::int64_t warnings = JsonInteger(status, "warnings");
  out << "import " << JsonString(status, "id") << " " << JsonString(status, "state") << ": "
      << JsonInteger(status, "rows") << " rows, " << JsonInteger(status, "created") << " created, "
      << JsonInteger(status, "updated") << " updated, " << JsonInteger(status, "unchanged")
      << " unchanged, " << JsonInteger(status, "rejected") << " rejected"
      << (warnings == 0 ? "" : ", " + Plural(warnings, "warning")) << "\n";
}

// The first kRejectsShown rejects (line and reason), then where the others are.
void PrintRejects(std::ostream& out, const json::value& status, const ImportArguments& args,
                  const Result<ApiResponse>& rejects_csv) {
  const std::int64_t rejected = JsonInteger(status, "rejected");
  if (rejected <= 0) return;
  const std::string where = args.rejects_path.empty()
                                ? "GET " + ImportStatusPath(status) +
                                      "/rejects lists them (or import with --rejects FILE)"
                                : "see " + args.rejects_path;
  out << rejected << (rejected == 1 ? " row was" : " rows were") << " rejected: " << where << "\n";
  Result<std::vector<contacts::RejectSummary>> shown =
      rejects_csv.ok() ? contacts::ReadRejectsCsv(rejects_csv->body, kRejectsShown)
                       : Result<std::vector<contacts::RejectSummary>>(rejects_csv.error());
  if (!shown.ok()) {
    out << "  (not shown: " << shown.error().ToString() << ")\n";
    return;
  }
  for (const contacts::RejectSummary& reject : *shown) {
    out << "  line " << reject.line << ": " << reject.reason << "\n";
  }
  const auto more = rejected - static_cast<std::int64_t>(shown->size());
  if (more > 0) out << "  … and " << more << " more: " << where << "\n";
}

// The daemon's first warnings, up to kWarningsShown, then how many more there are.
void PrintWarnings(std::ostream& out, const json::value& status) {
  const std::int64_t warnings = JsonInteger(status, "warnings");
  if (warnings <= 0) return;
  out << Plural(warnings, "warning") << ":\n";
  std::int64_t shown = 0;
  const json::value* samples = JsonField(status, "warning_samples");
  if (samples != nullptr && samples->is_array()) {
    for (const json::value& sample : samples->as_array()) {
      if (shown == static_cast<std::int64_t>(kWarningsShown) || !sample.is_string()) break;
      out << "  " << std::string_view(sample.as_string()) << "\n";
      ++shown;
    }
  }
  if (warnings > shown) {
    out << "  … and " << warnings - shown << " more: GET " << ImportStatusPath(status)
        << " lists the first 100 (warning_samples)\n";
  }
}

ExitCode RunImport(CommandContext& context, const ImportArguments& args) {
  Result<ApiClient> client = context.AuthenticatedClient();
  if (!client.ok()) return context.Fail(client.error());
  Result<ApiResponse> started = client->PostFile(ImportPath(args), args.file, ContentTypeFor(args));
  if (!started.ok()) return context.Fail(started.error());
  Result<json::value> status = JsonObjectOf(*started);
  if (!status.ok()) return context.Fail(status.error());
  const std::string id = JsonString(*status, "id");
  if (args.no_wait) {
    if (context.json()) {
      PrintJson(context.out(), *status);
    } else {
      context.out() << "import " << id << " started; its state: GET " << ImportStatusPath(*status)
                    << "\n";
    }
    return ExitCode::kOk;
  }

  Result<json::value> finished = WaitForImport(context, *client, std::move(*status));
  if (!finished.ok()) {
    ExitCode code = context.Fail(finished.error());
    context.err() << "herald: hint: import " << id << " goes on in the daemon\n";
    return code;
  }
  const bool show_rejects = !context.json() && JsonInteger(*finished, "rejected") > 0;
  Result<ApiResponse> rejects_csv = MakeError(ErrorCode::kUnavailable, "not asked for");
  if (show_rejects || !args.rejects_path.empty()) {
    rejects_csv = client->Get(ImportStatusPath(*finished) + "/rejects");
  }
  if (context.json()) {
    PrintJson(context.out(), *finished);
  } else {
    PrintImportSummary(context.out(), *finished);
  }
  if (!args.rejects_path.empty()) {
    if (!rejects_csv.ok()) return context.Fail(rejects_csv.error());
    if (Status saved = WriteFile(args.rejects_path, rejects_csv->body); !saved.ok()) {
      return context.Fail(saved.error());
    }
  }
  if (!context.json()) {
    PrintRejects(context.out(), *finished, args, rejects_csv);
    PrintWarnings(context.out(), *finished);
  }
  const std::string state = JsonString(*finished, "state");
  if (state == "completed") return ExitCode::kOk;
  const std::string reason = JsonString(*finished, "error");
  context.err() << "herald: error: import " << id << " " << state
                << (reason.empty() ? "" : ": " + reason) << "\n";
  return ExitCode::kFailed;
}

std::string ContactPath(const std::string& phone) { return "/v1/contacts/" + PercentEncode(phone); }

std::string OrDash(std::string text) { return text.empty() ? "-" : text; }

void PrintContact(std::ostream& out, const json::value& contact) {
  const std::string name = JsonString(contact, "name");
  out << JsonString(contact, "phone") << (name.empty() ? "" : "  " + name) << "\n";
  std::string attributes;
  if (const json::value* fields = JsonField(contact, "attributes"); fields && fields->is_object()) {
    for (const auto& [key, value] : fields->as_object()) {
      if (!attributes.empty()) attributes += ", ";
      attributes += std::string(key) + "=" +
                    (value.is_string() ? std::string(value.as_string()) : json::serialize(value));
    }
  }
  auto consent = [&contact](std::string_view purpose) -> std::string {
    const json::value* consent = JsonField(contact, "consent");
    return consent != nullptr && JsonBool(*consent, purpose) ? "yes" : "no";
  };
  std::vector<std::vector<std::string>> rows = {
      {"  id", std::to_string(JsonInteger(contact, "id"))},
      {"  country", OrDash(JsonString(contact, "country"))},
      {"  language", OrDash(JsonString(contact, "language"))},
      {"  timezone", OrDash(JsonString(contact, "timezone"))},
      {"  tags", OrDash(JsonStringList(contact, "tags"))},
      {"  opted out", JsonBool(contact, "opted_out") ? "yes" : "no"},
      {"  consent", "marketing " + consent("marketing") + ", utility " + consent("utility")},
      {"  attributes", OrDash(attributes)},
  };
  PrintTable(out, rows);
}

void AddShow(CLI::App& contacts, CommandTable& table) {
  auto phone = std::make_shared<std::string>();
  CLI::App* show = contacts.add_subcommand("show", "Show one contact (GET /v1/contacts/PHONE)");
  show->add_option("PHONE", *phone, "The number, E.164 (+4915…) or national")->required();
  table.Add(show, [phone](CommandContext& context) {
    return RunJsonCall(
        context, [&](ApiClient& client) { return client.Get(ContactPath(*phone)); }, &PrintContact);
  });
}

void AddErase(CLI::App& contacts, CommandTable& table) {
  auto phone = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  CLI::App* erase = contacts.add_subcommand(
      "erase", "Erase a contact's personal data for good (GDPR); asks no question");
  erase->add_option("PHONE", *phone, "The number, E.164 (+4915…) or national")->required();
  erase->add_option("--reason", *reason, "Why (e.g. the request's reference); recorded in the log")
      ->type_name("TEXT")
      ->required();
  table.Add(erase, [phone, reason](CommandContext& context) {
    return RunJsonCall(
        context,
        [&](ApiClient& client) {
          return client.Delete(ContactPath(*phone) + "?reason=" + PercentEncode(*reason));
        },
        [&](std::ostream& out, const json::value& answer) {
          out << "erased " << *phone << " (contact " << JsonInteger(answer, "id") << ")\n";
        });
  });
}

struct TagArguments {
  std::string phone;
  std::vector<std::string> add;
  std::vector<std::string> remove;
};

void AddTag(CLI::App& contacts, CommandTable& table) {
  auto args = std::make_shared<TagArguments>();
  CLI::App* tag = contacts.add_subcommand("tag", "Add or remove tags of one contact");
  tag->add_option("PHONE", args->phone, "The number, E.164 (+4915…) or national")->required();
  AddTagChangeOptions(*tag, args->add, args->remove);
  table.Add(tag, [args](CommandContext& context) {
    if (args->add.empty() && args->remove.empty()) {
      return UsageError(context, "give --add TAG or --remove TAG");
    }
    const std::string body = json::serialize(
        json::object{{"add", ToJsonArray(args->add)}, {"remove", ToJsonArray(args->remove)}});
    return RunJsonCall(
        context,
        [&](ApiClient& client) { return client.Post(ContactPath(args->phone) + "/tags", body); },
        [](std::ostream& out, const json::value& contact) {
          out << JsonString(contact, "phone") << ": tags now "
              << OrDash(JsonStringList(contact, "tags")) << "\n";
        });
  });
}

void AddImport(CLI::App& contacts, CommandTable& table) {
  auto args = std::make_shared<ImportArguments>();
  CLI::App* import = contacts.add_subcommand(
      "import", "Import contacts from a CSV or JSON Lines file and wait for the import to finish");
  import->add_option("FILE", args->file, "The file to import (sent as it is)")->required();
  import->add_option("--format", args->format, "csv, jsonl or auto (default: the daemon's)")
      ->check(CLI::IsMember({"csv", "jsonl", "auto"}));
  import
      ->add_option("--default-region", args->default_region,
                   "Region for numbers without a country code (e.g. DE)")
      ->type_name("XX");
  import->add_flag("--replace-tags", args->replace_tags,
                   "Replace the tags of existing contacts instead of adding to them");
  import->add_option("--consent-source", args->consent_source, "Where the consent came from")
      ->type_name("TEXT");
  import
      ->add_option("--encoding", args->encoding,
                   "The file's encoding when it is not UTF-8 (Excel's CSV is often windows-1252)")
      ->check(CLI::IsMember({"utf-8", "utf8", "windows-1252", "cp1252", "iso-8859-1", "latin1",
                             "iso-8859-15", "latin9"},
                            CLI::ignore_case))
      ->type_name("ENC");
  CLI::Option* rejects =
      import->add_option("--rejects", args->rejects_path, "Write the rejected rows to this CSV")
          ->type_name("OUT.csv");
  import->add_flag("--no-wait", args->no_wait, "Print the import's id and return at once")
      ->excludes(rejects);
  table.Add(import, [args](CommandContext& context) { return RunImport(context, *args); });
}

}  // namespace

void RegisterContactsCommands(CLI::App& app, CommandTable& table) {
  CLI::App* contacts = app.add_subcommand("contacts", "Import, show, erase and tag contacts");
  AddImport(*contacts, table);
  AddShow(*contacts, table);
  AddErase(*contacts, table);
  AddTag(*contacts, table);
}

}  // namespace herald::cli
