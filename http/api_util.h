// http/api_util.h: small helpers shared by the admin API handlers.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/contact_service.h"
#include "common/ids.h"
#include "common/result.h"
#include "http/router.h"

namespace herald::http {

// The HTTP status an error code stands for.
int HttpStatusFor(ErrorCode code);
// A JSON error response for `error` (status from its code).
Response ErrorResponse(const Error& error);
Response JsonBody(int status, const boost::json::value& body);

// The request body as a JSON object whose keys are all among `fields`, or a 400 naming what is
// wrong: not JSON, not an object, a key not among `fields` (a misspelt "reason" must not be
// ignored), or a key given twice in any object of the body (JSON parsers keep one of them
// silently, and which one differs between clients and servers).
Result<boost::json::object> JsonObjectBody(const Request& request,
                                           std::initializer_list<std::string_view> fields);
Result<boost::json::object> JsonObjectBody(const Request& request,
                                           std::span<const std::string_view> fields);
// `key` as a list of strings (missing: empty list); an error names the key.
Result<std::vector<std::string>> StringList(const boost::json::object& body, std::string_view key);
// Typed optional fields of a JSON body: absent or null gives nullopt; a value of another type is
// a 400 naming the key. Strings must be valid UTF-8 (a JSON parser guarantees it); times are
// RFC 3339 with an offset; numbers may be integers or decimals.
Result<std::optional<std::string>> OptionalStringField(const boost::json::object& body,
                                                       std::string_view key);
Result<std::optional<double>> OptionalNumberField(const boost::json::object& body,
                                                  std::string_view key);
Result<std::optional<bool>> OptionalBoolField(const boost::json::object& body,
                                              std::string_view key);
Result<std::optional<SysTime>> OptionalTimeField(const boost::json::object& body,
                                                 std::string_view key);

// The actor for the audit log: X-Herald-Actor (the router refused one CheckActor does not
// accept), else "admin".
std::string ActorOf(const Request& request);

// The one decoder of "{name}" path parameters: percent-decoded; a malformed escape, an empty
// value or one that is not UTF-8 is a 400 naming the parameter.
Result<std::string> PathParam(const Request& request, const std::string& name);
// The "{id}" path parameter as a campaign id: a positive number, else a 400 naming "id".
Result<CampaignId> CampaignIdParam(const Request& request);
// The query string as key/value pairs; a malformed escape or a key or value that is not UTF-8 is
// a 400.
Result<std::map<std::string, std::string>> QueryParams(const Request& request);

// A reply for a service call: formats the value with `format` into a JSON answer with `status`,
// or answers the error.
template <typename T, typename Format>
app::Reply<T> AnswerJson(Responder respond, int status, Format format) {
  return [respond = std::move(respond), status, format = std::move(format)](Result<T> result) {
    if (!result.ok()) return respond(ErrorResponse(result.error()));
    respond(JsonBody(status, format(*result)));
  };
}

// A number for an answer: an integer when it is one (Boost.JSON writes the double 80 as 8E1),
// else the double.
boost::json::value NumberJson(double value);

// Every time in an API answer: RFC 3339, UTC, milliseconds ("2026-12-04T05:03:47.123Z").
boost::json::string TimeJson(SysTime time);

boost::json::object ContactJson(const app::Contact& contact);

}  // namespace herald::http
