// Forecasts through the real daemon (issue 18, item 4): a segment and a template before any
// campaign exists (consent, the US marketing pause, the country's own rate, OTHER), the same for
// a draft campaign, the sum of the estimates once its audience is written, a price change and a
// rule change applied from their day on, and requests refused naming the field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <thread>

#include "storage/sqlite/connection.h"
#include "tests/integration/daemon_fixture.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kContacts =
    "phone,country,tags,consent_marketing,consent_utility\n"
    "+4915112345001,DE,vip,yes,yes\n"
    "+4915112345002,DE,vip,yes,no\n"
    "+4915112345003,DE,vip,no,no\n"
    "+12125550103,US,vip,yes,yes\n"
    "+33612345678,FR,vip,yes,yes\n"
    "+819012345678,JP,vip,yes,yes\n"
    "+4915112345009,DE,other,yes,yes\n";

class ForecastsTest : public RestartableDaemonTest {
 protected:
  void SetUp() override {
    RestartableDaemonTest::SetUp();
    auto started = Call("POST", "/v1/contacts/imports?format=csv", kContacts);
    ASSERT_EQ(started.status, 202) << started.body;
    const std::string id(JsonOf(started).at("id").as_string());
    for (int i = 0; i < 3000; ++i) {
      if (JsonOf(Call("GET", "/v1/contacts/imports/" + id)).at("state") != "running") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const char* category : {"MARKETING", "UTILITY"}) {
      const std::string name = category == std::string("MARKETING") ? "promo" : "notice";
      const std::string body = std::string(R"({"category": ")") + category +
                               R"(", "status": "APPROVED", "components": [{"type": "BODY",
                               "text": "Hallo {{1}}"}]})";
      ASSERT_EQ(Call("PUT", "/v1/templates/" + name + "/de", body).status, 201);
    }
  }
  json::object Forecast(const std::string& body) {
    const HttpResult answer = Call("POST", "/v1/forecasts", body);
    EXPECT_EQ(answer.status, 200) << body << " " << answer.body;
    return JsonOf(answer);
  }
  static std::string CountryCost(const json::object& forecast, const std::string& country) {
    for (const json::value& line : forecast.at("by_country").as_array()) {
      if (line.at("country").as_string() == country) {
        return std::string(line.at("cost").as_string()) + "/" +
               std::to_string(line.at("eligible").as_int64());
      }
    }
    return "none";
  }
};

TEST_F(ForecastsTest, ASegmentAndATemplateBeforeAnyCampaign) {
  const json::object forecast =
      Forecast(R"({"segment": "tag:vip", "template": "promo/de", "at": "2026-12-04T12:00:00Z"})");
  EXPECT_EQ(forecast.at("source").as_string(), "segment");
  EXPECT_EQ(forecast.at("category").as_string(), "marketing");
  EXPECT_EQ(forecast.at("recipients").as_int64(), 6);
  EXPECT_EQ(forecast.at("eligible").as_int64(), 4);
  EXPECT_EQ(forecast.at("billable").as_int64(), 4);
  EXPECT_EQ(forecast.at("skipped").at("no_consent:marketing").as_int64(), 1);
  EXPECT_EQ(forecast.at("skipped").at("market:us_marketing_pause").as_int64(), 1);
  // DE 0.1365 x 2, FR 0.0859, JP at OTHER's 0.0604 (the starter table).
  EXPECT_EQ(forecast.at("total").as_string(), "0.4193");
  EXPECT_EQ(forecast.at("currency").as_string(), "USD");
  EXPECT_EQ(CountryCost(forecast, "DE"), "0.273/2");
  EXPECT_EQ(CountryCost(forecast, "US"), "0.00/0");
  EXPECT_EQ(forecast.at("by_country").as_array()[0].at("country").as_string(), "DE");

  // A utility template needs the utility consent.
  const json::object utility = Forecast(
      R"({"segment": "tag:vip", "template": {"name": "notice"}, "at": "2026-12-04T12:00:00Z"})");
  EXPECT_EQ(utility.at("skipped").at("no_consent:utility").as_int64(), 2);
  EXPECT_EQ(utility.at("eligible").as_int64(), 4);  // US utility is not paused
}

