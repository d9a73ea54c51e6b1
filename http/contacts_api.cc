#include "http/contacts_api.h"

#include <boost/json.hpp>

#include "contacts/phone_number.h"
#include "http/api_util.h"

namespace herald::http {
namespace {

namespace json = boost::json;

// The E.164 number named by a {phone} path segment ("%2B4915…" or "4915…" or national).
Result<std::string> PhoneParam(const Request& request, const std::string& default_region) {
  auto raw = PathParam(request, "phone");
  if (!raw.ok()) return raw.error();
  std::string text = *raw;
  if (!text.empty() && text[0] != '+' && text[0] != '0') text = "+" + text;
  auto phone = contacts::PhoneNormaliser(default_region).Normalise(text);
  if (!phone.ok()) return phone.error();
  return phone->e164;
}

}  // namespace

void RegisterContactsApi(Router& router, app::ContactService& service,
                         std::function<std::string()> default_region) {
  router.Add("GET", "/v1/contacts/{phone}", Access::kAdmin,
             [&service, default_region](const Request& request, Responder respond) {
               auto phone = PhoneParam(request, default_region());
               if (!phone.ok()) return respond(ErrorResponse(phone.error()));
               service.FindContact(*phone, AnswerJson<app::Contact>(respond, 200, ContactJson));
             });
  router.Add("DELETE", "/v1/contacts/{phone}", Access::kAdmin,
             [&service, default_region](const Request& request, Responder respond) {
               auto phone = PhoneParam(request, default_region());
               if (!phone.ok()) return respond(ErrorResponse(phone.error()));
               auto query = QueryParams(request);
               if (!query.ok() || (*query)["reason"].empty()) {
                 return respond(JsonError(
                     400, "invalid_argument",
                     "an erasure needs a reason (e.g. the request's reference)", "reason"));
               }
               service.Erase(*phone, ActorOf(request), (*query)["reason"],
                             AnswerJson<ContactId>(respond, 200, [](ContactId id) {
                               return json::object{{"erased", true}, {"id", id.value}};
                             }));
             });
  router.Add("POST", "/v1/contacts/{phone}/tags", Access::kAdmin,
             [&service, default_region](const Request& request, Responder respond) {
               auto phone = PhoneParam(request, default_region());
               if (!phone.ok()) return respond(ErrorResponse(phone.error()));
               auto body = JsonObjectBody(request, {"add", "remove"});
               if (!body.ok()) return respond(ErrorResponse(body.error()));
               auto add = StringList(*body, "add");
               auto remove = StringList(*body, "remove");
               if (!add.ok()) return respond(ErrorResponse(add.error()));
               if (!remove.ok()) return respond(ErrorResponse(remove.error()));
               service.ChangeTags(*phone, app::TagEdit{*add, *remove},
                                  AnswerJson<app::Contact>(respond, 200, ContactJson));
             });
}

}  // namespace herald::http
