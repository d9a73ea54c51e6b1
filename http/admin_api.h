// http/admin_api.h: the daemon's own endpoints: /healthz, /readyz, /metrics and /v1/status.
// Resource endpoints (contacts, campaigns, …) are registered by their own files as they arrive.
//
// Thread rules: registration and every handler run on the network thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "app/compliance_stats.h"
#include "http/http_server.h"
#include "http/router.h"

namespace herald::http {

// What the store's writer has done (storage::WriterStats, copied by the daemon).
struct WriterCounts {
  std::uint64_t batches_committed = 0;
  std::uint64_t jobs_committed = 0;
  std::uint64_t jobs_failed = 0;
};

struct DaemonSnapshot {
  std::string version;
  bool ready = false;
  std::string not_ready_reason;  // empty when ready
  std::int64_t uptime_seconds = 0;
  int schema_version = 0;
  std::string listen;
  std::string storage_path;
  HttpStats http;
  WriterCounts writer;
  app::ComplianceStats compliance;
};

// `snapshot` is called on the network thread for every status, readiness and metrics request.
void RegisterAdminRoutes(Router& router, std::function<DaemonSnapshot()> snapshot);

// Prometheus text exposition format (version 0.0.4).
std::string RenderMetrics(const DaemonSnapshot& snapshot);

}  // namespace herald::http
