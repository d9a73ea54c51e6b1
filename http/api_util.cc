#include "http/api_util.h"

#include <boost/json.hpp>

#include "common/time.h"
#include "common/utf8.h"

namespace herald::http {

namespace json = boost::json;

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kStorageFull:
      return 507;  // Insufficient Storage
    default:
      return 500;
  }
}

Response ErrorResponse(const Error& error) {
  return JsonError(HttpStatusFor(error.code), ErrorCodeName(error.code), error.message,
                   error.field);
}

Response JsonBody(int status, const json::value& body) {
  return JsonResponse(status, json::serialize(body));
}

Result<json::object> JsonObjectBody(const Request& request) {
  boost::system::error_code ec;
  json::value value = json::parse(request.body, ec);
  if (ec) {
    return MakeError(ErrorCode::kInvalidArgument, "request body is not JSON: " + ec.message());
  }
  if (!value.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "request body must be a JSON object");
  }
  return std::move(value.as_object());
}

Result<std::vector<std::string>> StringList(const json::object& body, std::string_view key) {
  std::vector<std::string> list;
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return list;
  if (!value->is_array()) {
    return MakeError(ErrorCode::kInvalidArgument, "must be an array of strings", std::string(key));
  }
  for (const json::value& item : value->as_array()) {
    if (!item.is_string()) {
      return MakeError(ErrorCode::kInvalidArgument, "must be an array of strings",
                       std::string(key));
    }
    list.emplace_back(item.as_string());
  }
  return list;
}

std::string ActorOf(const Request& request) {
  return request.actor.empty() ? std::string("admin") : request.actor;
}

Result<std::string> PathParam(const Request& request, const std::string& name) {
  auto it = request.params.find(name);
  std::optional<std::string> decoded =
      it == request.params.end() ? std::nullopt : PercentDecode(it->second, false);
  if (!decoded) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed percent-escape in the path", name);
  }
  if (decoded->empty()) return MakeError(ErrorCode::kInvalidArgument, "empty", name);
  if (!IsValidUtf8(*decoded)) return MakeError(ErrorCode::kInvalidArgument, "not UTF-8", name);
  return *decoded;
}

Result<std::map<std::string, std::string>> QueryParams(const Request& request) {
  auto query = ParseQuery(request.query);
  if (!query) return MakeError(ErrorCode::kInvalidArgument, "malformed query string", "query");
  // Values are stored (a change's reason, a consent source) and shown in answers: UTF-8 only.
  for (const auto& [key, value] : *query) {
    if (!IsValidUtf8(key)) return MakeError(ErrorCode::kInvalidArgument, "not UTF-8", "query");
    if (!IsValidUtf8(value)) return MakeError(ErrorCode::kInvalidArgument, "not UTF-8", key);
  }
  return std::move(*query);
}

json::string TimeJson(SysTime time) { return json::string(FormatRfc3339(time)); }

json::object ContactJson(const app::Contact& contact) {
  json::array tags;
  for (const auto& tag : contact.tags) tags.emplace_back(tag);
  json::object attributes;
  for (const auto& [key, value] : contact.attributes) attributes[key] = value;
  json::object out{{"id", contact.id.value},
                   {"phone", contact.phone_e164},
                   {"name", contact.name},
                   {"country", contact.country},
                   {"language", contact.language},
                   {"timezone", contact.timezone},
                   {"tags", std::move(tags)},
                   {"opted_out", contact.opted_out},
                   {"consent", json::object{{"marketing", contact.consent_marketing},
                                            {"utility", contact.consent_utility}}},
                   {"attributes", std::move(attributes)}};
  if (contact.last_inbound) {
    out["last_inbound_ms"] = ToUnixMillis(*contact.last_inbound);
    out["last_inbound_at"] = TimeJson(*contact.last_inbound);
  }
  return out;
}

}  // namespace herald::http
