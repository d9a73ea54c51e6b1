// The outbound event hooks through the real heraldd (issue 17, item 5): events emitted by real
// actions (a campaign transition through the API, a single message blocked by the word filter),
// signed and checked by a loopback receiver; a dead letter replayed through the API; and what was
// pending when heraldd stopped delivered after its restart.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "tests/integration/test_config.h"
#include "tests/support/daemon_process.h"
#include "tests/support/hook_receiver.h"
#include "tests/support/temp_dir.h"
#include "webhooks/signature.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kHookSecret = "crm-signing-secret-0123456789";

json::object Json(const HttpResult& result) {
  boost::system::error_code ec;
  json::value value = json::parse(result.body, ec);
  EXPECT_FALSE(ec) << result.status << " " << result.body << result.error;
  return value.is_object() ? value.as_object() : json::object{};
}

class HooksTest : public ::testing::Test {
 protected:
  void TearDown() override { Stop(); }

  // heraldd with [hooks.crm] pointing at `receiver`.
  void Start(const HookReceiver& receiver, int max_attempts = 3,
             const std::string& extra_config = {}) {
    std::ofstream(dir_ / "hook.secret") << kHookSecret << "\n";
    std::filesystem::permissions(dir_ / "hook.secret", std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_write);
    const std::string config = TestConfig(dir_) + kAnyHourQuietHours + "[hooks.crm]\nurl = \"" +
                               receiver.url() + "\"\nsecret_file = \"" +
                               (dir_ / "hook.secret").string() +
                               "\"\nretry_base = \"20ms\"\nretry_max = \"100ms\"\n"
                               "max_attempts = " +
                               std::to_string(max_attempts) + "\ntimeout = \"5s\"\n" + extra_config;
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->Log();
  }
  void Stop() {
    if (!daemon_) return;
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << daemon_->Log();
    daemon_.reset();
  }
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    return HttpRequest(daemon_->port(), method, target, kToken, body);
  }
  void Import(const std::string& csv) {
    auto started = Call("POST", "/v1/contacts/imports?format=csv", csv);
    ASSERT_EQ(started.status, 202) << started.body;
    const std::string id(Json(started).at("id").as_string());
    for (int i = 0; i < 3000; ++i) {
      if (Json(Call("GET", "/v1/contacts/imports/" + id)).at("state") != "running") return;
      std::this_thread::sleep_for(milliseconds(20));
    }
    FAIL() << "import did not finish";
  }
  // The accepted hooks of `kind`, each checked as a receiver must.
  std::vector<json::object> AcceptedOf(const HookReceiver& receiver, const std::string& kind) {
    std::vector<json::object> bodies;
    for (const ReceivedHook& hook : receiver.Accepted()) {
      EXPECT_TRUE(hook.signature_valid && hook.fresh);
      if (hook.event == kind) bodies.push_back(json::parse(hook.body).as_object());
    }
    return bodies;
  }
  // Polls `done` until it holds or 20 s pass.
  static bool Eventually(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return true;
  }
  json::object CrmEndpoint() {
    const json::object hooks = Json(Call("GET", "/v1/hooks"));
    if (!hooks.contains("endpoints") || hooks.at("endpoints").as_array().empty()) return {};
    return hooks.at("endpoints").as_array()[0].as_object();
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(HooksTest, ACampaignTransitionThroughTheApiArrivesSigned) {
  HookReceiver crm(kHookSecret);
  Start(crm);
  ASSERT_EQ(Call("PUT", "/v1/templates/promo/de",
                 R"({"category":"MARKETING","status":"APPROVED","components":)"
                 R"([{"type":"BODY","text":"Hallo {{1}}"}]})")
                .status,
            201);
  HttpResult created = Call("POST", "/v1/campaigns",
                            R"({"name":"spring","segment":"tag:vip","template":{"name":"promo",)"
                            R"("language":"de","parameters":["{{name}}"]}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t id = Json(created).at("id").as_int64();
  HttpResult cancelled = Call("POST", "/v1/campaigns/" + std::to_string(id) + "/cancel",
                              R"({"reason":"wrong audience"})");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;

  ASSERT_TRUE(Eventually([&] { return !AcceptedOf(crm, "campaign.state").empty(); }))
      << daemon_->Log();
  const json::object event = AcceptedOf(crm, "campaign.state")[0];
  const json::object& data = event.at("data").as_object();
  EXPECT_EQ(data.at("campaign_id").as_int64(), id);
  EXPECT_EQ(data.at("name"), "spring");
  EXPECT_EQ(data.at("state"), "cancelled");
  EXPECT_EQ(data.at("previous_state"), "draft");
  EXPECT_EQ(data.at("reason"), "wrong audience");
  ASSERT_TRUE(Eventually([&] { return CrmEndpoint().at("delivered").as_int64() == 1; }));
  const std::string metrics = Call("GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(herald_hook_deliveries_total{endpoint="crm",result="delivered"} 1)"),
            std::string::npos)
      << metrics;
}

TEST_F(HooksTest, ABlockedSingleMessageIsSentForComplianceReview) {
  HookReceiver crm(kHookSecret);
  Start(crm);
  Import(
      "phone,name,country,language,tags,consent_marketing,consent_marketing_source\n"
      "+4915120000001,Kunde,DE,de,vip,yes,web form\n");
  ASSERT_EQ(Call("POST", "/v1/senders", R"({"phone_number_id":"1001"})").status, 201);
  ASSERT_EQ(Call("PUT", "/v1/templates/promo/de",
                 R"({"category":"MARKETING","status":"APPROVED","components":)"
                 R"([{"type":"BODY","text":"Hallo {{1}}"}]})")
                .status,
            201);
  // A word of the starter lists that blocks (see compliance_api_test).
  HttpResult sent = Call("POST", "/v1/messages",
                         R"({"to":"+4915120000001","template":{"name":"promo","language":"de",)"
                         R"("parameters":["Sie haben gewonnen!"]}})");
  ASSERT_EQ(sent.status, 200) << sent.body;
  ASSERT_EQ(Json(sent).at("state"), "blocked") << sent.body;
  const std::int64_t delivery = Json(sent).at("id").as_int64();

  ASSERT_TRUE(Eventually([&] { return !AcceptedOf(crm, "message.blocked").empty(); }));
  const json::object data = AcceptedOf(crm, "message.blocked")[0].at("data").as_object();
  EXPECT_EQ(data.at("delivery_id").as_int64(), delivery);
  EXPECT_TRUE(data.at("campaign_id").is_null());
  EXPECT_EQ(data.at("phone"), "+4915120000001");
  EXPECT_EQ(data.at("reason"), Json(sent).at("reason"));
}

TEST_F(HooksTest, ACampaignDeliveryBlockedAtSendTimeCarriesItsCampaign) {
  HookReceiver crm(kHookSecret);
  Start(crm);
  Import(
      "phone,name,country,language,tags,consent_marketing,consent_marketing_source\n"
      "+4915120000001,Kunde,DE,de,vip,yes,web form\n");
  ASSERT_EQ(Call("POST", "/v1/senders", R"({"phone_number_id":"1001"})").status, 201);
  ASSERT_EQ(Call("PUT", "/v1/templates/promo/de",
                 R"({"category":"MARKETING","status":"APPROVED","components":)"
                 R"([{"type":"BODY","text":"Hallo {{1}}"}]})")
                .status,
            201);
  HttpResult created = Call("POST", "/v1/campaigns",
                            R"({"name":"c","segment":"tag:vip","template":{"name":"promo",)"
                            R"("language":"de","parameters":["Sie haben gewonnen!"]}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t id = Json(created).at("id").as_int64();
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + std::to_string(id) + "/start").status, 200);

  ASSERT_TRUE(Eventually([&] { return !AcceptedOf(crm, "message.blocked").empty(); }))
      << daemon_->Log();
  const json::object data = AcceptedOf(crm, "message.blocked")[0].at("data").as_object();
  EXPECT_EQ(data.at("campaign_id").as_int64(), id);
  EXPECT_EQ(data.at("phone"), "+4915120000001");
  EXPECT_TRUE(data.at("reason").as_string().starts_with("blocked:word:"));
  // The campaign's own transitions came too: draft → running (and on to completed).
  ASSERT_TRUE(Eventually([&] { return !AcceptedOf(crm, "campaign.state").empty(); }));
  EXPECT_EQ(AcceptedOf(crm, "campaign.state")[0].at("data").at("previous_state"), "draft");
}

