// A stand-in for heraldd's admin API (readiness, status, bearer auth) for CLI tests.
#pragma once

#include <string>

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

}  // namespace herald::cli::testing
