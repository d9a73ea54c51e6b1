#include "http/tags_api.h"

#include <boost/json.hpp>

#include "http/api_util.h"
#include "http/segment_param.h"

namespace herald::http {
namespace {

namespace json = boost::json;

json::object CountsJson(const app::TagCounts& counts) {
  return json::object{
      {"matched", counts.matched}, {"changed", counts.changed}, {"not_found", counts.missing}};
}

json::object ContactsJson(std::uint64_t contacts) { return json::object{{"contacts", contacts}}; }

}  // namespace

void RegisterTagsApi(Router& router, app::ContactService& service) {
  router.Add(
      "POST", "/v1/tags/apply", Access::kAdmin,
      [&service](const Request& request, Responder respond) {
        auto body = JsonObjectBody(request, {"add", "remove", "phones", "segment"});
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
        app::TagTargets targets;
        targets.phones = std::move(*phones);
        if (body->contains("segment")) {
          auto expr = ExpressionOf(*body, "segment");
          if (!expr.ok()) return respond(ErrorResponse(expr.error()));
          targets.segment = std::move(*expr);
        } else if (targets.phones.empty()) {
          return respond(
              JsonError(400, "invalid_argument", "give \"phones\" or \"segment\"", "phones"));
        }
        service.ApplyTags(std::move(targets), app::TagEdit{*add, *remove},
                          AnswerJson<app::TagCounts>(respond, 200, CountsJson));
      });
  router.Add("POST", "/v1/tags/{name}/rename", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               auto body = JsonObjectBody(request, {"to"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               const json::value* to = body->if_contains("to");
               if (to == nullptr || !to->is_string() || to->as_string().empty()) {
                 return respond(JsonError(400, "invalid_argument", "expected the new name", "to"));
               }
               service.RenameTag(*name, std::string(to->as_string()), ActorOf(request),
                                 AnswerJson<std::uint64_t>(respond, 200, ContactsJson));
             });
  router.Add("DELETE", "/v1/tags/{name}", Access::kAdmin,
             [&service](const Request& request, Responder respond) {
               auto name = PathParam(request, "name");
               if (!name.ok()) return respond(ErrorResponse(name.error()));
               service.DeleteTag(*name, ActorOf(request),
                                 AnswerJson<std::uint64_t>(respond, 200, ContactsJson));
             });
}

}  // namespace herald::http
