// Tags across contacts, segment preview and export, saved segments (see contacts_api.h).
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <set>

#include "contacts/import_reader.h"
#include "daemon/api_util.h"
#include "daemon/contacts_api.h"
#include "storage/segment_repository.h"

namespace herald::daemon {
namespace {

namespace json = boost::json;
constexpr std::size_t kTagBatch = 2000;  // contacts per writer job when tagging many

// The expression in a JSON body's `key`, parsed; errors name the key and the position.
Result<campaign::SegmentExpr> ExpressionOf(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a segment expression (string)",
                     std::string(key));
  }
  auto expr = campaign::ParseSegment(std::string(value->as_string()));
  if (!expr.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, expr.error().message, std::string(key));
  }
  return expr;
}

json::object PreviewJson(const SegmentPreview& preview) {
  json::object by_country;
  for (const auto& [country, count] : preview.by_country) {
    by_country[country.empty() ? "unknown" : country] = count;
  }
  json::array sample;
  for (const auto& contact : preview.sample) sample.push_back(ContactJson(contact));
  return json::object{{"count", preview.count},
                      {"by_country", std::move(by_country)},
                      {"sample", std::move(sample)}};
}

// Writes the contacts `ids` as CSV in the import format (so that the export imports back
// unchanged) to a new temporary file, one contact at a time: memory stays bounded however large
// the segment. Two passes: the attribute columns must be known before the first row.
Result<std::filesystem::path> ExportCsv(storage::Connection& reader,
                                        const std::vector<ContactId>& ids) {
  auto repository = storage::ContactRepository::Create(reader);
  if (!repository.ok()) return repository.error();
  std::set<std::string> attribute_keys;
  for (ContactId id : ids) {
    auto contact = (*repository)->FindById(id);
    if (!contact.ok()) return contact.error();
    if (!contact->has_value()) continue;
    for (const auto& [key, value] : (*contact)->attributes) attribute_keys.insert(key);
  }
  // mkstemp replaces the six trailing characters of its template.
  std::string path =
      (std::filesystem::temp_directory_path() / ("herald-export-" + std::string(6, 'X'))).string();
  int fd = mkstemp(path.data());
  if (fd < 0) return MakeError(ErrorCode::kIoError, "cannot create a temporary export file");
  close(fd);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<std::string> header = {
      "phone",          "name", "tags", "country", "language", "timezone", "consent_marketing",
      "consent_utility"};
  header.insert(header.end(), attribute_keys.begin(), attribute_keys.end());
  WriteCsvRow(out, header, contacts::ContactCsvOptions());
  for (ContactId id : ids) {
    auto contact = (*repository)->FindById(id);
    if (!contact.ok()) return contact.error();
    if (!contact->has_value()) continue;  // erased meanwhile
    const storage::StoredContact& c = **contact;
    std::string tags;
    for (const auto& tag : c.tags) tags += (tags.empty() ? "" : ";") + tag;
    std::vector<std::string> row = {c.phone_e164,
                                    c.name,
                                    tags,
                                    c.country,
                                    c.language,
                                    c.timezone,
                                    c.consent_marketing ? "yes" : "no",
                                    c.consent_utility ? "yes" : "no"};
    for (const auto& key : attribute_keys) {
      auto it = std::find_if(c.attributes.begin(), c.attributes.end(),
                             [&](const auto& attribute) { return attribute.first == key; });
      row.push_back(it == c.attributes.end() ? "" : it->second);
    }
    WriteCsvRow(out, row, contacts::ContactCsvOptions());
  }
  out.close();
  if (!out) return MakeError(ErrorCode::kIoError, "cannot write the export file " + path);
  return std::filesystem::path(path);
}

struct TagCounts {
  std::uint64_t matched = 0, changed = 0, missing = 0;
};

// Adds/removes tags on `phones` (E.164) or `ids`, in batches on the writer; answers with counts.
void ApplyTags(ContactService& service, std::vector<std::string> phones, std::vector<ContactId> ids,
               std::vector<std::string> add, std::vector<std::string> remove, Responder respond) {
  auto counts = std::make_shared<TagCounts>();
  auto results = std::make_shared<std::vector<storage::UpsertResult>>();
  auto now = service.clock().Now();
  auto job = [=](storage::Connection& connection) -> Status {
    auto repository = storage::ContactRepository::Create(connection);
    if (!repository.ok()) return repository.error();
    std::vector<ContactId> targets = ids;
    for (const auto& phone : phones) {
      auto contact = (*repository)->FindByPhone(phone);
      if (!contact.ok()) return contact.error();
      if (contact->has_value())
        targets.push_back((*contact)->id);
      else
        ++counts->missing;
    }
    for (ContactId id : targets) {
      auto changed = (*repository)->ChangeTags(id, add, remove, now);
      if (!changed.ok()) {
        if (changed.error().code == ErrorCode::kNotFound) {
          ++counts->missing;
          continue;
        }
        return changed.error();
      }
      ++counts->matched;
      if (changed->outcome != storage::UpsertOutcome::kUnchanged) {
        ++counts->changed;
        results->push_back(std::move(*changed));
      }
    }
    return Status::Ok();
  };
  Status queued =
      service.store().writer().Submit(job, [&service, counts, results, respond](Status s) {
        if (!s.ok()) return respond(ErrorResponse(s.error()));
        service.ApplyCommitted(*results);
        respond(JsonBody(200, json::object{{"matched", counts->matched},
                                           {"changed", counts->changed},
                                           {"not_found", counts->missing}}));
      });
  if (!queued.ok()) respond(ErrorResponse(queued.error()));
}

