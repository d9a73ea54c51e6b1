// Crash safety of sending (issue 16, "Done when"): a real heraldd, a real kill -9, ten times at
// random moments during a 20,000-recipient campaign against the fake Cloud API server, each
// followed by a restart. Checked: the server received each recipient at most once; at the end
// every delivery is final or uncertain; the uncertain ones never exceed what was in flight
// ('sending', durable before the hand-over) at the kills; the server's record and the database
// agree.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "storage/sqlite/connection.h"
#include "tests/integration/test_config.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_cloud_api.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kRecipients = 20000;
constexpr int kKills = 10;

json::object Json(const HttpResult& result) {
  boost::system::error_code ec;
  json::value value = json::parse(result.body, ec);
  return !ec && value.is_object() ? value.as_object() : json::object{};
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeCloudApiOptions options;
    options.threads = 2;
    options.faults.latency = milliseconds(5);
    server_ = std::make_unique<FakeCloudApi>(options);
  }
  void TearDown() override {
    if (daemon_) {
      daemon_->Signal(SIGTERM);
      daemon_->WaitExit(seconds(20));
    }
    server_->Stop();
  }
  void Start() {
    const std::string config =
        TestConfig(dir_) + kAnyHourQuietHours +
        CloudApiProviderConfig(dir_, server_->base_url(), server_->token(), "2s");
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
    ASSERT_TRUE(daemon_->WaitReady(seconds(30))) << daemon_->Log();
  }
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    return HttpRequest(daemon_->port(), method, target, kToken, body, seconds(30));
  }
  std::map<std::string, std::int64_t> States() {
    auto connection = storage::Connection::Open({dir_ / "herald.db"});
    EXPECT_TRUE(connection.ok());
    std::map<std::string, std::int64_t> states;
    if (!connection.ok()) return states;
    auto query = (*connection)->Prepare("SELECT state, count(*) FROM deliveries GROUP BY state");
    while (query.ok() && *query->Step()) states[query->ColumnText(0)] = query->ColumnInt(1);
    return states;
  }

  TempDir dir_;
  std::unique_ptr<FakeCloudApi> server_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(CrashTest, TenKillsDuringACampaignNeverSendTwiceAndLeaveOnlyWhatWasInFlightUncertain) {
  Start();
  std::string csv = "phone,name,country,language,tags,consent_marketing,consent_marketing_source\n";
  for (int i = 0; i < kRecipients; ++i) {
    csv +=
        "+49151" + std::to_string(30000000 + i) + ",K" + std::to_string(i) + ",DE,de,all,yes,web\n";
  }
  auto imported = Call("POST", "/v1/contacts/imports?format=csv", csv);
  ASSERT_EQ(imported.status, 202) << imported.body;
  const std::string import_id(Json(imported).at("id").as_string());
  for (int i = 0; i < 3000; ++i) {
    if (Json(Call("GET", "/v1/contacts/imports/" + import_id)).at("state") != "running") break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  for (const char* id : {"2001", "2002"}) {
    ASSERT_EQ(Call("POST", "/v1/senders",
                   std::string(R"({"phone_number_id":")") + id +
                       R"(","throughput":400,"messaging_limit_tier":"TIER_UNLIMITED"})")
                  .status,
              201);
  }
  ASSERT_EQ(Call("PUT", "/v1/templates/promo/de",
                 R"({"category":"MARKETING","status":"APPROVED","components":)"
                 R"([{"type":"BODY","text":"Hallo {{1}}"}]})")
                .status,
            201);
  auto created = Call("POST", "/v1/campaigns",
                      R"({"name":"crash","segment":"tag:all","template":{"name":"promo",)"
                      R"("language":"de","parameters":["{{name}}"]}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = std::to_string(Json(created).at("id").as_int64());
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/start").status, 200);

  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> pause_ms(500, 2500);
  std::int64_t in_flight_at_kills = 0;
  std::int64_t uncertain_before = 0;
  std::string summary;
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(milliseconds(pause_ms(random)));
    daemon_->Signal(SIGKILL);
    daemon_->WaitExit(seconds(10));
    daemon_.reset();
    auto states = States();
    const std::int64_t sending = states["sending"];
    in_flight_at_kills += sending;
    summary += " " + std::to_string(sending);
    Start();
    // The restart turned what was in flight into uncertain, and nothing else.
    auto after = States();
    EXPECT_LE(after["uncertain"] - uncertain_before, sending) << "kill " << kill;
    uncertain_before = after["uncertain"];
    for (const auto& [to, requests] : server_->RequestsByRecipient()) {
      ASSERT_LE(requests, 1u) << to << " received twice (kill " << kill << ", seed " << seed << ")";
    }
  }

  json::object done;
  for (auto end = std::chrono::steady_clock::now() + std::chrono::minutes(5);
       std::chrono::steady_clock::now() < end;) {
    done = Json(Call("GET", "/v1/campaigns/" + id));
    if (done.contains("state") && done.at("state") == "completed") break;
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_EQ(done.at("state"), "completed") << json::serialize(done);
  auto states = States();
  EXPECT_EQ(states["queued"], 0);
  EXPECT_EQ(states["sending"], 0);
  EXPECT_LE(states["uncertain"], in_flight_at_kills);
  EXPECT_EQ(states["sent"] + states["uncertain"], kRecipients) << json::serialize(done);

  // The server and the database agree: every recipient received at most once; everyone the
  // database calls sent was received.
  const auto received = server_->RequestsByRecipient();
  for (const auto& [to, requests] : received) EXPECT_LE(requests, 1u) << to;
  EXPECT_GE(static_cast<std::int64_t>(server_->Stats().accepted), states["sent"]);
  EXPECT_LE(static_cast<std::int64_t>(server_->Stats().accepted),
            states["sent"] + states["uncertain"]);
  std::printf("crash test (seed %u): %d kills, in flight at each:%s; sent %lld, uncertain %lld\n",
              seed, kKills, summary.c_str(), static_cast<long long>(states["sent"]),
              static_cast<long long>(states["uncertain"]));
}

}  // namespace
}  // namespace herald::testing
