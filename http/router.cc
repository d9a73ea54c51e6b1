#include "http/router.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "common/utf8.h"

namespace herald::http {
namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

bool Match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::map<std::string, std::string>* params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const std::string& part = pattern[i];
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      (*params)[part.substr(1, part.size() - 2)] = path[i];
    } else if (part != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

Response JsonResponse(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response JsonError(int status, std::string_view code, std::string_view message,
                   std::string_view field) {
  // Messages and fields echo the request (a path segment, a query key), which may be any bytes;
  // Boost.JSON writes strings as given, and a client's parser refuses JSON that is not UTF-8.
  boost::json::object error{{"code", ReplaceInvalidUtf8(code)},
                            {"message", ReplaceInvalidUtf8(message)},
                            {"field", ReplaceInvalidUtf8(field)}};
  return JsonResponse(status, boost::json::serialize(boost::json::object{{"error", error}}));
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex(text[i + 1]);
      int low = hex(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += (plus_is_space && c == '+') ? ' ' : c;
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    std::size_t equals = pair.find('=');
    auto key = PercentDecode(pair.substr(0, equals), true);
    auto value =
        PercentDecode(equals == std::string_view::npos ? "" : pair.substr(equals + 1), true);
    if (!key || !value) return std::nullopt;
    if (!key->empty()) params[*key] = *value;
    start = end + 1;
  }
  return params;
}

Status CheckActor(std::string_view actor) {
  const std::string rule = "X-Herald-Actor must be at most " + std::to_string(kMaxActorBytes) +
                           " bytes of UTF-8 without control characters";
  if (actor.size() > kMaxActorBytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     rule + " (it has " + std::to_string(actor.size()) + " bytes)",
                     "X-Herald-Actor");
  }
  for (std::size_t i = 0; i < actor.size(); ++i) {
    const auto byte = static_cast<unsigned char>(actor[i]);
    if (byte < 0x20 || byte == 0x7f) {
      return MakeError(ErrorCode::kInvalidArgument,
                       rule + " (byte " + std::to_string(i + 1) + " is a control character)",
                       "X-Herald-Actor");
    }
  }
  if (const std::size_t bad = FindInvalidUtf8(actor); bad != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     rule + " (byte " + std::to_string(bad + 1) + " is not valid UTF-8)",
                     "X-Herald-Actor");
  }
  return Status::Ok();
}

void Router::Add(std::string method, std::string pattern, Access access, Handler handler,
                 BodySize body_size) {
  auto segments = SplitPath(pattern);
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(segments), access,
                          std::move(handler), body_size});
}

Router::RouteInfo Router::Lookup(std::string_view method, std::string_view path) const {
  auto segments = SplitPath(path);
  RouteInfo info;
  bool path_known = false;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!Match(route.segments, segments, &params)) continue;
    if (route.method == method) return RouteInfo{route.body_size, route.pattern, route.method};
    if (!std::exchange(path_known, true)) info.pattern = route.pattern;
  }
  return info;
}

bool Router::Authorized(const Request& request) const {
  constexpr std::string_view kScheme = "Bearer ";
  std::string_view header = request.authorization;
  if (admin_token_.empty() || header.size() <= kScheme.size()) return false;
  // RFC 7235: the scheme name is case-insensitive.
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return false;
    }
  }
  return ConstantTimeEquals(header.substr(kScheme.size()), admin_token_);
}

void Router::Dispatch(Request request, Responder respond) const {
  auto path = SplitPath(request.path);
  bool path_known = false;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!Match(route.segments, path, &params)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    if (route.access == Access::kAdmin && !Authorized(request)) {
      Response denied = JsonError(401, "unauthenticated", "missing or invalid bearer token");
      denied.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"herald\"");
      return respond(std::move(denied));
    }
    if (route.access == Access::kAdmin) {
      // Recorded with every change and written to the log: refused here, once for every route.
      if (Status actor = CheckActor(request.actor); !actor.ok()) {
        return respond(
            JsonError(400, "invalid_argument", actor.error().message, actor.error().field));
      }
    }
    request.params = std::move(params);
    return route.handler(request, std::move(respond));
  }
  // Unknown /v1 paths answer 401 before 404 to unauthenticated callers: no probing of the API.
  if (request.path.starts_with("/v1/") && !Authorized(request)) {
    Response denied = JsonError(401, "unauthenticated", "missing or invalid bearer token");
    denied.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"herald\"");
    return respond(std::move(denied));
  }
  if (path_known) {
    return respond(JsonError(405, "method_not_allowed",
                             "method " + request.method + " is not allowed on " + request.path));
  }
  respond(JsonError(404, "not_found", "no such resource: " + request.path));
}

}  // namespace herald::http