// The index knows tags by name: rebuild the "before" of a contact whose tag `from` was renamed to
// `to` (or deleted, when `to` is empty) from the contact as it is now.
storage::UpsertResult TagChangeOf(storage::StoredContact after, const std::string& from,
                                  const std::string& to) {
  storage::StoredContact before = after;
  auto& tags = before.tags;
  if (!to.empty()) {
    tags.erase(
        std::remove_if(tags.begin(), tags.end(), [&](const std::string& tag) { return tag == to; }),
        tags.end());
  }
  tags.push_back(from);
  return storage::UpsertResult{storage::UpsertOutcome::kUpdated, std::move(before),
                               std::move(after)};
}

void RegisterTags(Router& router, ContactService& service) {
  router.Add(
      "POST", "/v1/tags/apply", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto body = JsonObjectBody(request);
        if (!body.ok()) return respond(ErrorResponse(body.error()));
        auto add = StringList(*body, "add");
        auto remove = StringList(*body, "remove");
        auto phones = StringList(*body, "phones");
        for (auto* list : {&add, &remove, &phones}) {
          if (!list->ok()) return respond(ErrorResponse(list->error()));
        }
        if (add->empty() && remove->empty()) {
          return respond(JsonError(400, "invalid_argument", "nothing to add or remove", "add"));
        }
        std::vector<ContactId> ids;
        if (body->contains("segment")) {
          auto expr = ExpressionOf(*body, "segment");
          if (!expr.ok()) return respond(ErrorResponse(expr.error()));
          ids = service.Members(*expr);
        } else if (phones->empty()) {
          return respond(
              JsonError(400, "invalid_argument", "give \"phones\" or \"segment\"", "phones"));
        }
        ApplyTags(service, *phones, std::move(ids), *add, *remove, std::move(respond));
      });
  for (const char* method : {"POST", "DELETE"}) {
    std::string pattern =
        std::string(method) == "POST" ? "/v1/tags/{name}/rename" : "/v1/tags/{name}";
    router.Add(
        method, pattern, Access::kAdmin,
        [&service, rename = std::string(method) == "POST"](const Request& request,
                                                           Responder respond) {
          std::string name = PercentDecode(request.params.at("name"), false).value_or("");
          std::string to;
          if (rename) {
            auto body = JsonObjectBody(request);
            if (!body.ok()) return respond(ErrorResponse(body.error()));
            const json::value* value = body->if_contains("to");
            if (value == nullptr || !value->is_string() || value->as_string().empty()) {
              return respond(JsonError(400, "invalid_argument", "expected the new name", "to"));
            }
            to = std::string(value->as_string());
          }
          auto results = std::make_shared<std::vector<storage::UpsertResult>>();
          std::string actor = ActorOf(request);
          auto now = service.clock().Now();
          Status queued = service.store().writer().Submit(
              [=](storage::Connection& connection) -> Status {
                auto repository = storage::ContactRepository::Create(connection);
                if (!repository.ok()) return repository.error();
                auto touched = rename ? (*repository)->RenameTag(name, to, actor, now)
                                      : (*repository)->DeleteTag(name, actor, now);
                if (!touched.ok()) return touched.error();
                results->clear();
                for (ContactId id : *touched) {
                  auto after = (*repository)->FindById(id);
                  if (!after.ok()) return after.error();
                  if (!after->has_value()) continue;
                  results->push_back(
                      TagChangeOf(std::move(**after), name, rename ? to : std::string()));
                }
                return Status::Ok();
              },
              [&service, results, respond](Status status) {
                if (!status.ok()) return respond(ErrorResponse(status.error()));
                service.ApplyCommitted(*results);
                respond(JsonBody(200, json::object{{"contacts", results->size()}}));
              });
          if (!queued.ok()) respond(ErrorResponse(queued.error()));
        });
  }
}

