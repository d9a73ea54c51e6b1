// The real daemon's /metrics after some traffic, checked by Prometheus' own linter
// (`promtool check metrics`, unpacked from Debian's prometheus package by scripts/setup.sh), and
// the series that docs/operations.md lists, each with its type.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "tests/integration/daemon_fixture.h"

namespace herald::testing {
namespace {

// promtool as scripts/setup.sh unpacks it into the checkout's .deps/, else on the PATH; or empty.
std::filesystem::path FindPromtool() {
  if (const char* source = std::getenv("HERALD_SOURCE_DIR")) {
    std::filesystem::path unpacked =
        std::filesystem::path(source) / ".deps/prometheus/usr/bin/promtool";
    if (::access(unpacked.c_str(), X_OK) == 0) return unpacked;
  }
  const char* path = std::getenv("PATH");
  std::istringstream directories(path ? path : "/usr/bin");
  for (std::string directory; std::getline(directories, directory, ':');) {
    std::filesystem::path candidate = std::filesystem::path(directory) / "promtool";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

class MetricsLint : public StartedDaemon {
 protected:
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    return HttpRequest(daemon_->port(), method, target, kToken, body);
  }
  // Requests on several routes and status classes, so that labelled series exist.
  void MakeTraffic() {
    EXPECT_EQ(Call("GET", "/healthz").status, 200);
    EXPECT_EQ(Call("GET", "/v1/status").status, 200);
    EXPECT_EQ(HttpRequest(daemon_->port(), "GET", "/v1/status").status, 401);
    EXPECT_EQ(Call("GET", "/no/such/path").status, 404);
    EXPECT_EQ(Call("PUT", "/v1/segments/vip", R"({"expression":"tag:vip"})").status, 200);
    EXPECT_EQ(Call("PUT", "/v1/segments/bad", R"({"expression":"tag:"})").status, 400);
    EXPECT_EQ(Call("GET", "/v1/segments/vip").status, 200);
    EXPECT_EQ(Call("POST", "/v1/wordlists/test", R"({"text":"hello","language":"en"})").status,
              200);
    EXPECT_EQ(Call("GET", "/v1/wordlists").status, 200);
  }
  std::string Metrics() {
    auto result = HttpRequest(daemon_->port(), "GET", "/metrics");
    EXPECT_EQ(result.status, 200) << result.error;
    return result.body;
  }
};

TEST_F(MetricsLint, PromtoolFindsNoProblemInTheDaemonsMetrics) {
  const std::filesystem::path promtool = FindPromtool();
  // Not a skip: without promtool this check would silently stop guarding the format.
  ASSERT_FALSE(promtool.empty()) << "promtool not found in .deps/ or on PATH: run scripts/setup.sh "
                                    "(Debian package prometheus)";
  MakeTraffic();
  const std::string metrics = Metrics();
  ASSERT_FALSE(metrics.empty());
  const std::filesystem::path file = dir_ / "metrics.txt";
  std::ofstream(file) << metrics;
  CommandResult checked =
      RunCommand({"/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", promtool, file});
  EXPECT_EQ(checked.exit_code, 0) << checked.output << "\n--- /metrics:\n" << metrics;
  EXPECT_EQ(checked.output, "") << "promtool complained:\n" << checked.output;
}

TEST_F(MetricsLint, EveryDocumentedSeriesIsServedWithItsType) {
  MakeTraffic();
  const std::string metrics = Metrics();
  const std::pair<const char*, const char*> documented[] = {
      {"herald_build_info", "gauge"},
      {"herald_ready", "gauge"},
      {"herald_uptime_seconds", "gauge"},
      {"herald_http_connections_open", "gauge"},
      {"herald_http_connections_accepted_total", "counter"},
      {"herald_http_connections_evicted_total", "counter"},
      {"herald_http_connections_refused_total", "counter"},
      {"herald_http_responses_total", "counter"},
      {"herald_http_request_duration_seconds", "histogram"},
      {"herald_storage_batches_committed_total", "counter"},
      {"herald_storage_jobs_committed_total", "counter"},
      {"herald_storage_jobs_failed_total", "counter"},
      {"herald_storage_jobs_rejected_total", "counter"},
      {"herald_storage_commit_failures_total", "counter"},
      {"herald_wordlist_activations_total", "counter"},
      {"herald_wordlist_activation_failures_total", "counter"},
      {"herald_wordlist_last_activation_seconds", "gauge"},
      {"herald_wordlist_terms", "gauge"},
      {"herald_wordfilter_dfa_fallbacks_total", "counter"},
      {"herald_templates", "gauge"},
      {"herald_templates_invalid", "gauge"},
  };
  for (const auto& [name, type] : documented) {
    EXPECT_THAT(metrics, ::testing::HasSubstr(std::string("\n# TYPE ") + name + " " + type + "\n"))
        << name;
  }
  EXPECT_THAT(metrics, ::testing::HasSubstr("\nherald_ready 1\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("\nherald_build_info{version=\""));
  EXPECT_THAT(metrics, ::testing::HasSubstr(
                           "\nherald_http_request_duration_seconds_count{method=\"PUT\",route=\"/"
                           "v1/segments/{name}\"} 2\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("\nherald_http_responses_total{code=\"4xx\"} 3\n"));
}

// The value of an unlabelled series, or -1 when it is missing.
double Value(const std::string& metrics, const std::string& name) {
  const std::string prefix = "\n" + name + " ";
  const auto at = metrics.find(prefix);
  return at == std::string::npos ? -1 : std::strtod(metrics.c_str() + at + prefix.size(), nullptr);
}

// A user's bad input is a refusal, answered 4xx; herald_storage_jobs_failed_total is for storage
// faults only (an alert fires on it). Each request below reaches the storage writer as a job that
// refuses its input.
TEST_F(MetricsLint, BadInputCountsAsRejectedJobsNeverAsFailedOnes) {
  const double rejected_before = Value(Metrics(), "herald_storage_jobs_rejected_total");
  const std::string terms = R"({"terms":[{"term":"gratis"}],"reason":"r"})";
  const std::pair<HttpResult, int> answers[] = {
      {Call("POST", "/v1/wordlists/no-such-list/terms", terms), 404},
      {Call("POST", "/v1/wordlists/no-such-list/terms/remove", terms), 404},
      {Call("POST", "/v1/wordlists/global/terms/remove",
            R"({"terms":[{"term":"not-on-the-list"}],"reason":"r"})"),
       404},
      {Call("POST", "/v1/wordlists/global/terms", R"({"terms":[{"term":"gratis"}]})"), 400},
      {Call("POST", "/v1/wordlists", R"({"name":"global","reason":"r"})"), 409},
      {Call("PUT", "/v1/wordlists/no-such-list/csv?reason=r",
            "term,match,severity\ngratis,word,block\n"),
       404},
      {Call("POST", "/v1/contacts/%2B4915112345678/tags", R"({"add":["vip"]})"), 404},
      {Call("DELETE", "/v1/contacts/%2B4915112345678?reason=r"), 404},
      {Call("POST", "/v1/tags/no-such-tag/rename", R"({"to":"other"})"), 404},
      {Call("DELETE", "/v1/tags/no-such-tag"), 404},
      {Call("DELETE", "/v1/segments/no-such-segment"), 404},
  };
  for (const auto& [answer, status] : answers) EXPECT_EQ(answer.status, status) << answer.body;

  const std::string metrics = Metrics();
  EXPECT_EQ(Value(metrics, "herald_storage_jobs_failed_total"), 0) << metrics;
  EXPECT_GE(Value(metrics, "herald_storage_jobs_rejected_total") - rejected_before,
            static_cast<double>(std::size(answers)))
      << metrics;
  EXPECT_EQ(Value(metrics, "herald_storage_commit_failures_total"), 0);
}

}  // namespace
}  // namespace herald::testing
