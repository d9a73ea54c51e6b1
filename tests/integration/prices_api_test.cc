// The price table and pricing rules through the real daemon on a real SQLite file (issue 18,
// items 1 and 2): the starter table loaded on first start, quotes that follow effective dates
// and fall back to OTHER, an import whose errors name lines and change nothing, a merge that is a
// new version with the old one still readable, CSV export that imports back unchanged, rules put
// and deleted with audit entries, and a restart that keeps everything without reloading the
// starter table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "storage/sqlite/connection.h"
#include "tests/integration/daemon_fixture.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class PricesApiTest : public RestartableDaemonTest {
 protected:
  std::string Rate(const std::string& country, const std::string& category, const std::string& at) {
    const HttpResult quote =
        Call("GET", "/v1/prices/quote?country=" + country + "&category=" + category + "&at=" + at);
    EXPECT_EQ(quote.status, 200) << quote.body;
    const json::object body = JsonOf(quote);
    return body.at("rate").is_null() ? "none"
                                     : std::string(body.at("rate").as_string()) + "@" +
                                           std::string(body.at("market").as_string());
  }
  std::int64_t AuditCount(const std::string& action) {
    auto connection = storage::Connection::Open({dir_ / "herald.db"});
    auto query = (*connection)->Prepare("SELECT count(*) FROM audit_log WHERE action = ?1");
    query->Bind(1, action);
    auto row = query->Step();
    return row.ok() && *row ? query->ColumnInt(0) : -1;
  }
};

TEST_F(PricesApiTest, TheStarterTableIsLoadedOnFirstStartAndQuotesFollowEffectiveDates) {
  const json::object table = JsonOf(Call("GET", "/v1/prices"));
  EXPECT_EQ(table.at("version").as_int64(), 1);
  EXPECT_EQ(table.at("currency").as_string(), "USD");
  EXPECT_GT(table.at("rows").as_array().size(), 50u);
  EXPECT_EQ(Rate("DE", "marketing", "2026-12-04"), "0.1365@DE");
  EXPECT_EQ(Rate("de", "MARKETING", "2026-12-04"), "0.1365@DE");
  // Bangladesh's own rate starts on 2026-10-01; before, OTHER's applies.
  EXPECT_EQ(Rate("BD", "marketing", "2026-09-30"), "0.0604@OTHER");
  EXPECT_EQ(Rate("BD", "marketing", "2026-10-01"), "0.0732@BD");
  EXPECT_EQ(Rate("DE", "marketing", "2025-06-30"), "none");
  const json::object versions = JsonOf(Call("GET", "/v1/prices/versions"));
  ASSERT_EQ(versions.at("versions").as_array().size(), 1u);
  EXPECT_EQ(versions.at("versions").as_array()[0].at("actor").as_string(), "system");

  const json::object in_force = JsonOf(Call("GET", "/v1/prices?at=2026-12-04&market=BD"));
  ASSERT_EQ(in_force.at("rows").as_array().size(), 4u);  // its four categories
}

TEST_F(PricesApiTest, ABadFileIsRefusedWithEveryLineAndChangesNothing) {
  const HttpResult refused = Call("POST", "/v1/prices/import?source=card.csv",
                                  "market,category,rate_usd,effective_from\n"
                                  "DE,marketing,0.20,2027-01-01\n"
                                  "FR,marketting,0.10,2027-01-01\n"
                                  "IT,marketing,ten,2027-01-01\n");
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(refused.body, HasSubstr("card.csv:3: category: unknown category"));
  EXPECT_THAT(refused.body, HasSubstr("card.csv:4: rate"));
  EXPECT_EQ(Rate("DE", "marketing", "2027-02-01"), "0.1365@DE");
  EXPECT_EQ(JsonOf(Call("GET", "/v1/prices/versions")).at("versions").as_array().size(), 1u);
}

