// The real daemon's /metrics after some traffic, checked by Prometheus' own linter
// (`promtool check metrics`, unpacked from Debian's prometheus package by scripts/setup.sh), and
// the series that docs/operations.md lists, each with its type; then the same after a sandbox
// campaign that sends, is throttled, skips and blocks, so that the send path's labelled series
// are checked too (issue 18, item 9).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

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

// Runs `promtool check metrics` on `metrics`: no complaint at all is expected.
void ExpectPromtoolAccepts(const std::string& metrics, const std::filesystem::path& dir) {
  const std::filesystem::path promtool = FindPromtool();
  // Not a skip: without promtool this check would silently stop guarding the format.
  ASSERT_FALSE(promtool.empty()) << "promtool not found in .deps/ or on PATH: run scripts/setup.sh "
                                    "(Debian package prometheus)";
  ASSERT_FALSE(metrics.empty());
  const std::filesystem::path file = dir / "metrics.txt";
  std::ofstream(file) << metrics;
  CommandResult checked =
      RunCommand({"/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", promtool, file});
  EXPECT_EQ(checked.exit_code, 0) << checked.output << "\n--- /metrics:\n" << metrics;
  EXPECT_EQ(checked.output, "") << "promtool complained:\n" << checked.output;
}

TEST_F(MetricsLint, PromtoolFindsNoProblemInTheDaemonsMetrics) {
  MakeTraffic();
  ExpectPromtoolAccepts(Metrics(), dir_.path());
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
      {"herald_storage_jobs_queued", "gauge"},
      {"herald_storage_commit_duration_seconds", "histogram"},
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
  EXPECT_THAT(metrics, ::testing::ContainsRegex("\nherald_build_info\\{commit=\"[0-9a-z-]+\","
                                                "compiler=\"[a-z]+ [0-9.]+\",version=\""));
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

// The send path's series (docs/sending.md, docs/webhooks.md) after a sandbox campaign that the
// sandbox throttles (its numbers take 1 message a second; Herald's number is set to 80), with a
// contact without consent (skipped) and one whose name is a blocking word of the starter list
// "de" (blocked), then checked by promtool with their labels.
class MetricsLintWhileSending : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config = TestConfig(dir_) + kAnyHourQuietHours +
                               "[provider.sandbox]\nlatency = \"1ms\"\nthroughput = 1\n"
                               "status_delay = \"10ms\"\n";
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->Log();
  }
  void TearDown() override {
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->WaitExit(std::chrono::seconds(20)), 0) << daemon_->Log();
  }
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    return HttpRequest(daemon_->port(), method, target, kToken, body);
  }
  boost::json::object Json(const HttpResult& result) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(result.body, ec);
    EXPECT_FALSE(ec) << result.status << " " << result.body;
    return value.is_object() ? value.as_object() : boost::json::object{};
  }
  void Import(const std::string& csv) {
    HttpResult started = Call("POST", "/v1/contacts/imports?format=csv", csv);
    ASSERT_EQ(started.status, 202) << started.body;
    const std::string id(Json(started).at("id").as_string());
    for (int i = 0; i < 3000; ++i) {
      if (Json(Call("GET", "/v1/contacts/imports/" + id)).at("state") != "running") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "import did not finish";
  }
  // Runs a campaign to the vip segment until it completes.
  void SendCampaign() {
    ASSERT_EQ(Call("PUT", "/v1/templates/promo/de",
                   R"({"category":"MARKETING","status":"APPROVED","components":)"
                   R"([{"type":"BODY","text":"Hallo {{1}}, heute {{2}}"}]})")
                  .status,
              201);
    std::string csv =
        "phone,name,country,language,tags,consent_marketing,consent_marketing_source\n";
    for (int i = 0; i < 6; ++i) {
      csv += "+49151" + std::to_string(20000000 + i) + ",Kunde " + std::to_string(i) +
             ",DE,de,vip,yes,web form\n";
    }
    csv += "+4915129999001,Ohne Zustimmung,DE,de,vip,no,web form\n";
    csv += "+4915129999002,Gratis,DE,de,vip,yes,web form\n";
    Import(csv);
    ASSERT_EQ(Call("POST", "/v1/senders",
                   R"({"phone_number_id":"1001","throughput":80,)"
                   R"("messaging_limit_tier":"TIER_UNLIMITED"})")
                  .status,
              201);
    HttpResult created = Call("POST", "/v1/campaigns",
                              R"({"name":"c","segment":"tag:vip","template":{"name":"promo",)"
                              R"("language":"de","parameters":["{{name}}","Rabatt"]}})");
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = std::to_string(Json(created).at("id").as_int64());
    ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/start").status, 200);
    for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(180);
         std::chrono::steady_clock::now() < end;) {
      if (Json(Call("GET", "/v1/campaigns/" + id)).at("state") == "completed") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "campaign " << id << " did not complete: " << Call("GET", "/v1/campaigns/" + id).body;
  }
  std::string Metrics() {
    auto result = HttpRequest(daemon_->port(), "GET", "/metrics");
    EXPECT_EQ(result.status, 200) << result.error;
    return result.body;
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(MetricsLintWhileSending, TheSendPathsSeriesAreServedWithTheirLabelsAndPassPromtool) {
  SendCampaign();
  const std::string metrics = Metrics();
  const std::pair<const char*, const char*> documented[] = {
      {"herald_sends_total", "counter"},
      {"herald_send_in_flight", "gauge"},
      {"herald_send_claimed", "gauge"},
      {"herald_sender_level_per_second", "gauge"},
      {"herald_sender_allowed_per_second", "gauge"},
      {"herald_sender_tokens", "gauge"},
      {"herald_sender_backlog", "gauge"},
      {"herald_sender_slowed", "gauge"},
      {"herald_sender_pace_refusals_total", "counter"},
      {"herald_delivery_outcomes_total", "counter"},
      {"herald_gate_refusals_total", "counter"},
      {"herald_wordlist_blocks_total", "counter"},
      {"herald_send_errors_total", "counter"},
      {"herald_webhook_pending", "gauge"},
      {"herald_webhook_lag_seconds", "gauge"},
      {"herald_storage_jobs_queued", "gauge"},
      {"herald_storage_commit_duration_seconds", "histogram"},
  };
  for (const auto& [name, type] : documented) {
    EXPECT_THAT(metrics, ::testing::HasSubstr(std::string("\n# TYPE ") + name + " " + type + "\n"))
        << name;
  }
  // Six sent (after throttling; failed only after max_attempts), one skipped and one blocked
  // before a number was chosen.
  const double sent =
      Value(metrics, R"(herald_delivery_outcomes_total{sender="1001",state="sent"})");
  EXPECT_GT(sent, 0) << metrics;
  EXPECT_EQ(
      sent + Value(metrics, R"(herald_delivery_outcomes_total{sender="1001",state="failed"})"), 6);
  EXPECT_EQ(Value(metrics, R"(herald_delivery_outcomes_total{sender="none",state="skipped"})"), 1);
  EXPECT_EQ(Value(metrics, R"(herald_delivery_outcomes_total{sender="none",state="blocked"})"), 1);
  EXPECT_EQ(Value(metrics, R"(herald_gate_refusals_total{reason="no_consent:marketing"})"), 1);
  EXPECT_EQ(Value(metrics, R"(herald_gate_refusals_total{reason="word"})"), 1);
  EXPECT_EQ(Value(metrics, R"(herald_wordlist_blocks_total{list="de"})"), 1);
  EXPECT_GT(Value(metrics, R"(herald_send_errors_total{class="throttled",code="130429"})"), 0)
      << "the sandbox takes 1 message a second from a number paced at 80";
  EXPECT_GT(Value(metrics, R"(herald_delivery_outcomes_total{sender="1001",state="retried"})"), 0);
  EXPECT_GE(Value(metrics, R"(herald_sender_tokens{sender="1001"})"), 0);
  EXPECT_GE(Value(metrics, R"(herald_sender_slowed{reason="backoff",sender="1001"})"), 0);
  EXPECT_EQ(Value(metrics, "herald_send_claimed"), 0);
  EXPECT_GE(Value(metrics, "herald_webhook_pending"), 0);
  EXPECT_GE(Value(metrics, "herald_webhook_lag_seconds"), 0);
  EXPECT_GE(Value(metrics, "herald_storage_jobs_queued"), 0);
  EXPECT_GT(Value(metrics, "herald_storage_commit_duration_seconds_count"), 0);
  EXPECT_THAT(metrics, ::testing::Not(::testing::HasSubstr("+49151"))) << "no recipient labels";
  EXPECT_THAT(metrics, ::testing::Not(::testing::HasSubstr("gratis"))) << "no term labels";
  ExpectPromtoolAccepts(metrics, dir_.path());
}

}  // namespace
}  // namespace herald::testing
