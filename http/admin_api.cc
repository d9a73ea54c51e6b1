#include "http/admin_api.h"

#include <boost/json.hpp>
#include <sstream>

namespace herald::http {
namespace {

namespace json = boost::json;

void Counter(std::ostringstream& out, const char* name, const char* help, std::uint64_t value) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
      << name << ' ' << value << '\n';
}

void Gauge(std::ostringstream& out, const char* name, const char* help, double value) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
      << name << ' ' << value << '\n';
}

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
      {"connections", snapshot.http.open_connections},
      {"storage", json::object{{"path", snapshot.storage_path}}},
  };
  if (!snapshot.ready) body["not_ready_reason"] = snapshot.not_ready_reason;
  return JsonResponse(200, json::serialize(body));
}

}  // namespace

std::string RenderMetrics(const DaemonSnapshot& snapshot) {
  std::ostringstream out;
  out << "# HELP herald_build_info Build information.\n# TYPE herald_build_info gauge\n"
      << "herald_build_info{version=\"" << snapshot.version << "\"} 1\n";
  Gauge(out, "herald_ready", "1 when the daemon is ready to serve.", snapshot.ready ? 1 : 0);
  Gauge(out, "herald_uptime_seconds", "Seconds since the daemon started.",
        static_cast<double>(snapshot.uptime_seconds));
  Gauge(out, "herald_http_connections_open", "Open HTTP connections.",
        static_cast<double>(snapshot.http.open_connections));
  Counter(out, "herald_http_connections_accepted_total", "Accepted HTTP connections.",
          snapshot.http.accepted);
  Counter(out, "herald_http_connections_evicted_total",
          "Idle connections closed to make room at the connection limit.", snapshot.http.evicted);
  Counter(out, "herald_http_connections_refused_total",
          "Connections refused with 503 because every connection was busy.", snapshot.http.refused);
  out << "# HELP herald_http_responses_total HTTP responses by status class.\n"
      << "# TYPE herald_http_responses_total counter\n";
  for (int status_class = 1; status_class <= 5; ++status_class) {
    out << "herald_http_responses_total{code=\"" << status_class << "xx\"} "
        << snapshot.http.responses_by_class[status_class] << '\n';
  }
  Counter(out, "herald_storage_batches_committed_total", "Write batches committed to SQLite.",
          snapshot.writer.batches_committed);
  Counter(out, "herald_storage_jobs_committed_total", "Write jobs committed to SQLite.",
          snapshot.writer.jobs_committed);
  Counter(out, "herald_storage_jobs_failed_total", "Write jobs that failed or were rolled back.",
          snapshot.writer.jobs_failed);
  const app::ComplianceStats& compliance = snapshot.compliance;
  Counter(out, "herald_wordlist_activations_total", "Word filters built and swapped in.",
          compliance.activations);
  Counter(out, "herald_wordlist_activation_failures_total",
          "Word filter builds that failed; the previous filter stayed active.",
          compliance.activation_failures);
  Gauge(out, "herald_wordlist_last_activation_seconds",
        "Time to load and compile the word lists at the last activation.",
        compliance.last_activation_ms / 1000.0);
  Gauge(out, "herald_wordlist_terms", "Terms in the active word lists.",
        static_cast<double>(compliance.word_terms));
  Counter(out, "herald_wordfilter_dfa_fallbacks_total",
          "Scans that fell back from the DFA to per-term matching (out of matcher memory).",
          compliance.dfa_fallbacks);
  Gauge(out, "herald_templates", "Templates in the gate's catalog.",
        static_cast<double>(compliance.templates));
  Gauge(out, "herald_templates_invalid",
        "Stored templates left out of the catalog because they do not compile.",
        static_cast<double>(compliance.templates_invalid));
  return out.str();
}

void RegisterAdminRoutes(Router& router, std::function<DaemonSnapshot()> snapshot) {
  router.Add("GET", "/healthz", Access::kPublic, [](const Request&, Responder respond) {
    respond(JsonResponse(200, R"({"status":"ok"})"));
  });
  router.Add("GET", "/readyz", Access::kPublic,
             [snapshot](const Request&, Responder respond) { respond(Readiness(snapshot())); });
  router.Add("GET", "/metrics", Access::kPublic, [snapshot](const Request&, Responder respond) {
    Response response = JsonResponse(200, RenderMetrics(snapshot()));
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    respond(std::move(response));
  });
  router.Add("GET", "/v1/status", Access::kAdmin, [snapshot](const Request&, Responder respond) {
    respond(StatusResponse(snapshot()));
  });
}

}  // namespace herald::http
