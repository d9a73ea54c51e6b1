// Campaigns sent through the real daemon to the Cloud-API-compatible fake server over loopback
// (issue 16, "Done when"): exactly one request per eligible recipient, refusals recorded with
// their reasons, retries on 5xx, timeouts left uncertain and never re-sent, throttling that slows
// the number and loses nothing, pause and resume, a paused campaign that sends nothing, and a
// deliveries export that agrees with what the server recorded, end_by expiry, local-time delivery
// across zones, and a portfolio's 24 h tier usage that survives a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "common/time.h"
#include "tests/integration/test_config.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_cloud_api.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

json::object Json(const HttpResult& result) {
  boost::system::error_code ec;
  json::value value = json::parse(result.body, ec);
  EXPECT_FALSE(ec) << result.status << " " << result.body << result.error;
  return value.is_object() ? value.as_object() : json::object{};
}

std::int64_t Deliveries(const json::object& campaign, const char* state) {
  return campaign.at("deliveries").at(state).as_int64();
}

// `count` German mobile numbers with marketing consent, tagged `tag`.
std::string ConsentingContacts(int count, int first = 0, const std::string& tag = "vip") {
  std::string csv = "phone,name,country,language,tags,consent_marketing,consent_marketing_source\n";
  for (int i = first; i < first + count; ++i) {
    csv += "+49151" + std::to_string(20000000 + i) + ",Kunde " + std::to_string(i) + ",DE,de," +
           tag + ",yes,web form\n";
  }
  return csv;
}

class SendingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeCloudApiOptions options;
    options.limits.throughput_per_second = 0;
    server_ = std::make_unique<FakeCloudApi>(options);
    Start();
    ASSERT_EQ(Call("PUT", "/v1/templates/promo/de",
                   R"({"category":"MARKETING","status":"APPROVED","components":)"
                   R"([{"type":"BODY","text":"Hallo {{1}}, heute {{2}}"}]})")
                  .status,
              201);
  }
  void TearDown() override {
    Stop();
    server_->Stop();
  }
  void Start() {
    const std::string config =
        TestConfig(dir_) + kAnyHourQuietHours +
        CloudApiProviderConfig(dir_, server_->base_url(), server_->token(), "1s");
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->Log();
  }
  void Stop() {
    if (!daemon_) return;
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->WaitExit(seconds(20)), 0) << daemon_->Log();
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
  void AddSender(const std::string& id, int throughput) {
    const std::string body = R"({"phone_number_id":")" + id + R"(","throughput":)" +
                             std::to_string(throughput) +
                             R"(,"messaging_limit_tier":"TIER_UNLIMITED"})";
    ASSERT_EQ(Call("POST", "/v1/senders", body).status, 201);
  }
  std::string StartCampaign(const std::string& extra = {}, const std::string& tag = "vip") {
    HttpResult created = Call("POST", "/v1/campaigns",
                              R"({"name":"c","segment":"tag:)" + tag +
                                  R"(","template":{"name":"promo","language":"de",)"
                                  R"("parameters":["{{name}}","Rabatt"]})" +
                                  extra + "}");
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string id = std::to_string(Json(created).at("id").as_int64());
    EXPECT_EQ(Call("POST", "/v1/campaigns/" + id + "/start").status, 200);
    return id;
  }
  json::object WaitFor(const std::string& id, const std::string& state,
                       milliseconds timeout = seconds(120)) {
    json::object campaign;
    for (auto end = std::chrono::steady_clock::now() + timeout;
         std::chrono::steady_clock::now() < end;) {
      campaign = Json(Call("GET", "/v1/campaigns/" + id));
      if (campaign.at("state") == json::value(state)) return campaign;
      std::this_thread::sleep_for(milliseconds(50));
    }
    ADD_FAILURE() << "campaign " << id << " not " << state << ": " << json::serialize(campaign);
    return campaign;
  }
  std::vector<json::value> Rows(const std::string& id, const std::string& query = {}) {
    HttpResult rows = Call("GET", "/v1/campaigns/" + id + "/deliveries?format=jsonl" + query);
    EXPECT_EQ(rows.status, 200);
    std::vector<json::value> out;
    std::istringstream lines(rows.body);
    for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line));
    return out;
  }
  // Nobody got more than one request.
  void ExpectAtMostOncePerRecipient() {
    for (const auto& [to, requests] : server_->RequestsByRecipient()) {
      EXPECT_LE(requests, 1u) << to << " was sent " << requests << " requests";
    }
  }

  TempDir dir_;
  std::unique_ptr<FakeCloudApi> server_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(SendingTest, EachEligibleRecipientGetsExactlyOneRequestAndRefusalsSayWhy) {
  Import(ConsentingContacts(200) +
         "+4915129999001,No Consent,DE,de,vip,no,web form\n"
         "+12125550101,US Reader,US,en,vip,yes,web form\n");
  // A contact whose consent was revoked, and one whose template value has nothing to fill {{1}}
  // with.
  Import(
      "phone,name,tags,consent_marketing,consent_marketing_source\n"
      "+4915129999002,Revoked,vip,no,unsubscribe link\n");
  Import(
      "phone,tags,consent_marketing,consent_marketing_source,language,country\n"
      "+4915129999003,vip,yes,web,de,DE\n");
  AddSender("1001", 500);
  const std::string id = StartCampaign();
  json::object done = WaitFor(id, "completed");
  EXPECT_EQ(Deliveries(done, "sent"), 200);
  EXPECT_EQ(Deliveries(done, "skipped"), 4);
  EXPECT_EQ(server_->Stats().accepted, 200u);
  EXPECT_EQ(server_->Received().size(), 200u);
  ExpectAtMostOncePerRecipient();
  std::map<std::string, std::string> reasons;
  for (const json::value& row : Rows(id, "&state=skipped")) {
    reasons[std::string(row.at("phone").as_string())] = std::string(row.at("reason").as_string());
  }
  EXPECT_EQ(reasons["+4915129999001"], "skipped:no_consent:marketing");
  EXPECT_EQ(reasons["+12125550101"], "skipped:market:us_marketing_pause");
  EXPECT_EQ(reasons["+4915129999002"], "skipped:no_consent:marketing");
  EXPECT_EQ(reasons["+4915129999003"], "skipped:missing_value:name");
}

