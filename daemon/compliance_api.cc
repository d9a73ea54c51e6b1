// Word lists and templates over the admin API (see compliance_api.h).
#include "daemon/compliance_api.h"

#include <date/date.h>

#include <boost/json.hpp>
#include <charconv>

#include "common/language_tag.h"
#include "compliance/word_list_csv.h"
#include "daemon/api_util.h"

namespace herald::daemon {
namespace {

namespace json = boost::json;

// A required, non-blank string member; errors name the key.
Result<std::string> RequiredString(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || !value->is_string() || value->as_string().empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "required (a non-empty string)",
                     std::string(key));
  }
  return std::string(value->as_string());
}

std::string OptionalString(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

// The {name} path segment, percent-decoded.
Result<std::string> PathParam(const Request& request, const std::string& name) {
  auto decoded = PercentDecode(request.params.at(name), false);
  if (!decoded || decoded->empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed path segment", name);
  }
  return *decoded;
}

// ?version=N when given.
Result<std::optional<std::int64_t>> VersionParam(const Request& request) {
  auto query = ParseQuery(request.query);
  if (!query) return MakeError(ErrorCode::kInvalidArgument, "malformed query string");
  auto it = query->find("version");
  if (it == query->end()) return std::optional<std::int64_t>();
  std::int64_t version = 0;
  auto [end, ec] =
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), version);
  if (ec != std::errc() || end != it->second.data() + it->second.size() || version < 1) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a version number >= 1", "version");
  }
  return std::optional<std::int64_t>(version);
}

std::string Rfc3339(SysTime time) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(time));
}

json::object ChangeJson(std::string_view list, const storage::WordListChange& change) {
  return {{"name", list},
          {"changed", change.changed},
          {"version", change.version},
          {"previous_version", change.previous_version},
          {"added", change.added},
          {"updated", change.updated},
          {"removed", change.removed},
          {"terms", change.term_count}};
}

json::object ListJson(const storage::StoredWordList& list) {
  json::array terms;
  for (const auto& term : list.terms) {
    terms.push_back(json::object{{"term", term.term},
                                 {"match", term.match_kind},
                                 {"severity", term.severity},
                                 {"note", term.note}});
  }
  return {{"name", list.name},
          {"language", list.language},
          {"version", list.version},
          {"terms", std::move(terms)}};
}

// One term of a request's "terms" array, checked as an officer adds it (ValidateTerm).
Result<compliance::Term> TermFromJson(const json::value& item, std::size_t index, bool key_only) {
  const std::string field = "terms[" + std::to_string(index) + "]";
  if (!item.is_object()) return MakeError(ErrorCode::kInvalidArgument, "expected an object", field);
  const json::object& object = item.as_object();
  compliance::Term term;
  auto text = RequiredString(object, "term");
  if (!text.ok()) return MakeError(ErrorCode::kInvalidArgument, "required", field + ".term");
  term.text = *text;
  if (std::string match = OptionalString(object, "match"); !match.empty()) {
    auto kind = compliance::ParseMatchKind(match);
    if (!kind.ok()) return MakeError(kind.error().code, kind.error().message, field + ".match");
    term.kind = *kind;
  }
  if (key_only) return term;
  if (std::string severity = OptionalString(object, "severity"); !severity.empty()) {
    auto parsed = compliance::ParseSeverity(severity);
    if (!parsed.ok()) {
      return MakeError(parsed.error().code, parsed.error().message, field + ".severity");
    }
    term.severity = *parsed;
  }
  term.note = OptionalString(object, "note");
  if (Status valid = compliance::ValidateTerm(term); !valid.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, valid.error().message, field);
  }
  return term;
}

Result<std::vector<compliance::Term>> TermsFromBody(const json::object& body, bool key_only) {
  const json::value* terms = body.if_contains("terms");
  if (terms == nullptr || !terms->is_array() || terms->as_array().empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a non-empty array of terms", "terms");
  }
  std::vector<compliance::Term> out;
  for (std::size_t i = 0; i < terms->as_array().size(); ++i) {
    auto term = TermFromJson(terms->as_array()[i], i, key_only);
    if (!term.ok()) return term.error();
    out.push_back(std::move(*term));
  }
  return out;
}