TEST_F(ForecastsTest, ACampaignIsForecastFromItsSegmentThenFromItsDeliveries) {
  const HttpResult created =
      Call("POST", "/v1/campaigns",
           R"({"name":"Priced","segment":"tag:vip","template":{"name":"promo","language":"de",)"
           R"("parameters":{"body":["{{phone}}"]}},"local_time":")" +
               LocalTimeFarAway() + R"("})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t id = JsonOf(created).at("id").as_int64();
  const std::string by_campaign = R"({"campaign": )" + std::to_string(id) + "}";
  const json::object draft = Forecast(by_campaign);
  EXPECT_EQ(draft.at("source").as_string(), "segment");
  EXPECT_EQ(draft.at("eligible").as_int64(), 4);

  ASSERT_EQ(Call("POST", "/v1/campaigns/" + std::to_string(id) + "/start").status, 200);
  json::object after;
  for (int i = 0; i < 500; ++i) {
    after = Forecast(by_campaign);
    if (after.at("source").as_string() == "deliveries" && after.at("recipients").as_int64() == 6) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(after.at("source").as_string(), "deliveries");
  // The forecast is the sum over the deliveries of their estimates.
  auto connection = storage::Connection::Open({dir_ / "herald.db"});
  auto sum = (*connection)
                 ->Prepare(
                     "SELECT sum(estimated_cost_micros), count(*) FROM deliveries "
                     "WHERE campaign_id = ?1 AND state NOT IN "
                     "('skipped', 'blocked', 'cancelled', 'expired')");
  sum->Bind(1, id);
  ASSERT_TRUE(*sum->Step());
  EXPECT_EQ(after.at("total_micros").as_int64(), sum->ColumnInt(0));
  EXPECT_EQ(after.at("eligible").as_int64(), sum->ColumnInt(1));
  EXPECT_GT(after.at("total_micros").as_int64(), 0);
}

TEST_F(ForecastsTest, APriceChangeAndARuleChangeApplyFromTheirDayOn) {
  ASSERT_EQ(Call("POST", "/v1/prices/import",
                 "market,category,rate_usd,effective_from\nDE,marketing,0.2000,2027-01-01\n")
                .status,
            200);
  const std::string segment = R"("segment": "country:DE AND tag:vip", "template": "promo/de")";
  EXPECT_EQ(Forecast("{" + segment + R"(, "at": "2026-12-31T23:00:00Z"})").at("total"), "0.273");
  EXPECT_EQ(Forecast("{" + segment + R"(, "at": "2027-01-01T01:00:00Z"})").at("total"), "0.40");

  // Service messages: free under the rules of 2025-07-01 and within the allowance of
  // 2026-10-01; a version from 2027-02-01 without an allowance bills them at the utility rate.
  ASSERT_EQ(Call("PUT", "/v1/pricing-rules/2027-02-01",
                 R"({"utility_free_in_window": false, "service_free": false,
                     "free_service_per_number_month": 0, "entry_point_free": true})")
                .status,
            200);
  const std::string text = R"("segment": "country:DE AND tag:vip", "text": true)";
  const json::object before = Forecast("{" + text + R"(, "at": "2027-01-31T12:00:00Z"})");
  EXPECT_EQ(before.at("total").as_string(), "0.00");
  EXPECT_EQ(before.at("billable").as_int64(), 0);
  const json::object after = Forecast("{" + text + R"(, "at": "2027-02-01T12:00:00Z"})");
  EXPECT_EQ(after.at("billable").as_int64(), 3);      // no consent needed for service
  EXPECT_EQ(after.at("total").as_string(), "0.165");  // DE utility 0.0550 x 3
  EXPECT_EQ(after.at("by_category").as_array()[0].at("category").as_string(), "utility");
}

TEST_F(ForecastsTest, BadRequestsNameTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({})", "segment"},
      {R"({"segment": "tag:vip"})", "template"},
      {R"({"segment": "tag:vip", "template": "promo", "text": true})", "template"},
      {R"({"campaign": 99})", "campaign"},
      {R"({"campaign": 1, "segment": "tag:vip"})", "campaign"},
      {R"({"segment": "tag:(", "template": "promo"})", "segment"},
      {R"({"segment": "tag:vip", "template": "unknown"})", "template"},
      {R"({"segment": "tag:vip", "template": "promo", "at": "tomorrow"})", "at"},
  };
  for (const auto& [body, field] : cases) {
    const HttpResult refused = Call("POST", "/v1/forecasts", body);
    EXPECT_GE(refused.status, 400) << body;
    EXPECT_THAT(refused.body, HasSubstr("\"field\":\"" + field + "\"")) << body << refused.body;
  }
}

}  // namespace
}  // namespace herald::testing