void RegisterSegmentQueries(Router& router, ContactService& service) {
  router.Add(
      "POST", "/v1/segments/preview", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto body = JsonObjectBody(request);
        if (!body.ok()) return respond(ErrorResponse(body.error()));
        auto expr = ExpressionOf(*body, "expression");
        if (!expr.ok()) return respond(ErrorResponse(expr.error()));
        std::size_t sample = 10;
        if (const json::value* n = body->if_contains("sample")) {
          if (!n->is_int64() || n->as_int64() < 0 || n->as_int64() > 1000) {
            return respond(JsonError(400, "invalid_argument", "expected 0 to 1000", "sample"));
          }
          sample = static_cast<std::size_t>(n->as_int64());
        }
        service.Query([&service, expr = *expr, sample, respond](storage::Connection& reader) {
          respond(JsonBody(200, PreviewJson(service.Preview(reader, expr, sample))));
        });
      });
  router.Add("POST", "/v1/segments/export", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto body = JsonObjectBody(request);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto expr = ExpressionOf(*body, "expression");
               if (!expr.ok()) return respond(ErrorResponse(expr.error()));
               service.Query([&service, expr = *expr, respond](storage::Connection& reader) {
                 auto file = ExportCsv(reader, service.Members(expr));
                 if (!file.ok()) return respond(ErrorResponse(file.error()));
                 Response response;
                 response.content_type = "text/csv; charset=utf-8";
                 response.body_file = *file;
                 respond(std::move(response));
               });
             });
}

json::object SavedJson(const storage::SavedSegment& segment) {
  return json::object{{"name", segment.name},
                      {"expression", segment.expression},
                      {"created_by", segment.created_by},
                      {"created_ms", segment.created_at.time_since_epoch().count()},
                      {"updated_ms", segment.updated_at.time_since_epoch().count()}};
}

void RegisterSavedSegments(Router& router, ContactService& service) {
  router.Add("GET", "/v1/segments", Access::kAdmin, [&service](const Request&, Responder respond) {
    service.Query([respond](storage::Connection& reader) {
      auto list = storage::SegmentRepository(reader).List();
      if (!list.ok()) return respond(ErrorResponse(list.error()));
      json::array out;
      for (const auto& segment : *list) out.push_back(SavedJson(segment));
      respond(JsonBody(200, json::object{{"segments", std::move(out)}}));
    });
  });
  router.Add("GET", "/v1/segments/{name}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               std::string name = PercentDecode(request.params.at("name"), false).value_or("");
               service.Query([name, respond](storage::Connection& reader) {
                 auto found = storage::SegmentRepository(reader).Find(name);
                 if (!found.ok()) return respond(ErrorResponse(found.error()));
                 if (!found->has_value()) {
                   return respond(JsonError(404, "not_found", "no segment named " + name, "name"));
                 }
                 respond(JsonBody(200, SavedJson(**found)));
               });
             });
  router.Add("PUT", "/v1/segments/{name}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               std::string name = PercentDecode(request.params.at("name"), false).value_or("");
               auto body = JsonObjectBody(request);
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto expr = ExpressionOf(*body, "expression");
               if (!expr.ok()) return respond(ErrorResponse(expr.error()));
               std::string text = campaign::ToString(*expr), actor = ActorOf(request);
               auto now = service.clock().Now();
               Status queued = service.store().writer().Submit(
                   [=](storage::Connection& c) {
                     return storage::SegmentRepository(c).Save(name, text, actor, now);
                   },
                   [respond, name, text](Status s) {
                     if (!s.ok()) return respond(ErrorResponse(s.error()));
                     respond(JsonBody(200, json::object{{"name", name}, {"expression", text}}));
                   });
               if (!queued.ok()) respond(ErrorResponse(queued.error()));
             });
  router.Add("DELETE", "/v1/segments/{name}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               std::string name = PercentDecode(request.params.at("name"), false).value_or("");
               std::string actor = ActorOf(request);
               auto now = service.clock().Now();
               Status queued = service.store().writer().Submit(
                   [=](storage::Connection& c) {
                     return storage::SegmentRepository(c).Delete(name, actor, now);
                   },
                   [respond](Status s) {
                     if (!s.ok()) return respond(ErrorResponse(s.error()));
                     respond(JsonBody(200, json::object{{"deleted", true}}));
                   });
               if (!queued.ok()) respond(ErrorResponse(queued.error()));
             });
}

}  // namespace

void RegisterTagsAndSegmentsApi(Router& router, ContactService& service) {
  RegisterTags(router, service);
  RegisterSegmentQueries(router, service);
  RegisterSavedSegments(router, service);
}

}  // namespace herald::daemon
