// A stand-in for heraldd's admin API (readiness, status, bearer auth) for CLI tests.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {

inline constexpr char kToken[] = "s3cret-token";

inline constexpr char kReadyBody[] = R"({"status":"ready","checks":{"storage":"ok"}})";
inline constexpr char kNotReadyBody[] =
    R"({"status":"not_ready","checks":{"storage":"database is locked"}})";
inline constexpr char kStatusBody[] =
    R"({"version":"0.1.0","ready":true,"uptime_seconds":12,"schema_version":4,)"
    R"("listen":"127.0.0.1:8420","connections":1,)"
    R"("storage":{"path":"/var/lib/herald/herald.db"}})";
inline constexpr char kUnauthenticatedBody[] =
    R"({"error":{"code":"unauthenticated","message":"missing or invalid bearer token","field":""}})";

// GET /readyz answers 200 or 503 per `ready`; GET /v1/status wants "Bearer <kToken>".
inline RequestHandler FakeDaemon(bool ready = true) {
  return [ready](const RecordedRequest& request) -> CannedResponse {
    if (request.target == "/readyz") {
      return ready ? CannedResponse{200, kReadyBody} : CannedResponse{503, kNotReadyBody};
    }
    if (request.target.starts_with("/v1/") &&
        request.authorization != std::string("Bearer ") + kToken) {
      return CannedResponse{401, kUnauthenticatedBody};
    }
    if (request.target == "/v1/status") return CannedResponse{200, kStatusBody};
    return CannedResponse{
        404, R"({"error":{"code":"not_found","message":"no such endpoint","field":""}})"};
  };
}

inline constexpr char kContactBody[] =
    R"({"id":42,"phone":"+4915112345678","name":"Anna Schmidt","country":"DE","language":"de",)"
    R"("timezone":"Europe/Berlin","tags":["vip","newsletter"],"opted_out":false,)"
    R"("consent":{"marketing":true,"utility":false},"attributes":{"city":"Berlin","plan":"pro"}})";

// An admin API answering from a table: the key is "METHOD target" (the target with its query, as
// sent: "GET /v1/contacts/%2B4915112345678"). A route's answers are given in turn, the last one
// repeating. /v1/ wants "Bearer <kToken>" (else 401); anything not in the table is a JSON 404.
inline RequestHandler FakeApi(std::map<std::string, std::vector<CannedResponse>> routes) {
  auto served = std::make_shared<std::map<std::string, std::size_t>>();  // the server's thread only
  return [routes = std::move(routes), served](const RecordedRequest& request) -> CannedResponse {
    if (request.authorization != std::string("Bearer ") + kToken) {
      return CannedResponse{401, kUnauthenticatedBody};
    }
    const std::string key = request.method + " " + request.target;
    auto route = routes.find(key);
    if (route == routes.end() || route->second.empty()) {
      return CannedResponse{
          404, R"({"error":{"code":"not_found","message":"no such endpoint","field":""}})"};
    }
    std::size_t& count = (*served)[key];
    const std::size_t index = std::min(count++, route->second.size() - 1);
    return route->second[index];
  };
}

}  // namespace herald::cli::testing
