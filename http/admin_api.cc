#include "http/admin_api.h"

#include <boost/json.hpp>

namespace herald::http {
namespace {

namespace json = boost::json;

Response Readiness(const DaemonSnapshot& snapshot) {
  json::object checks{{"storage", snapshot.ready ? "ok" : snapshot.not_ready_reason}};
  json::object body{{"status", snapshot.ready ? "ready" : "not_ready"}, {"checks", checks}};
  return JsonResponse(snapshot.ready ? 200 : 503, json::serialize(body));
}

Response StatusResponse(const DaemonSnapshot& snapshot) {
  json::object body{
      {"version", snapshot.version},
      {"ready", snapshot.ready},
      {"uptime_seconds", snapshot.uptime_seconds},
      {"schema_version", snapshot.schema_version},
      {"listen", snapshot.listen},
      {"connections", snapshot.open_connections},
      {"storage", json::object{{"path", snapshot.storage_path}}},
  };
  if (!snapshot.ready) body["not_ready_reason"] = snapshot.not_ready_reason;
  return JsonResponse(200, json::serialize(body));
}

}  // namespace

void RegisterAdminRoutes(Router& router, const metrics::Registry& metrics,
                         std::function<DaemonSnapshot()> snapshot) {
  router.Add("GET", "/healthz", Access::kPublic, [](const Request&, Responder respond) {
    respond(JsonResponse(200, R"({"status":"ok"})"));
  });
  router.Add("GET", "/readyz", Access::kPublic,
             [snapshot](const Request&, Responder respond) { respond(Readiness(snapshot())); });
  router.Add("GET", "/metrics", Access::kPublic, [&metrics](const Request&, Responder respond) {
    Response response = JsonResponse(200, metrics.Serialize());
    response.content_type = metrics::kTextContentType;
    respond(std::move(response));
  });
  router.Add("GET", "/v1/status", Access::kAdmin, [snapshot](const Request&, Responder respond) {
    respond(StatusResponse(snapshot()));
  });
}

}  // namespace herald::http
