// http/api_util.h: small helpers shared by the admin API handlers.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/router.h"
#include "storage/contact_repository.h"

namespace herald::http {

// The HTTP status an error code stands for.
int HttpStatusFor(ErrorCode code);
// A JSON error response for `error` (status from its code).
Response ErrorResponse(const Error& error);
Response JsonBody(int status, const boost::json::value& body);

// The request body as a JSON object, or a 400 naming what is wrong.
Result<boost::json::object> JsonObjectBody(const Request& request);
// `key` as a list of strings (missing: empty list); an error names the key.
Result<std::vector<std::string>> StringList(const boost::json::object& body, std::string_view key);
// The actor for the audit log: X-Herald-Actor, else "admin".
std::string ActorOf(const Request& request);

boost::json::object ContactJson(const storage::StoredContact& contact);

}  // namespace herald::http