TEST_F(HooksTest, AStopInASignedWebhookPublishesTheOptOut) {
  constexpr const char* kAppSecret = "webhook-app-secret-0123456789";
  std::ofstream(dir_ / "app.secret") << kAppSecret << "\n";
  std::filesystem::permissions(dir_ / "app.secret", std::filesystem::perms::owner_read |
                                                        std::filesystem::perms::owner_write);
  HookReceiver crm(kHookSecret);
  Start(crm, 3, "[webhooks]\napp_secret_file = \"" + (dir_ / "app.secret").string() + "\"\n");
  const std::string at = std::to_string(
      std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  const std::string body =
      R"({"object":"whatsapp_business_account","entry":[{"id":"WABA1","changes":[{"field":)"
      R"("messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":)"
      R"("4930123","phone_number_id":"901"},"contacts":[{"profile":{"name":"Anna"},"wa_id":)"
      R"("4915100000003"}],"messages":[{"from":"4915100000003","id":"wamid.in1","timestamp":")" +
      at + R"(","type":"text","text":{"body":"STOP"}}]}}]}]})";
  const HttpResult posted =
      HttpRequest(daemon_->port(), "POST", "/webhooks/whatsapp", {}, body, seconds(10),
                  {{"X-Hub-Signature-256", webhooks::SignBody(kAppSecret, body)}});
  ASSERT_EQ(posted.status, 200) << posted.body;

  ASSERT_TRUE(Eventually([&] { return !AcceptedOf(crm, "contact.opted_out").empty(); }))
      << daemon_->Log();
  const json::object data = AcceptedOf(crm, "contact.opted_out")[0].at("data").as_object();
  EXPECT_EQ(data.at("phone"), "+4915100000003");
  EXPECT_EQ(data.at("source"), "webhook");
  EXPECT_EQ(data.at("keyword"), "whatsapp:STOP (en)");
  // The same STOP again (the platform retrying with another body) opts out nobody new.
  const std::string again = body.substr(0, body.find("wamid.in1")) + "wamid.in2" +
                            body.substr(body.find("wamid.in1") + 9);
  ASSERT_EQ(HttpRequest(daemon_->port(), "POST", "/webhooks/whatsapp", {}, again, seconds(10),
                        {{"X-Hub-Signature-256", webhooks::SignBody(kAppSecret, again)}})
                .status,
            200);
  ASSERT_TRUE(
      Eventually([&] { return Json(Call("GET", "/v1/webhooks")).at("pending").as_int64() == 0; }));
  // Nothing new in the outbox: one event, delivered.
  ASSERT_TRUE(Eventually([&] { return CrmEndpoint().at("pending").as_int64() == 0; }));
  EXPECT_EQ(CrmEndpoint().at("delivered").as_int64(), 1);
  EXPECT_EQ(AcceptedOf(crm, "contact.opted_out").size(), 1u);
}