// Answers a word list change with its JSON, or its error.
std::function<void(ComplianceService::EditResult)> AnswerChange(std::string list,
                                                                Responder respond) {
  return [list = std::move(list), respond](ComplianceService::EditResult result) {
    if (!result.ok()) return respond(ErrorResponse(result.error()));
    respond(JsonBody(200, ChangeJson(list, *result)));
  };
}

void RegisterListReads(Router& router, ComplianceService& service) {
  router.Add("GET", "/v1/wordlists", Access::kAdmin, [&service](const Request&, Responder respond) {
    json::array lists;
    if (auto filter = service.word_filter()) {
      for (const auto& list : filter->lists()) {
        lists.push_back(json::object{{"name", list.name},
                                     {"language", list.language},
                                     {"version", list.version},
                                     {"terms", list.terms.size()}});
      }
    }
    respond(JsonBody(200, json::object{{"lists", std::move(lists)}}));
  });
  router.Add("GET", "/v1/wordlists/{name}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto version = VersionParam(request);
               if (!version.ok()) return respond(ErrorResponse(version.error()));
               service.Read([name = *name, version = *version, respond](storage::Connection& c) {
                 storage::WordListRepository repository(c);
                 auto list =
                     version ? repository.LoadVersion(name, *version) : repository.LoadList(name);
                 if (!list.ok()) return respond(ErrorResponse(list.error()));
                 respond(JsonBody(200, ListJson(*list)));
               });
             });
  router.Add("GET", "/v1/wordlists/{name}/versions", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               service.Read([name = *name, respond](storage::Connection& c) {
                 auto versions = storage::WordListRepository(c).ListVersions(name);
                 if (!versions.ok()) return respond(ErrorResponse(versions.error()));
                 json::array out;
                 for (const auto& v : *versions) {
                   out.push_back(json::object{{"version", v.version},
                                              {"actor", v.actor},
                                              {"reason", v.reason},
                                              {"created_at", Rfc3339(v.created_at)},
                                              {"terms", v.term_count}});
                 }
                 respond(JsonBody(200, json::object{{"name", name}, {"versions", std::move(out)}}));
               });
             });
}

void RegisterCsvRoutes(Router& router, ComplianceService& service) {
  router.Add(
      "GET", "/v1/wordlists/{name}/csv", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto name = PathParam(request, "name");
        if (!name.ok()) return respond(ErrorResponse(name.error()));
        auto version = VersionParam(request);
        if (!version.ok()) return respond(ErrorResponse(version.error()));
        service.Read([name = *name, version = *version, respond](storage::Connection& c) {
          storage::WordListRepository repository(c);
          auto list = version ? repository.LoadVersion(name, *version) : repository.LoadList(name);
          if (!list.ok()) return respond(ErrorResponse(list.error()));
          auto converted = ToWordList(*list);
          if (!converted.ok()) return respond(ErrorResponse(converted.error()));
          Response response = JsonResponse(200, compliance::WriteWordListCsv(converted->terms));
          response.content_type = "text/csv; charset=utf-8";
          respond(std::move(response));
        });
      });
  router.Add(
      "PUT", "/v1/wordlists/{name}/csv", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto name = PathParam(request, "name");
        if (!name.ok()) return respond(ErrorResponse(name.error()));
        auto query = ParseQuery(request.query);
        if (!query)
          return respond(JsonError(400, "invalid_argument", "malformed query string", ""));
        std::string mode = (*query)["mode"], reason = (*query)["reason"];
        if (mode.empty()) mode = "merge";
        if (mode != "merge" && mode != "replace") {
          return respond(JsonError(400, "invalid_argument", "expected merge or replace", "mode"));
        }
        auto parsed = compliance::ParseWordListCsv(request.body, *name + ".csv");
        if (!parsed.ok()) {
          return respond(JsonError(400, "invalid_argument", parsed.ErrorsToString(), "csv"));
        }
        std::vector<storage::StoredTerm> terms;
        for (const auto& term : *parsed.terms) terms.push_back(ToStoredTerm(term));
        const auto import_mode =
            mode == "replace" ? storage::ImportMode::kReplace : storage::ImportMode::kMerge;
        service.EditWordLists(
            *name,
            [list = *name, terms = std::move(terms), import_mode, actor = ActorOf(request), reason](
                storage::WordListRepository& repository, SysTime now) {
              return repository.ImportTerms(list, terms, import_mode, actor, reason, now);
            },
            AnswerChange(*name, respond));
      },
      BodySize::kBulk);
}

