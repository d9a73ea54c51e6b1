// A campaign's spend cap through the real daemon on the sandbox (issue 18, item 5): the runner
// stops before the committed spend (the estimates of what it handed over) would cross the cap,
// pauses the campaign with the reason, and leaves the rest queued; a resume without a higher cap
// stops again at once, sending nothing more.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <thread>

#include "storage/sqlite/connection.h"
#include "tests/integration/daemon_fixture.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class SpendCapTest : public RestartableDaemonTest {
 protected:
  std::string Config() override { return TestConfig(dir_) + kAnyHourQuietHours; }

  std::int64_t Query(const std::string& sql) {
    auto connection = storage::Connection::Open({dir_ / "herald.db"});
    auto query = (*connection)->Prepare(sql);
    auto row = query->Step();
    return row.ok() && *row ? query->ColumnInt(0) : -1;
  }
  json::object WaitForState(const std::string& id, const std::string& wanted) {
    json::object campaign;
    for (int i = 0; i < 1500; ++i) {
      campaign = JsonOf(Call("GET", "/v1/campaigns/" + id));
      if (campaign.at("state").as_string() == wanted) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return campaign;
  }
};

TEST_F(SpendCapTest, TheRunnerStopsBeforeTheCapWouldBeCrossedAndSaysWhy) {
  std::string csv = "phone,country,tags,consent_marketing\n";
  for (int i = 0; i < 10; ++i) csv += "+49151200000" + std::to_string(10 + i) + ",DE,vip,yes\n";
  ImportCsv(csv);
  ASSERT_EQ(Call("POST", "/v1/senders", R"({"phone_number_id":"1001"})").status, 201);
  ASSERT_EQ(Call("PUT", "/v1/templates/promo/de",
                 R"({"category":"MARKETING","status":"APPROVED","components":)"
                 R"([{"type":"BODY","text":"Hallo {{1}}"}]})")
                .status,
            201);
  // DE marketing is 0.1365 in the starter table: 3 messages are 0.4095, a 4th would be 0.546.
  const HttpResult created =
      Call("POST", "/v1/campaigns",
           R"({"name":"capped","segment":"tag:vip","spend_cap":0.5,)"
           R"("template":{"name":"promo","language":"de","parameters":["{{phone}}"]}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = std::to_string(JsonOf(created).at("id").as_int64());
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/start").status, 200);

  json::object campaign = WaitForState(id, "paused");
  ASSERT_EQ(campaign.at("state").as_string(), "paused") << json::serialize(campaign);
  EXPECT_THAT(std::string(campaign.at("state_reason").as_string()), HasSubstr("spend_cap"));
  EXPECT_THAT(std::string(campaign.at("state_reason").as_string()), HasSubstr("0.50 USD"));
  const std::string handed_over =
      "SELECT count(*) FROM deliveries WHERE campaign_id = " + id +
      " AND state IN ('sending', 'sent', 'delivered', 'read', 'uncertain')";
  EXPECT_EQ(Query(handed_over), 3);
  EXPECT_LE(Query("SELECT sum(estimated_cost_micros) FROM deliveries WHERE campaign_id = " + id +
                  " AND state IN ('sending', 'sent', 'delivered', 'read', 'uncertain')"),
            500000);
  EXPECT_EQ(
      Query("SELECT count(*) FROM deliveries WHERE campaign_id = " + id + " AND state = 'queued'"),
      7);

  // Resumed with the same cap, it stops again and sends nothing more.
  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/resume").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  campaign = WaitForState(id, "paused");
  EXPECT_EQ(campaign.at("state").as_string(), "paused");
  EXPECT_EQ(Query(handed_over), 3);
}

}  // namespace
}  // namespace herald::testing