TEST_F(SendingTest, TheDeliveriesExportAgreesWithWhatTheServerRecorded) {
  Import(ConsentingContacts(150));
  AddSender("1001", 500);
  const std::string id = StartCampaign();
  WaitFor(id, "completed");
  std::map<std::string, std::string> exported;  // message id -> phone
  for (const json::value& row : Rows(id)) {
    EXPECT_EQ(row.at("state"), "sent") << json::serialize(row);
    exported[std::string(row.at("message_id").as_string())] =
        std::string(row.at("phone").as_string());
  }
  std::map<std::string, std::string> received;
  for (const ReceivedMessage& message : server_->Received()) {
    received[message.message_id] = "+" + message.to;
    EXPECT_EQ(message.phone_number_id, "1001");
    EXPECT_EQ(message.template_name, "promo");
    EXPECT_FALSE(message.callback_data.empty()) << "the delivery id rides along for webhooks";
  }
  EXPECT_EQ(exported, received);
}

TEST_F(SendingTest, ServerErrorsAreRetriedUntilSentAndTimeoutsAreLeftUncertain) {
  Import(ConsentingContacts(120));
  AddSender("1001", 500);
  FakeCloudApiFaults faults;
  faults.server_error_rate = 0.3;
  server_->SetFaults(faults);
  const std::string id = StartCampaign();
  json::object done = WaitFor(id, "completed", seconds(180));
  EXPECT_EQ(Deliveries(done, "sent"), 120) << json::serialize(done);
  EXPECT_GT(server_->Stats().server_errors, 0u);
  for (const auto& [to, accepted] : server_->RequestsByRecipient()) (void)accepted;
  std::map<std::string, int> accepted;
  for (const ReceivedMessage& message : server_->Received()) ++accepted[message.to];
  for (const auto& [to, count] : accepted) EXPECT_EQ(count, 1) << to;

  // Timeouts: the request may have reached the platform, so it is never sent again.
  Import(ConsentingContacts(40, 1000, "late"));
  faults = {};
  faults.timeout_rate = 0.5;
  server_->SetFaults(faults);
  const std::string second = StartCampaign({}, "late");
  json::object ended = WaitFor(second, "completed", seconds(180));
  const std::int64_t uncertain = Deliveries(ended, "uncertain");
  EXPECT_GT(uncertain, 0) << json::serialize(ended);
  EXPECT_EQ(static_cast<std::size_t>(uncertain), server_->Stats().timeouts);
  for (const json::value& row : Rows(second, "&state=uncertain")) {
    const std::string phone(row.at("phone").as_string());
    EXPECT_EQ(server_->RequestsFor(phone.substr(1)), 1u) << phone << " was not sent again";
  }

  // Only an explicit confirmation sends them again.
  HttpResult unconfirmed = Call("POST", "/v1/campaigns/" + second + "/resend-uncertain", "{}");
  EXPECT_EQ(unconfirmed.status, 400);
  EXPECT_THAT(unconfirmed.body, ::testing::HasSubstr("confirm"));
  server_->SetFaults({});
  HttpResult confirmed = Call("POST", "/v1/campaigns/" + second + "/resend-uncertain",
                              R"({"confirm":true,"reason":"checked with the provider"})");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  json::object resent = WaitFor(second, "completed", seconds(60));
  EXPECT_EQ(Deliveries(resent, "uncertain"), 0);
  EXPECT_EQ(Deliveries(resent, "sent"), 40);
}