TEST_F(HooksTest, ADeadLetterIsListedAndReplayedThroughTheApi) {
  HookReceiver crm(kHookSecret);
  crm.SetAlwaysFail(true);
  Start(crm, 2);
  HttpResult created =
      Call("POST", "/v1/campaigns", R"({"name":"c","segment":"tag:vip","text":"Hallo"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = std::to_string(Json(created).at("id").as_int64());
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/cancel", "{}").status, 200);

  json::array dead;
  ASSERT_TRUE(Eventually([&] {
    dead = Json(Call("GET", "/v1/hooks/dead?endpoint=crm")).at("dead").as_array();
    return dead.size() == 1;
  })) << daemon_->Log();
  EXPECT_EQ(crm.Received().size(), 2u);
  EXPECT_EQ(dead[0].at("kind"), "campaign.state");
  EXPECT_EQ(dead[0].at("attempts").as_int64(), 2);
  EXPECT_EQ(dead[0].at("last_error"), "HTTP 500");
  EXPECT_EQ(CrmEndpoint().at("dead").as_int64(), 1);
  EXPECT_EQ(CrmEndpoint().at("last_error"), "HTTP 500");
  EXPECT_TRUE(Json(Call("GET", "/v1/hooks/dead?endpoint=other")).at("dead").as_array().empty());

  crm.SetAlwaysFail(false);
  const std::string dead_id = std::to_string(dead[0].at("id").as_int64());
  HttpResult replayed = Call("POST", "/v1/hooks/dead/" + dead_id + "/replay");
  ASSERT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(Json(replayed).at("state"), "pending");
  ASSERT_TRUE(crm.WaitForAccepted(1));
  ASSERT_TRUE(Eventually([&] {
    return CrmEndpoint().at("delivered").as_int64() == 1 &&
           CrmEndpoint().at("dead").as_int64() == 0;
  }));
  EXPECT_EQ(Call("POST", "/v1/hooks/dead/" + dead_id + "/replay").status, 409);
  EXPECT_EQ(Call("POST", "/v1/hooks/dead/999999/replay").status, 404);
  EXPECT_EQ(Call("POST", "/v1/hooks/dead/replay", "{}").status, 400);
  HttpResult all = Call("POST", "/v1/hooks/dead/replay", R"({"endpoint":"crm"})");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Json(all).at("replayed").as_int64(), 0);
}

TEST_F(HooksTest, WhatWasPendingWhenHeralddStoppedIsDeliveredAfterTheRestart) {
  HookReceiver crm(kHookSecret);
  crm.SetAlwaysFail(true);
  Start(crm, 1000);
  HttpResult created =
      Call("POST", "/v1/campaigns", R"({"name":"c","segment":"tag:vip","text":"Hallo"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = std::to_string(Json(created).at("id").as_int64());
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/cancel", "{}").status, 200);
  ASSERT_TRUE(crm.WaitForReceived(1));
  // kill -9: nothing is flushed; the event is in the outbox since the cancel was answered.
  daemon_->Signal(SIGKILL);
  daemon_->WaitExit(seconds(15));
  daemon_.reset();
  EXPECT_TRUE(crm.Accepted().empty());

  crm.SetAlwaysFail(false);
  Start(crm, 1000);
  ASSERT_TRUE(Eventually([&] { return AcceptedOf(crm, "campaign.state").size() == 1; }))
      << daemon_->Log();
  EXPECT_EQ(AcceptedOf(crm, "campaign.state")[0].at("data").at("campaign_id").as_int64(),
            std::stoll(id));
}

}  // namespace
}  // namespace herald::testing