void RegisterListChanges(Router& router, ComplianceService& service) {
  router.Add("POST", "/v1/wordlists", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto body = JsonObjectBody(request);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto name = RequiredString(*body, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               service.EditWordLists(
                   *name,
                   [name = *name, language = OptionalString(*body, "language"),
                    reason = OptionalString(*body, "reason"),
                    actor = ActorOf(request)](storage::WordListRepository& r, SysTime now) {
                     return r.CreateList(name, language, actor, reason, now);
                   },
                   [name = *name, respond](ComplianceService::EditResult result) {
                     if (!result.ok()) return respond(ErrorResponse(result.error()));
                     respond(JsonBody(201, ChangeJson(name, *result)));
                   });
             });
  router.Add("POST", "/v1/wordlists/{name}/terms", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto body = JsonObjectBody(request);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto terms = TermsFromBody(*body, false);
               if (!terms.ok()) return respond(ErrorResponse(terms.error()));
               std::vector<storage::StoredTerm> stored;
               for (const auto& term : *terms) stored.push_back(ToStoredTerm(term));
               service.EditWordLists(
                   *name,
                   [list = *name, stored = std::move(stored), actor = ActorOf(request),
                    reason = OptionalString(*body, "reason")](storage::WordListRepository& r,
                                                              SysTime now) {
                     return r.AddTerms(list, stored, actor, reason, now);
                   },
                   AnswerChange(*name, respond));
             });
  router.Add("POST", "/v1/wordlists/{name}/terms/remove", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto body = JsonObjectBody(request);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto terms = TermsFromBody(*body, true);
               if (!terms.ok()) return respond(ErrorResponse(terms.error()));
               std::vector<storage::TermKey> keys;
               for (const auto& term : *terms) {
                 keys.push_back({term.text, std::string(compliance::MatchKindName(term.kind))});
               }
               service.EditWordLists(
                   *name,
                   [list = *name, keys = std::move(keys), actor = ActorOf(request),
                    reason = OptionalString(*body, "reason")](storage::WordListRepository& r,
                                                              SysTime now) {
                     return r.RemoveTerms(list, keys, actor, reason, now);
                   },
                   AnswerChange(*name, respond));
             });
}

json::object MatchJson(const compliance::WordMatch& match, std::string_view text) {
  return {{"list", match.list},
          {"version", match.version},
          {"term", match.term},
          {"match", compliance::MatchKindName(match.kind)},
          {"severity", compliance::SeverityName(match.severity)},
          {"note", match.note},
          {"begin", match.begin},
          {"end", match.end},
          {"excerpt", text.substr(match.begin, match.end - match.begin)}};
}

void RegisterWordTest(Router& router, ComplianceService& service) {
  router.Add(
      "POST", "/v1/wordlists/test", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto body = JsonObjectBody(request);
        if (!body.ok()) return respond(ErrorResponse(body.error()));
        const json::value* text = body->if_contains("text");
        if (text == nullptr || !text->is_string()) {
          return respond(JsonError(400, "invalid_argument", "required (a string)", "text"));
        }
        const std::string_view original = text->as_string();
        auto filter = service.word_filter();
        json::array matches;
        bool blocked = false;
        // A scan takes microseconds: no need to leave the network thread for it.
        for (const auto& match : filter->Scan(original, OptionalString(*body, "language"))) {
          blocked |= match.severity == compliance::Severity::kBlock;
          matches.push_back(MatchJson(match, original));
        }
        respond(JsonBody(200, json::object{{"blocked", blocked}, {"matches", std::move(matches)}}));
      });
}