TEST_F(SendingTest, ThrottlingSlowsTheNumberAndLosesNothing) {
  Import(ConsentingContacts(150));
  AddSender("1001", 80);  // Herald believes 80/s; the platform allows 30/s.
  FakeCloudApiLimits limits;
  limits.throughput_per_second = 30;
  server_->SetLimits(limits);
  const std::string id = StartCampaign();
  json::object done = WaitFor(id, "completed", seconds(120));
  EXPECT_EQ(Deliveries(done, "sent"), 150) << json::serialize(done);
  EXPECT_EQ(Deliveries(done, "failed"), 0);
  const FakeCloudApiStats stats = server_->Stats();
  EXPECT_GT(stats.errors.count(130429) ? stats.errors.at(130429) : 0, 0u)
      << "the limit was hit at first";
  std::map<std::string, int> accepted;
  for (const ReceivedMessage& message : server_->Received()) ++accepted[message.to];
  EXPECT_EQ(accepted.size(), 150u);
  for (const auto& [to, count] : accepted) EXPECT_EQ(count, 1) << to;
}

TEST_F(SendingTest, APausedCampaignSendsNothingUntilResumed) {
  Import(ConsentingContacts(300));
  AddSender("1001", 40);
  const std::string id = StartCampaign();
  for (int i = 0; i < 200 && server_->Stats().accepted < 20; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/pause", R"({"reason":"check"})").status, 200);
  // What was in flight at the pause may still arrive within a second; then nothing.
  std::this_thread::sleep_for(seconds(1));
  const std::size_t at_pause = server_->Stats().requests;
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(server_->Stats().requests, at_pause) << "a paused campaign sent";
  json::object paused = Json(Call("GET", "/v1/campaigns/" + id));
  EXPECT_EQ(paused.at("state"), "paused");
  EXPECT_GT(Deliveries(paused, "queued"), 0);

  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/resume").status, 200);
  json::object done = WaitFor(id, "completed", seconds(120));
  EXPECT_EQ(Deliveries(done, "sent"), 300);
  ExpectAtMostOncePerRecipient();
}

TEST_F(SendingTest, ARestartInTheMiddleContinuesWithoutDuplicates) {
  Import(ConsentingContacts(300));
  AddSender("1001", 60);
  const std::string id = StartCampaign();
  for (int i = 0; i < 300 && server_->Stats().accepted < 50; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  Stop();
  Start();
  json::object done = WaitFor(id, "completed", seconds(120));
  EXPECT_EQ(Deliveries(done, "sent") + Deliveries(done, "uncertain"), 300);
  EXPECT_EQ(Deliveries(done, "uncertain"), 0) << "a clean stop leaves nothing uncertain";
  ExpectAtMostOncePerRecipient();
}

TEST_F(SendingTest, ASingleMessageGoesThroughTheSameGateAndADryRunExplainsEveryCheck) {
  Import(ConsentingContacts(1) +
         "+4915129999001,No Consent,DE,de,other,no,web form\n"
         "+12125550101,US Reader,US,en,other,yes,web form\n");
  AddSender("1001", 80);
  const std::string to = "+4915120000000";
  const std::string message = R"({"to":")" + to +
                              R"(","template":{"name":"promo","language":"de",)"
                              R"("parameters":["{{name}}","Rabatt"]},"sender":"1001")";

  // A dry run: the decision with every check, nothing sent or stored.
  HttpResult dry = Call("POST", "/v1/messages", message + R"(,"dry_run":true})");
  ASSERT_EQ(dry.status, 200) << dry.body;
  json::object decision = Json(dry).at("decision").as_object();
  EXPECT_TRUE(decision.at("allowed").as_bool());
  std::set<std::string> checks;
  for (const json::value& check : decision.at("checks").as_array()) {
    checks.insert(std::string(check.at("check").as_string()));
    EXPECT_TRUE(check.at("passed").as_bool()) << json::serialize(check);
  }
  EXPECT_EQ(checks, (std::set<std::string>{"consent", "template", "words", "quiet_hours",
                                           "frequency_cap"}));
  EXPECT_FALSE(Json(dry).contains("id"));

  // Refused now: the reason, the failing check, nothing queued or sent.
  HttpResult refused =
      Call("POST", "/v1/messages", R"({"to":"+4915129999001","text":"Hallo","dry_run":true})");
  ASSERT_EQ(refused.status, 200);
  json::object no = Json(refused).at("decision").as_object();
  EXPECT_FALSE(no.at("allowed").as_bool());
  EXPECT_EQ(no.at("reason"), "skipped:window_closed");
  HttpResult us = Call("POST", "/v1/messages",
                       R"({"to":"+12125550101","template":{"name":"promo","language":"de",)"
                       R"("parameters":["x","y"]}})");
  ASSERT_EQ(us.status, 200) << us.body;
  EXPECT_EQ(Json(us).at("state"), "skipped");
  EXPECT_EQ(Json(us).at("reason"), "skipped:market:us_marketing_pause");

  // Sent for real: queued, then sent by the runner to the server, once.
  HttpResult sent = Call("POST", "/v1/messages", message + "}");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const std::string id = std::to_string(Json(sent).at("id").as_int64());
  json::object row;
  for (int i = 0; i < 500; ++i) {
    row = Json(Call("GET", "/v1/messages/" + id));
    if (row.at("state") == "sent") break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(row.at("state"), "sent") << json::serialize(row);
  EXPECT_EQ(row.at("sender"), "1001");
  EXPECT_EQ(server_->RequestsFor(to.substr(1)), 1u);
  ASSERT_EQ(server_->Received().size(), 1u);
  EXPECT_THAT(server_->Received()[0].body, ::testing::HasSubstr("Kunde 0"));

  EXPECT_EQ(Call("POST", "/v1/messages", R"({"to":"+4915100000999","text":"x"})").status, 404);
  EXPECT_EQ(
      Call("POST", "/v1/messages", R"({"to":")" + to + R"(","text":"x","sender":"9"})").status,
      400);
  EXPECT_EQ(Call("GET", "/v1/messages/424242").status, 404);
}

TEST_F(SendingTest, PastEndByWhatIsLeftExpiresAndNothingMoreIsSent) {
  Import(ConsentingContacts(200));
  AddSender("1001", 20);  // 200 recipients at 20/s need 10 s; end_by comes after 3
  const auto end_by = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() + seconds(3));
  const std::string id = StartCampaign(R"(,"end_by":")" + FormatRfc3339(end_by) + "\"");
  json::object expired = WaitFor(id, "expired", seconds(30));
  EXPECT_GE(std::chrono::system_clock::now(), end_by);
  // What was handed over before the expiry may still be answered; then the server hears nothing.
  std::this_thread::sleep_for(seconds(1));
  const std::size_t requests = server_->Stats().requests;
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(server_->Stats().requests, requests) << "an expired campaign sent";
  json::object after = Json(Call("GET", "/v1/campaigns/" + id));
  const std::int64_t sent = Deliveries(after, "sent"), left = Deliveries(after, "expired");
  EXPECT_GT(sent, 0);
  EXPECT_GT(left, 0);
  EXPECT_EQ(sent + left, 200) << json::serialize(after);
  EXPECT_EQ(static_cast<std::int64_t>(server_->Stats().accepted), sent);
  for (const ReceivedMessage& message : server_->Received()) {
    EXPECT_LE(message.arrived, end_by + milliseconds(1500)) << "sent long after end_by";
  }
  for (const json::value& row : Rows(id, "&state=expired")) {
    EXPECT_EQ(row.at("reason"), "expired:end_by");
    EXPECT_EQ(server_->RequestsFor(std::string(row.at("phone").as_string()).substr(1)), 0u);
  }
  ExpectAtMostOncePerRecipient();
}

