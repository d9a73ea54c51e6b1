#include "http/wordlists_api.h"

#include <date/date.h>

#include <boost/json.hpp>
#include <charconv>

#include "compliance/word_list_csv.h"
#include "http/api_util.h"

namespace herald::http {
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

// ?version=N when given.
Result<std::optional<std::int64_t>> VersionParam(const Request& request) {
  auto query = QueryParams(request);
  if (!query.ok()) return query.error();
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

json::object ChangeJson(std::string_view list, const app::WordListChange& change) {
  return {{"name", list},
          {"changed", change.changed},
          {"version", change.version},
          {"previous_version", change.previous_version},
          {"added", change.added},
          {"updated", change.updated},
          {"removed", change.removed},
          {"terms", change.term_count}};
}

json::object ListJson(const app::WordList& list) {
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

// One term of a request's "terms" array; the service checks it as an officer adds it.
Result<compliance::Term> TermFromJson(const json::value& item, std::size_t index, bool key_only) {
  const std::string field = "terms[" + std::to_string(index) + "]";
  if (!item.is_object()) return MakeError(ErrorCode::kInvalidArgument, "expected an object", field);
  const json::object& object = item.as_object();
  for (const auto& member : object) {
    const std::string_view key = member.key();
    if (key != "term" && key != "match" && key != "severity" && key != "note") {
      return MakeError(ErrorCode::kInvalidArgument,
                       "unknown field; expected one of: term, match, severity, note",
                       field + "." + std::string(key));
    }
  }
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
  return term;  // checked by the service (ValidateTerm), off the network thread
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
app::ComplianceService::Reply<app::WordListChange> AnswerChange(std::string list,
                                                                Responder respond) {
  return [list = std::move(list), respond](Result<app::WordListChange> result) {
    if (!result.ok()) return respond(ErrorResponse(result.error()));
    respond(JsonBody(200, ChangeJson(list, *result)));
  };
}

void RegisterListReads(Router& router, app::ComplianceService& service) {
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
               service.GetWordList(*name, *version,
                                   AnswerJson<app::WordList>(respond, 200, ListJson));
             });
  router.Add(
      "GET", "/v1/wordlists/{name}/versions", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto name = PathParam(request, "name");
        if (!name.ok()) return respond(ErrorResponse(name.error()));
        service.WordListVersions(
            *name, [name = *name, respond](Result<std::vector<app::WordListVersion>> versions) {
              if (!versions.ok()) return respond(ErrorResponse(versions.error()));
              json::array out;
              for (const auto& v : *versions) {
                out.push_back(json::object{{"version", v.version},
                                           {"actor", v.actor},
                                           {"reason", v.reason},
                                           {"created_at", TimeJson(v.created_at)},
                                           {"terms", v.term_count}});
              }
              respond(JsonBody(200, json::object{{"name", name}, {"versions", std::move(out)}}));
            });
      });
}

void RegisterCsvRoutes(Router& router, app::ComplianceService& service) {
  router.Add("GET", "/v1/wordlists/{name}/csv", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto version = VersionParam(request);
               if (!version.ok()) return respond(ErrorResponse(version.error()));
               service.WordListCsv(*name, *version, [respond](Result<std::string> csv) {
                 if (!csv.ok()) return respond(ErrorResponse(csv.error()));
                 Response response = JsonResponse(200, std::move(*csv));
                 response.content_type = "text/csv; charset=utf-8";
                 respond(std::move(response));
               });
             });
  router.Add(
      "PUT", "/v1/wordlists/{name}/csv", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto name = PathParam(request, "name");
        if (!name.ok()) return respond(ErrorResponse(name.error()));
        auto query = QueryParams(request);
        if (!query.ok()) return respond(ErrorResponse(query.error()));
        std::string mode = (*query)["mode"], reason = (*query)["reason"];
        if (mode.empty()) mode = "merge";
        if (mode != "merge" && mode != "replace") {
          return respond(JsonError(400, "invalid_argument", "expected merge or replace", "mode"));
        }
        const auto import_mode =
            mode == "replace" ? app::TermsImportMode::kReplace : app::TermsImportMode::kMerge;
        // Parsed and validated by the service, off the network thread.
        service.ImportTermsCsv(*name, request.body, *name + ".csv", import_mode, ActorOf(request),
                               reason, AnswerChange(*name, respond));
      },
      BodySize::kBulk);
}

void RegisterListChanges(Router& router, app::ComplianceService& service) {
  router.Add("POST", "/v1/wordlists", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto body = JsonObjectBody(request, {"name", "language", "reason"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto name = RequiredString(*body, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               service.CreateWordList(*name, OptionalString(*body, "language"), ActorOf(request),
                                      OptionalString(*body, "reason"),
                                      [name = *name, respond](Result<app::WordListChange> result) {
                                        if (!result.ok())
                                          return respond(ErrorResponse(result.error()));
                                        respond(JsonBody(201, ChangeJson(name, *result)));
                                      });
             });
  router.Add("POST", "/v1/wordlists/{name}/terms", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto body = JsonObjectBody(request, {"terms", "reason"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto terms = TermsFromBody(*body, false);
               if (!terms.ok()) return respond(ErrorResponse(terms.error()));
               service.AddTerms(*name, std::move(*terms), ActorOf(request),
                                OptionalString(*body, "reason"), AnswerChange(*name, respond));
             });
  router.Add("POST", "/v1/wordlists/{name}/terms/remove", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto body = JsonObjectBody(request, {"terms", "reason"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto terms = TermsFromBody(*body, true);
               if (!terms.ok()) return respond(ErrorResponse(terms.error()));
               service.RemoveTerms(*name, std::move(*terms), ActorOf(request),
                                   OptionalString(*body, "reason"), AnswerChange(*name, respond));
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

// Matches listed in one answer; the rest are counted (more_matches).
constexpr std::size_t kMaxListedMatches = 1000;

void RegisterWordTest(Router& router, app::ComplianceService& service) {
  router.Add("POST", "/v1/wordlists/test", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto body = JsonObjectBody(request, {"text", "language"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               const json::value* text = body->if_contains("text");
               if (text == nullptr || !text->is_string()) {
                 return respond(JsonError(400, "invalid_argument", "required (a string)", "text"));
               }
               // The scan runs on the service's scan thread: a long text against a list of broad
               // patterns takes seconds, which the network thread must never spend.
               service.TestText(
                   std::string(text->as_string()), OptionalString(*body, "language"),
                   kMaxListedMatches, [respond](Result<app::ComplianceService::TextTest> test) {
                     if (!test.ok()) return respond(ErrorResponse(test.error()));
                     json::array matches;
                     for (const auto& match : test->matches)
                       matches.push_back(MatchJson(match, test->text));
                     const std::uint64_t more = test->total_matches - test->matches.size();
                     respond(JsonBody(200, json::object{{"blocked", test->blocked},
                                                        {"matches", std::move(matches)},
                                                        {"total_matches", test->total_matches},
                                                        {"more_matches", more}}));
                   });
             });
}

}  // namespace

void RegisterWordListsApi(Router& router, app::ComplianceService& service) {
  RegisterListReads(router, service);
  RegisterCsvRoutes(router, service);
  RegisterListChanges(router, service);
  RegisterWordTest(router, service);
}

}  // namespace herald::http