json::object TemplateJson(const storage::StoredTemplate& stored) {
  boost::system::error_code ec;
  json::value components = json::parse(stored.record.components_json, ec);
  json::object out{{"name", stored.record.name},
                   {"language", stored.record.language},
                   {"category", stored.record.category},
                   {"status", stored.record.status},
                   {"components", ec ? json::value(json::array()) : std::move(components)},
                   {"platform_id", stored.record.platform_id}};
  if (stored.synced_at) out["synced_at"] = Rfc3339(*stored.synced_at);
  return out;
}

// A template from a PUT body, checked as the gate's catalog will compile it, so that a template
// the gate could not use is refused rather than stored.
Result<storage::TemplateRecord> TemplateFromBody(const std::string& name,
                                                 const std::string& language,
                                                 const json::object& body) {
  // Stored in the platform's spelling ("EN-us" -> "en_US"), so that one language is stored once.
  const Result<LanguageTag> tag = LanguageTag::Parse(language);
  if (!tag.ok()) return MakeError(ErrorCode::kInvalidArgument, tag.error().message, "language");
  const json::value* components = body.if_contains("components");
  if (components == nullptr || !components->is_array()) {
    return MakeError(ErrorCode::kInvalidArgument, "required (a JSON array)", "components");
  }
  storage::TemplateRecord record{name,
                                 tag->canonical(),
                                 OptionalString(body, "category"),
                                 OptionalString(body, "status"),
                                 json::serialize(*components),
                                 OptionalString(body, "platform_id")};
  auto checked = ToMessageTemplate(record);
  if (!checked.ok()) return checked.error();
  auto compiled = compliance::CompileTemplate(*checked);
  if (!compiled.ok()) return compiled.error();
  return record;
}

void RegisterTemplates(Router& router, ComplianceService& service) {
  router.Add("GET", "/v1/templates", Access::kAdmin, [&service](const Request&, Responder respond) {
    service.Read([respond](storage::Connection& c) {
      auto templates = storage::TemplateRepository(c).List();
      if (!templates.ok()) return respond(ErrorResponse(templates.error()));
      json::array out;
      for (const auto& stored : *templates) out.push_back(TemplateJson(stored));
      respond(JsonBody(200, json::object{{"templates", std::move(out)}}));
    });
  });
  router.Add("PUT", "/v1/templates/{name}/{language}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto language = PathParam(request, "language");
               if (!language.ok()) return respond(ErrorResponse(language.error()));
               auto body = JsonObjectBody(request);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto record = TemplateFromBody(*name, *language, *body);
               if (!record.ok()) return respond(ErrorResponse(record.error()));
               service.UpsertTemplate(
                   std::move(*record), ActorOf(request),
                   [respond](Result<storage::TemplateUpsertOutcome> outcome) {
                     if (!outcome.ok()) return respond(ErrorResponse(outcome.error()));
                     constexpr std::string_view kNames[] = {"created", "updated", "unchanged"};
                     const int status =
                         *outcome == storage::TemplateUpsertOutcome::kCreated ? 201 : 200;
                     respond(JsonBody(
                         status, json::object{{"outcome", kNames[static_cast<int>(*outcome)]}}));
                   });
             });
}

}  // namespace

void RegisterComplianceApi(Router& router, ComplianceService& service) {
  RegisterListReads(router, service);
  RegisterCsvRoutes(router, service);
  RegisterListChanges(router, service);
  RegisterWordTest(router, service);
  RegisterTemplates(router, service);
}

}  // namespace herald::daemon
