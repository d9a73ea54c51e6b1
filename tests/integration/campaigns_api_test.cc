// Campaigns through the real daemon on a real SQLite file (issue 16, items 2-3): create with the
// issue's field names, validation naming the field, states and audited transitions, the audience
// written at start (one delivery per contact, local times across zones), cancel, expiry, the
// deliveries export, and a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "common/time.h"
#include "storage/sqlite/connection.h"
#include "tests/integration/daemon_fixture.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kContacts =
    "phone,name,country,timezone,tags\n"
    "+4915112345001,Anna,DE,Europe/Berlin,vip\n"
    "+4915112345002,Ben,DE,,vip\n"
    "+12125550103,Cleo,US,America/New_York,vip\n"
    "+13105550104,Dan,US,America/Los_Angeles,vip\n"
    "+4915112345005,Eve,DE,Europe/Berlin,other\n";

json::object Json(const HttpResult& result) {
  boost::system::error_code ec;
  json::value value = json::parse(result.body, ec);
  EXPECT_FALSE(ec) << result.status << " " << result.body << result.error;
  return value.is_object() ? value.as_object() : json::object{};
}

class CampaignsApiTest : public RestartableDaemonTest {
 protected:
  void SetUp() override {
    RestartableDaemonTest::SetUp();
    auto started = Call("POST", "/v1/contacts/imports?format=csv", kContacts);
    ASSERT_EQ(started.status, 202) << started.body;
    const std::string id(Json(started).at("id").as_string());
    for (int i = 0; i < 3000; ++i) {
      if (Json(Call("GET", "/v1/contacts/imports/" + id)).at("state") != "running") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  json::object Create(const std::string& body) {
    HttpResult created = Call("POST", "/v1/campaigns", body);
    EXPECT_EQ(created.status, 201) << body << " " << created.body;
    return Json(created);
  }
  std::string Id(const json::object& campaign) {
    return std::to_string(campaign.at("id").as_int64());
  }
  // Polls until the audience is written (the service writes it in the background).
  json::object WaitForAudience(const std::string& id) {
    json::object campaign;
    for (int i = 0; i < 500; ++i) {
      campaign = Json(Call("GET", "/v1/campaigns/" + id));
      if (campaign.contains("audience") && campaign.at("audience").at("complete").as_bool()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return campaign;
  }
  std::string Audit() {
    auto connection = storage::Connection::Open({dir_ / "herald.db"});
    auto query =
        (*connection)
            ->Prepare(
                "SELECT group_concat(action || ':' || actor || ':' || coalesce(reason, ''), ' ') "
                "FROM audit_log WHERE object_type = 'campaign'");
    EXPECT_TRUE(*query->Step());
    return query->ColumnText(0);
  }
};

TEST_F(CampaignsApiTest, ADraftStartsWhenToldAndQueuesOneDeliveryPerContact) {
  // A local send time almost a day away keeps the deliveries queued while the test looks.
  json::object campaign = Create(
      R"({"name":"Autumn","segment":"tag:vip","template":{"name":"autumn_sale","language":"de",)"
      R"("parameters":{"body":["{{name}}","{{attr.code|WELCOME}}"]}},"local_time":")" +
      LocalTimeFarAway() + R"("})");
  EXPECT_EQ(campaign.at("state"), "draft");
  EXPECT_EQ(campaign.at("content").at("template").at("parameters").at("body").as_array().size(),
            2u);
  const std::string id = Id(campaign);

  HttpResult started = Call("POST", "/v1/campaigns/" + id + "/start", R"({"reason":"go"})");
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(Json(started).at("state"), "running");
  campaign = WaitForAudience(id);
  EXPECT_EQ(campaign.at("audience").at("size").as_int64(), 4);
  EXPECT_EQ(campaign.at("deliveries").at("total").as_int64(), 4);
  EXPECT_NE(campaign.at("started_at"), nullptr);

  // Starting again is refused with the state named; a paused campaign resumes.
  HttpResult again = Call("POST", "/v1/campaigns/" + id + "/start");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_THAT(again.body, HasSubstr("is running"));
  EXPECT_EQ(Call("POST", "/v1/campaigns/" + id + "/pause", R"({"reason":"check"})").status, 200);
  EXPECT_EQ(Json(Call("GET", "/v1/campaigns/" + id)).at("state"), "paused");
  EXPECT_EQ(Call("POST", "/v1/campaigns/" + id + "/resume").status, 200);
  HttpResult cancelled = Call("POST", "/v1/campaigns/" + id + "/cancel", R"({"reason":"wrong"})");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  campaign = Json(cancelled);
  EXPECT_EQ(campaign.at("state"), "cancelled");
  EXPECT_EQ(campaign.at("deliveries").at("cancelled").as_int64(), 4);
  EXPECT_NE(campaign.at("finished_at"), nullptr);
  EXPECT_EQ(Audit(),
            "campaign.create:admin: campaign.running:admin:go campaign.paused:admin:check "
            "campaign.running:admin: campaign.cancelled:admin:wrong");
}

TEST_F(CampaignsApiTest, TheDeliveriesExportSaysWhoGotWhatAsCsvOrJsonLines) {
  const std::string id = Id(Create(R"({"name":"t","segment":"tag:vip","text":"Hi {{name}}"})"));
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/start").status, 200);
  for (int i = 0; i < 500; ++i) {
    if (Json(Call("GET", "/v1/campaigns/" + id)).at("state") == "completed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  HttpResult csv = Call("GET", "/v1/campaigns/" + id + "/deliveries");
  ASSERT_EQ(csv.status, 200) << csv.body;
  std::istringstream lines(csv.body);
  std::string header;
  std::getline(lines, header);
  EXPECT_THAT(header, HasSubstr("delivery_id,phone,sender,state,reason,error_code"));
  int rows = 0;
  // Without open service windows a text reaches nobody, and the export says so for each.
  for (std::string line; std::getline(lines, line);) {
    EXPECT_THAT(line, HasSubstr(",skipped,skipped:window_closed,")) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 4);
  HttpResult jsonl = Call("GET", "/v1/campaigns/" + id + "/deliveries?format=jsonl&state=skipped");
  ASSERT_EQ(jsonl.status, 200);
  std::istringstream objects(jsonl.body);
  int count = 0;
  for (std::string line; std::getline(objects, line);) {
    json::value row = json::parse(line);
    EXPECT_EQ(row.at("state"), "skipped");
    EXPECT_EQ(row.at("reason"), "skipped:window_closed");
    EXPECT_THAT(std::string(row.at("phone").as_string()), ::testing::StartsWith("+"));
    ++count;
  }
  EXPECT_EQ(count, 4);
  EXPECT_EQ(Call("GET", "/v1/campaigns/" + id + "/deliveries?state=lost").status, 400);
  EXPECT_EQ(Call("GET", "/v1/campaigns/999/deliveries").status, 404);
}

TEST_F(CampaignsApiTest, LocalTimeGivesEachRecipientItsOwnHour) {
  const std::string id = Id(Create(R"({"name":"10 local","segment":"tag:vip","local_time":"10:00",)"
                                   R"("template":{"name":"hello"}})"));
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/start").status, 200);
  WaitForAudience(id);
  HttpResult rows = Call("GET", "/v1/campaigns/" + id + "/deliveries?format=jsonl");
  std::map<std::string, std::string> not_before;
  std::istringstream objects(rows.body);
  for (std::string line; std::getline(objects, line);) {
    json::value row = json::parse(line);
    not_before[std::string(row.at("phone").as_string())] =
        std::string(row.at("not_before").as_string());
  }
  ASSERT_EQ(not_before.size(), 4u);
  // Each is 10:00 local: 09:00Z in Berlin (also for Ben, placed by his country), 15:00Z in New
  // York, 18:00Z in Los Angeles (December: no daylight saving anywhere).
  EXPECT_THAT(not_before["+4915112345001"], HasSubstr("T09:00:00.000Z"));
  EXPECT_THAT(not_before["+4915112345002"], HasSubstr("T09:00:00.000Z"));
  EXPECT_THAT(not_before["+12125550103"], HasSubstr("T15:00:00.000Z"));
  EXPECT_THAT(not_before["+13105550104"], HasSubstr("T18:00:00.000Z"));
}

TEST_F(CampaignsApiTest, BadCampaignsAreRefusedNamingTheField) {
  ASSERT_EQ(Call("POST", "/v1/senders", R"({"phone_number_id":"77"})").status, 201);
  struct Bad {
    std::string body;
    std::string field;
  };
  const Bad cases[] = {
      {R"({"segment":"tag:vip","text":"x"})", "name"},
      {R"({"name":"a","text":"x"})", "segment"},
      {R"({"name":"a","segment":"tag:vip AND (","text":"x"})", "segment"},
      {R"({"name":"a","segment":"tag:vip"})", "template"},
      {R"({"name":"a","segment":"tag:vip","text":"x","template":{"name":"t"}})", "text"},
      {R"({"name":"a","segment":"tag:vip","template":{"name":"Bad Name"}})", "template.name"},
      {R"({"name":"a","segment":"tag:vip","template":{"name":"t","parameters":{"body":[""]}}})",
       "template.parameters.body[0]"},
      {R"({"name":"a","segment":"tag:vip","template":{"name":"t","parameters":{"footer":[]}}})",
       "template.parameters.footer"},
      {R"({"name":"a","segment":"tag:vip","text":"x","senders":["99"]})", "senders[0]"},
      {R"({"name":"a","segment":"tag:vip","text":"x","start_at":"tomorrow"})", "start_at"},
      {R"({"name":"a","segment":"tag:vip","text":"x","start_at":"2027-01-01T10:00:00",)"
       R"("timezone":"Mars/Base"})",
       "timezone"},
      {R"({"name":"a","segment":"tag:vip","text":"x","local_time":"25:00"})", "local_time"},
      {R"({"name":"a","segment":"tag:vip","text":"x","end_by":"2001-01-01T00:00:00Z"})", "end_by"},
      {R"({"name":"a","segment":"tag:vip","text":"x","spend_cap":-1})", "spend_cap"},
      {R"({"name":"a","segment":"tag:vip","text":"x","purpose":"spam"})", "purpose"},
      {R"({"name":"a","segment":"tag:vip","text":"x","colour":1})", "colour"},
  };
  for (const Bad& bad : cases) {
    HttpResult refused = Call("POST", "/v1/campaigns", bad.body);
    EXPECT_EQ(refused.status, 400) << bad.body << " " << refused.body;
    EXPECT_EQ(Json(refused)["error"].as_object()["field"], json::value(bad.field)) << bad.body;
  }
  EXPECT_EQ(Json(Call("GET", "/v1/campaigns")).at("campaigns").as_array().size(), 0u);
  EXPECT_EQ(Call("GET", "/v1/campaigns/x").status, 400);
  EXPECT_EQ(Call("GET", "/v1/campaigns/12345").status, 404);
}

TEST_F(CampaignsApiTest, SavedSegmentsScheduledStartsAndExpiry) {
  ASSERT_EQ(Call("PUT", "/v1/segments/VIPs", R"({"expression":"tag:vip"})").status, 200);
  // start_at a second from now in Berlin's wall-clock time is taken as given; a scheduled
  // campaign starts by itself, and one whose end_by passes expires with its queue.
  json::object scheduled =
      Create(R"({"name":"s","segment":"VIPs","text":"x","start_at":"2020-01-01T00:00:00Z",)"
             R"("end_by":"2099-01-01T00:00:00Z","senders":[]})");
  EXPECT_EQ(scheduled.at("state"), "scheduled");
  json::object done;
  for (int i = 0; i < 500; ++i) {
    done = Json(Call("GET", "/v1/campaigns/" + Id(scheduled)));
    if (done.at("state") == "completed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // It started by itself, reached the saved segment's four contacts and decided each (a text
  // needs an open window; none has one).
  EXPECT_EQ(done.at("state"), "completed");
  EXPECT_EQ(done.at("audience").at("size").as_int64(), 4) << "through the saved segment";
  EXPECT_EQ(done.at("deliveries").at("skipped").as_int64(), 4);

  // end_by two seconds from now: the campaign expires with what it had queued.
  const auto soon = std::chrono::system_clock::now() + std::chrono::seconds(2);
  const std::string end_by =
      FormatRfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(soon));
  const std::string expiring =
      Id(Create(R"({"name":"e","segment":"tag:other","text":"x","local_time":")" +
                LocalTimeFarAway() + R"(","end_by":")" + end_by + "\"}"));
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + expiring + "/start").status, 200);
  json::object expired;
  for (int i = 0; i < 500; ++i) {
    expired = Json(Call("GET", "/v1/campaigns/" + expiring));
    if (expired.at("state") == "expired") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(expired.at("state"), "expired");
  EXPECT_EQ(expired.at("deliveries").at("expired").as_int64(), 1);

  Stop();
  Start();
  EXPECT_EQ(Json(Call("GET", "/v1/campaigns/" + Id(scheduled))).at("state"), "completed");
  EXPECT_EQ(Json(Call("GET", "/v1/campaigns?state=expired")).at("campaigns").as_array().size(), 1u);
}

}  // namespace
}  // namespace herald::testing

namespace herald::testing {
namespace {

// Issue 18, item 3: each delivery carries its cost estimate from the price table in force at its
// planned send time, for its country and the template's category (the windows' part is
// tests/app/audience_costs_test.cc).
TEST_F(CampaignsApiTest, EachDeliveryCarriesItsCostEstimateFromThePriceTable) {
  const std::string body = R"({"category": "MARKETING", "status": "APPROVED",
      "components": [{"type": "BODY", "text": "Hallo {{1}}"}]})";
  ASSERT_EQ(Call("PUT", "/v1/templates/promo/de", body).status, 201);
  const std::string id = Id(
      Create(R"({"name":"Priced","segment":"tag:vip","template":{"name":"promo","language":"de",)"
             R"("parameters":{"body":["{{name}}"]}},"local_time":")" +
             LocalTimeFarAway() + R"("})"));
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/start").status, 200);
  WaitForAudience(id);
  auto connection = storage::Connection::Open({dir_ / "herald.db"});
  auto query = (*connection)
                   ->Prepare(
                       "SELECT group_concat(c.country || ':' || d.estimated_cost_micros || ':' "
                       "|| d.estimate_basis || ':' || d.estimate_category, ' ') FROM "
                       "(SELECT * FROM deliveries ORDER BY contact_id) d "
                       "JOIN contacts c ON c.id = d.contact_id");
  ASSERT_TRUE(*query->Step());
  // The starter table: DE marketing 0.1365, US marketing 0.0250 (US numbers are skipped at
  // send time by the market rule, but the estimate is what it would cost).
  EXPECT_EQ(query->ColumnText(0),
            "DE:136500:regular:marketing DE:136500:regular:marketing "
            "US:25000:regular:marketing US:25000:regular:marketing");
}

}  // namespace
}  // namespace herald::testing