TEST_F(PricesApiTest, AMergeIsANewVersionAndTheOldOneStaysReadable) {
  const HttpResult merged = Call("POST", "/v1/prices/import?source=card-2027.csv",
                                 "market,category,rate_usd,effective_from,source\n"
                                 "DE,marketing,0.1500,2027-01-01,card 2027\n"
                                 "DE,utility,0.0600,2025-07-01,corrected\n");
  ASSERT_EQ(merged.status, 200) << merged.body;
  const json::object version = JsonOf(merged);
  EXPECT_EQ(version.at("version").as_int64(), 2);
  EXPECT_EQ(version.at("added").as_int64(), 1);
  EXPECT_EQ(version.at("replaced").as_int64(), 1);
  EXPECT_EQ(Rate("DE", "marketing", "2026-12-31"), "0.1365@DE");
  EXPECT_EQ(Rate("DE", "marketing", "2027-01-01"), "0.15@DE");
  EXPECT_EQ(Rate("DE", "utility", "2026-01-01"), "0.06@DE");
  const json::object v1 = JsonOf(Call("GET", "/v1/prices?version=1&market=DE&category=utility"));
  ASSERT_EQ(v1.at("rows").as_array().size(), 1u);
  EXPECT_EQ(v1.at("rows").as_array()[0].at("rate").as_string(), "0.055");
  EXPECT_EQ(v1.at("rows").as_array()[0].at("retired_in").as_int64(), 2);
  EXPECT_EQ(AuditCount("price.import"), 2);

  // The same file again changes nothing.
  const json::object again = JsonOf(Call("POST", "/v1/prices/import",
                                         "market,category,rate_usd,effective_from,source\n"
                                         "DE,marketing,0.1500,2027-01-01,card 2027\n"));
  EXPECT_FALSE(again.at("changed").as_bool());
  EXPECT_EQ(again.at("version").as_int64(), 2);
}

TEST_F(PricesApiTest, TheExportedCsvImportsBackWithoutAChange) {
  const HttpResult exported = Call("GET", "/v1/prices?format=csv");
  ASSERT_EQ(exported.status, 200);
  EXPECT_THAT(exported.body,
              HasSubstr("market,category,rate,currency,effective_from,members,source\n"));
  const json::object replaced =
      JsonOf(Call("POST", "/v1/prices/import?mode=replace", exported.body));
  EXPECT_FALSE(replaced.at("changed").as_bool()) << json::serialize(replaced);
  // A replace with a smaller file retires the rest.
  const json::object smaller = JsonOf(Call("POST", "/v1/prices/import?mode=replace",
                                           "market,category,rate,effective_from\n"
                                           "OTHER,marketing,0.05,2025-07-01\n"));
  EXPECT_EQ(smaller.at("rows").as_int64(), 1);
  EXPECT_EQ(Rate("DE", "marketing", "2026-12-04"), "0.05@OTHER");
}

TEST_F(PricesApiTest, RulesArePutListedDeletedAndKeptAcrossARestart) {
  const json::object listed = JsonOf(Call("GET", "/v1/pricing-rules"));
  ASSERT_EQ(listed.at("rules").as_array().size(), 2u);
  EXPECT_EQ(listed.at("rules").as_array()[1].at("free_service_per_number_month").as_int64(), 1000);
  const HttpResult put = Call("PUT", "/v1/pricing-rules/2027-04-01",
                              R"({"utility_free_in_window": false, "service_free": false,
                                  "free_service_per_number_month": 250,
                                  "service_rate_category": "utility", "entry_point_free": true,
                                  "source": "announced", "reason": "new allowance"})");
  ASSERT_EQ(put.status, 200) << put.body;
  const HttpResult missing =
      Call("PUT", "/v1/pricing-rules/2027-05-01", R"({"utility_free_in_window": false})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(missing.body, HasSubstr("service_free"));
  const HttpResult bad_day = Call("PUT", "/v1/pricing-rules/2027-13-01",
                                  R"({"utility_free_in_window": false, "service_free": false,
                                      "entry_point_free": true})");
  EXPECT_EQ(bad_day.status, 400);
  EXPECT_THAT(bad_day.body, HasSubstr("effective_from"));
  EXPECT_EQ(Call("DELETE", "/v1/pricing-rules/2025-07-01?reason=test").status, 200);
  EXPECT_EQ(Call("DELETE", "/v1/pricing-rules/2025-07-01").status, 404);
  EXPECT_EQ(AuditCount("pricing_rules.put"), 1);
  EXPECT_EQ(AuditCount("pricing_rules.delete"), 1);

  Stop();
  Start();
  const json::object after = JsonOf(Call("GET", "/v1/pricing-rules"));
  ASSERT_EQ(after.at("rules").as_array().size(), 2u);
  EXPECT_EQ(after.at("rules").as_array()[1].at("free_service_per_number_month").as_int64(), 250);
  EXPECT_EQ(after.at("rules").as_array()[1].at("updated_by").as_string(), "admin");
  // The starter table is not loaded again.
  EXPECT_EQ(JsonOf(Call("GET", "/v1/prices/versions")).at("versions").as_array().size(), 1u);
}

}  // namespace
}  // namespace herald::testing
