// http/router.h: routes HTTP requests of the admin API to handlers, enforces bearer-token auth
// on /v1, and shapes every error as JSON {"error":{"code":…,"message":…,"field":…}}.
//
// Request and Response are plain values so that handlers never see Beast or Asio. A handler gets a
// Responder and must call it exactly once, from any thread: the HTTP server brings the response
// back to the network thread. Handlers must not block (post blocking work to the storage writer).
//
// Thread rules: configure (Add, SetAdminToken) and Dispatch on the network thread.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/constant_time.h"
#include "common/result.h"
#include "common/temp_file.h"

namespace herald::http {

struct Request {
  std::string method;  // "GET", "POST", …
  std::string path;    // without the query string, percent-decoding left to handlers
  std::string query;   // after '?', may be empty
  std::string authorization;
  std::string content_type;
  std::string actor;  // X-Herald-Actor: who a change is recorded for (CheckActor holds for it)
  std::string body;
  // Routes with BodySize::kSpooled get their body here instead of in `body`: a temporary file
  // the server wrote as it arrived, deleted when the last owner lets go (a handler may keep it
  // for work that goes on after the answer). Null for other routes and for an empty body.
  std::shared_ptr<const TempFile> body_file;
  std::map<std::string, std::string> params;  // from "{name}" segments of the route
  // Every header as received, in order; names as the client spelt them.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header called `name` (compared case-insensitively), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is streamed from this file (in bounded memory) instead of `body`, and
  // the file is deleted once sent. For large downloads such as segment exports.
  std::filesystem::path body_file;
  std::vector<std::pair<std::string, std::string>> headers;
};

Response JsonResponse(int status, std::string body);
Response JsonError(int status, std::string_view code, std::string_view message,
                   std::string_view field = {});

using Responder = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Responder)>;

// Which body size limit applies to a route (the limits themselves are server config).
enum class BodySize {
  kNormal,   // server.max_body_size
  kBulk,     // server.max_import_size: file uploads read into memory (word list CSV)
  kSpooled,  // server.max_import_size, written to a temporary file as it arrives (imports)
};

enum class Access {
  kPublic,  // health checks, metrics, webhooks (which verify their own signature)
  kAdmin,   // requires "Authorization: Bearer <admin token>"
};

class Router {
 public:
  // `pattern` is a path whose segments may be "{name}", e.g. "/v1/campaigns/{id}".
  void Add(std::string method, std::string pattern, Access access, Handler handler,
           BodySize body_size = BodySize::kNormal);
  void SetAdminToken(std::string token) { admin_token_ = std::move(token); }

  // Finds the route, checks access, and calls its handler; answers 401/404/405 itself, and 400
  // for an X-Herald-Actor that is not UTF-8.
  void Dispatch(Request request, Responder respond) const;

  // What the server needs before reading a request's body. The views point into the route table:
  // valid until the next Add.
  struct RouteInfo {
    BodySize body_size = BodySize::kNormal;  // of the route the request goes to
    // Metric labels from a bounded set, never the raw request: the pattern of the first route
    // whose path matches ("/v1/contacts/{id}") or "unmatched", and the method when a route of
    // that pattern has it, else "other".
    std::string_view pattern = "unmatched";
    std::string_view method = "other";
  };
  RouteInfo Lookup(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Access access;
    Handler handler;
    BodySize body_size;
  };
  bool Authorized(const Request& request) const;

  std::vector<Route> routes_;
  std::string admin_token_;
};

// The longest X-Herald-Actor accepted, in bytes. The same limit as the CLI's --actor.
inline constexpr std::size_t kMaxActorBytes = 200;

// Whether `actor` may be recorded as who made a change (the audit log, the history of a word list,
// the daemon's log, JSON answers): at most kMaxActorBytes bytes of valid UTF-8 and no control
// characters (bytes below 0x20, and 0x7f), so that it always reads as one name on one line. Empty
// means the header was not sent (the actor is then "admin") and is fine. The error names the header
// and the rule. Dispatch answers 400 with it for every admin route, before the handler runs.
Status CheckActor(std::string_view actor);

// Decodes %XX escapes (and '+' as space when `plus_is_space`); nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);
// "a=1&b=x%20y" -> {a: "1", b: "x y"}; nullopt when an escape is malformed.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query);

// Compares secrets in time independent of where they differ (common/constant_time.h).
using herald::ConstantTimeEquals;

}  // namespace herald::http
