// http/admin_api.h: the daemon's own endpoints: /healthz, /readyz, /metrics and /v1/status.
// Resource endpoints (contacts, campaigns, …) are registered by their own files as they arrive.
//
// /metrics serves the metrics registry (common/metrics.h) that every component registers its
// series into; nothing here lists them.
//
// Thread rules: registration and every handler run on the network thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "common/metrics.h"
#include "http/router.h"

namespace herald::http {

struct DaemonSnapshot {
  std::string version;
  bool ready = false;
  std::string not_ready_reason;  // empty when ready
  std::int64_t uptime_seconds = 0;
  int schema_version = 0;
  std::string listen;
  std::string storage_path;
  std::size_t open_connections = 0;
};

// `metrics` must outlive the router. `snapshot` is called on the network thread for every status
// and readiness request.
void RegisterAdminRoutes(Router& router, const metrics::Registry& metrics,
                         std::function<DaemonSnapshot()> snapshot);

}  // namespace herald::http