// "Etc/GMT-5" is UTC+5 (the tz database's signs are POSIX's, inverted).
std::string FixedZone(int offset_hours) {
  if (offset_hours == 0) return "Etc/GMT";
  return std::string("Etc/GMT") + (offset_hours > 0 ? "-" : "+") +
         std::to_string(std::abs(offset_hours));
}

TEST_F(SendingTest, LocalTimeSendsToEachRecipientWhenItIsThatTimeWhereTheyAre) {
  // The next whole minute at least 5 s away (the campaign must start before it) is 12:MM in zone
  // `here`; the same 12:MM comes 3 h later in `west` and has just passed in `east` (tomorrow).
  const auto now = std::chrono::system_clock::now();
  const auto at = std::chrono::ceil<std::chrono::minutes>(now + seconds(5));
  const auto day_minutes =
      static_cast<int>((at.time_since_epoch() / std::chrono::minutes(1)) % (24 * 60));
  const int utc_hour = day_minutes / 60, minute = day_minutes % 60;
  const int here = 12 - utc_hour;  // -11 … 12
  const int west = here >= -9 ? here - 3 : here + 21;
  const int east = here <= 9 ? here + 5 : here - 19;
  char local_time[8];
  std::snprintf(local_time, sizeof local_time, "12:%02d", minute);
  Import(
      "phone,name,country,language,tags,consent_marketing,consent_marketing_source,timezone\n"
      "+4915120000001,Here,DE,de,vip,yes,web," +
      FixedZone(here) + "\n" + "+4915120000002,West,DE,de,vip,yes,web," + FixedZone(west) + "\n" +
      "+4915120000003,East,DE,de,vip,yes,web," + FixedZone(east) + "\n");
  AddSender("1001", 80);
  const std::string id = StartCampaign(R"(,"local_time":")" + std::string(local_time) + "\"");
  for (int i = 0; i < 250; ++i) {
    const json::object campaign = Json(Call("GET", "/v1/campaigns/" + id));
    if (campaign.contains("audience") && campaign.at("audience").at("complete").as_bool()) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  std::map<std::string, std::string> not_before;
  for (const json::value& row : Rows(id)) {
    not_before[std::string(row.at("phone").as_string())] =
        std::string(row.at("not_before").as_string());
  }
  ASSERT_EQ(not_before.size(), 3u) << "the audience is written at the start";
  auto expect_at = [&](const std::string& phone, int offset) {
    const auto expected = at + std::chrono::hours(((here - offset) % 24 + 24) % 24);
    EXPECT_EQ(ParseRfc3339(not_before[phone]), std::optional<SysTime>(expected))
        << phone << " " << not_before[phone];
  };
  expect_at("+4915120000001", here);
  expect_at("+4915120000002", west);
  expect_at("+4915120000003", east);
  // Nothing before the minute; then the one whose hour it is, and only them.
  std::this_thread::sleep_until(at - milliseconds(500));
  EXPECT_EQ(server_->Stats().requests, 0u) << "sent before the recipient's local time";
  for (int i = 0; i < 250 && server_->Stats().accepted == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  std::this_thread::sleep_for(seconds(1));
  ASSERT_EQ(server_->Received().size(), 1u);
  const ReceivedMessage message = server_->Received()[0];
  EXPECT_EQ(message.to, "4915120000001");
  EXPECT_GE(message.arrived, at);
  EXPECT_LT(message.arrived, at + seconds(3)) << "sent promptly when the hour came";
  json::object running = Json(Call("GET", "/v1/campaigns/" + id));
  EXPECT_EQ(running.at("state"), "running");
  EXPECT_EQ(Deliveries(running, "sent"), 1);
  EXPECT_EQ(Deliveries(running, "queued"), 2);
}

TEST_F(SendingTest, APortfoliosTierUsageSurvivesARestart) {
  // TIER_250: 250 unique users per moving 24 h across the portfolio's numbers.
  ASSERT_EQ(Call("POST", "/v1/senders",
                 R"({"phone_number_id":"1001","throughput":200,"messaging_limit_tier":"TIER_250"})")
                .status,
            201);
  Import(ConsentingContacts(200));
  json::object first = WaitFor(StartCampaign(), "completed");
  EXPECT_EQ(Deliveries(first, "sent"), 200);

  // After a restart the daemon still knows the 200 of the last 24 h: 50 more may go, no more.
  Stop();
  Start();
  Import(ConsentingContacts(100, 1000, "late"));
  const std::string second = StartCampaign({}, "late");
  for (int i = 0; i < 500 && server_->Stats().accepted < 250; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(server_->Stats().accepted, 250u) << "the tier's cap was forgotten at the restart";
  json::object waiting = Json(Call("GET", "/v1/campaigns/" + second));
  EXPECT_EQ(Deliveries(waiting, "sent"), 50) << json::serialize(waiting);
  EXPECT_EQ(Deliveries(waiting, "queued"), 50) << "they wait for the tier; nothing is lost";
  ExpectAtMostOncePerRecipient();
}

TEST_F(SendingTest, AnAccountLockPausesEveryNumberDurablyUntilAnOperatorResumes) {
  Import(ConsentingContacts(60));
  AddSender("1001", 100);
  AddSender("1002", 100);
  // After 10 recipients the platform answers 131031 (account locked) to everything.
  FakeCloudApiLimits limits;
  limits.tier_limit = 10;
  limits.tier_error_code = 131031;
  server_->SetLimits(limits);
  const std::string id = StartCampaign();
  auto state_of = [&](const std::string& sender) {
    return Json(Call("GET", "/v1/senders/" + sender));
  };
  for (int i = 0; i < 500 && (state_of("1001").at("state") != "paused" ||
                              state_of("1002").at("state") != "paused");
       ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  for (const std::string sender : {"1001", "1002"}) {
    const json::object paused = state_of(sender);
    EXPECT_EQ(paused.at("state"), "paused") << sender;
    EXPECT_THAT(std::string(paused.at("state_reason").as_string()),
                ::testing::HasSubstr("account_locked"))
        << sender;
  }
  // Durable: a restart does not send into the same wall.
  Stop();
  Start();
  const std::size_t at_restart = server_->Stats().requests;
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(server_->Stats().requests, at_restart) << "sent while every number was paused";
  json::object waiting = Json(Call("GET", "/v1/campaigns/" + id));
  EXPECT_EQ(Deliveries(waiting, "sent"), 10);
  EXPECT_GT(Deliveries(waiting, "failed"), 0) << "the answers that said 131031 are final";
  EXPECT_GT(Deliveries(waiting, "queued"), 0);

  // The cause is fixed; an operator resumes the numbers and the rest goes.
  server_->SetLimits({});
  for (const std::string sender : {"1001", "1002"}) {
    ASSERT_EQ(
        Call("PATCH", "/v1/senders/" + sender, R"({"state":"active","reason":"unlocked"})").status,
        200);
  }
  json::object done = WaitFor(id, "completed");
  EXPECT_EQ(Deliveries(done, "sent") + Deliveries(done, "failed"), 60) << json::serialize(done);
  for (const json::value& row : Rows(id, "&state=failed")) {
    EXPECT_EQ(row.at("reason"), "failed:account_locked:131031");
  }
  ExpectAtMostOncePerRecipient();
}

TEST_F(SendingTest, StoppingWhileSendingExitsCleanlyEveryTimeAndNothingIsSentTwice) {
  // Big claims being prepared while SIGTERM comes: the drain must not leave work behind that
  // calls into the stopped runner (it hung or aborted the daemon at a stop).
  Import(ConsentingContacts(20000));
  AddSender("1001", 2000);
  AddSender("1002", 2000);
  const std::string id = StartCampaign();
  std::size_t at_stop = 0;
  for (int stop = 1; stop <= 5; ++stop) {
    for (int i = 0; i < 1000 && server_->Stats().accepted < at_stop + 1500; ++i) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    at_stop = server_->Stats().accepted;
    Stop();  // expects exit status 0 within 20 s
    Start();
  }
  json::object done = WaitFor(id, "completed", seconds(180));
  EXPECT_EQ(Deliveries(done, "sent"), 20000) << json::serialize(done);
  EXPECT_EQ(Deliveries(done, "uncertain"), 0) << "a clean stop leaves nothing uncertain";
  ExpectAtMostOncePerRecipient();
}

}  // namespace
}  // namespace herald::testing
