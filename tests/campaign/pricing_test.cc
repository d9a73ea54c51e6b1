#include "campaign/pricing.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "campaign/forecast.h"
#include "campaign/price_csv.h"

namespace herald::campaign {
namespace {

Day D(std::string_view text) { return *ParseDay(text); }
SysTime At(std::string_view day) { return SysTime(D(day)) + std::chrono::hours(12); }

PriceRow Row(std::string market, PriceCategory category, std::int64_t micros, std::string_view from,
             std::vector<std::string> members = {}) {
  PriceRow row;
  row.market = std::move(market);
  row.category = category;
  row.rate_micros = micros;
  row.currency = "USD";
  row.effective_from = D(from);
  row.members = std::move(members);
  return row;
}

TEST(Day, ParsesAndFormatsCalendarDates) {
  EXPECT_EQ(FormatDay(D("2026-10-01")), "2026-10-01");
  EXPECT_EQ(FormatDay(D("2024-02-29")), "2024-02-29");
  EXPECT_FALSE(ParseDay("2025-02-29"));
  EXPECT_FALSE(ParseDay("2025-13-01"));
  EXPECT_FALSE(ParseDay("2025-1-01"));
  EXPECT_FALSE(ParseDay("2025/01/01"));
  EXPECT_FALSE(ParseDay("+025-01-01"));
  EXPECT_EQ(DayOf(SysTime(D("2026-10-01")) - std::chrono::milliseconds(1)), D("2026-09-30"));
}

TEST(Micros, ParseAndFormatAmounts) {
  EXPECT_EQ(ParseMicros("0.0250"), 25000);
  EXPECT_EQ(ParseMicros("1"), 1000000);
  EXPECT_EQ(ParseMicros("0.000001"), 1);
  EXPECT_FALSE(ParseMicros("0.0000001"));
  EXPECT_FALSE(ParseMicros("-1"));
  EXPECT_FALSE(ParseMicros("1."));
  EXPECT_FALSE(ParseMicros(".5"));
  EXPECT_FALSE(ParseMicros("1e3"));
  EXPECT_FALSE(ParseMicros("$1"));
  EXPECT_EQ(FormatMicros(25000), "0.025");
  EXPECT_EQ(FormatMicros(1500000), "1.50");
  EXPECT_EQ(FormatMicros(0), "0.00");
  EXPECT_EQ(FormatMicros(-1), "-0.000001");
}

TEST(PriceCategory, ReadsThePlatformsSpellings) {
  EXPECT_EQ(ParsePriceCategory("MARKETING"), PriceCategory::kMarketing);
  EXPECT_EQ(ParsePriceCategory("authentication-international"),
            PriceCategory::kAuthenticationInternational);
  EXPECT_EQ(ParsePriceCategory("AUTHENTICATION_INTERNATIONAL"),
            PriceCategory::kAuthenticationInternational);
  EXPECT_EQ(ParsePriceCategory("service"), PriceCategory::kService);
  EXPECT_FALSE(ParsePriceCategory("promo"));
}

TEST(PriceTable, TakesTheRowInForceOnTheDay) {
  const PriceTable table({Row("DE", PriceCategory::kMarketing, 100, "2025-07-01"),
                          Row("DE", PriceCategory::kMarketing, 150, "2026-01-01"),
                          Row("DE", PriceCategory::kUtility, 50, "2025-07-01")});
  EXPECT_EQ(table.Find("DE", PriceCategory::kMarketing, D("2025-06-30")), nullptr);
  EXPECT_EQ(table.Find("DE", PriceCategory::kMarketing, D("2025-07-01"))->rate_micros, 100);
  EXPECT_EQ(table.Find("DE", PriceCategory::kMarketing, D("2025-12-31"))->rate_micros, 100);
  EXPECT_EQ(table.Find("DE", PriceCategory::kMarketing, D("2026-01-01"))->rate_micros, 150);
  EXPECT_EQ(table.Find("DE", PriceCategory::kUtility, D("2030-01-01"))->rate_micros, 50);
  EXPECT_EQ(table.Find("DE", PriceCategory::kAuthentication, D("2030-01-01")), nullptr);
}

TEST(PriceTable, FallsBackFromCountryToGroupToOther) {
  const PriceTable table({
      Row("OTHER", PriceCategory::kMarketing, 60, "2025-07-01"),
      Row("Rest of Asia Pacific", PriceCategory::kMarketing, 70, "2025-07-01", {"BD", "NP"}),
      // From 2026-10-01 Bangladesh leaves the group for a rate of its own.
      Row("BD", PriceCategory::kMarketing, 73, "2026-10-01"),
      // And the group's new card no longer lists it.
      Row("Rest of Asia Pacific", PriceCategory::kMarketing, 72, "2026-10-01", {"NP"}),
  });
  std::string market;
  EXPECT_EQ(table.Find("BD", PriceCategory::kMarketing, D("2026-09-30"), &market)->rate_micros, 70);
  EXPECT_EQ(market, "Rest of Asia Pacific");
  EXPECT_EQ(table.Find("BD", PriceCategory::kMarketing, D("2026-10-01"), &market)->rate_micros, 73);
  EXPECT_EQ(market, "BD");
  EXPECT_EQ(table.Find("NP", PriceCategory::kMarketing, D("2026-10-01"))->rate_micros, 72);
  EXPECT_EQ(table.Find("FR", PriceCategory::kMarketing, D("2026-10-01"), &market)->rate_micros, 60);
  EXPECT_EQ(market, "OTHER");
  EXPECT_EQ(table.Find("", PriceCategory::kMarketing, D("2026-10-01"))->rate_micros, 60);
}

TEST(PriceTable, AGroupThatDroppedACountryNoLongerCoversIt) {
  const PriceTable table({
      Row("OTHER", PriceCategory::kUtility, 9, "2025-07-01"),
      Row("Group", PriceCategory::kUtility, 5, "2025-07-01", {"KW", "OM"}),
      Row("Group", PriceCategory::kUtility, 6, "2026-10-01", {"OM"}),
  });
  EXPECT_EQ(table.Find("KW", PriceCategory::kUtility, D("2026-09-30"))->rate_micros, 5);
  EXPECT_EQ(table.Find("KW", PriceCategory::kUtility, D("2026-10-01"))->rate_micros, 9);
}

class EstimateTest : public ::testing::Test {
 protected:
  PriceTable prices_{{Row("DE", PriceCategory::kMarketing, 136500, "2025-07-01"),
                      Row("DE", PriceCategory::kUtility, 55000, "2025-07-01"),
                      Row("OTHER", PriceCategory::kUtility, 7700, "2025-07-01")}};
  PricingRuleBook rules_{PlatformPricingRules()};

  CostEstimate Estimate(PriceCategory category, std::string_view day, bool window = false,
                        std::int64_t service_sent = 0, bool entry_point = false) {
    MessageFacts facts;
    facts.country = "DE";
    facts.category = category;
    facts.at = At(day);
    facts.window_open = window;
    facts.service_sent_this_month = service_sent;
    facts.entry_point_open = entry_point;
    return EstimateCost(prices_, rules_, facts);
  }
};

TEST_F(EstimateTest, MarketingIsBilledAtItsMarketsRate) {
  const CostEstimate estimate = Estimate(PriceCategory::kMarketing, "2026-01-15", true);
  EXPECT_TRUE(estimate.billable);
  EXPECT_EQ(estimate.basis, CostBasis::kRegular);
  EXPECT_EQ(estimate.cost_micros, 136500);
  EXPECT_EQ(estimate.market, "DE");
}

TEST_F(EstimateTest, UtilityInsideAWindowIsFreeUnderTheOldRulesOnly) {
  const CostEstimate before = Estimate(PriceCategory::kUtility, "2026-09-30", true);
  EXPECT_FALSE(before.billable);
  EXPECT_EQ(before.basis, CostBasis::kFreeCustomerService);
  EXPECT_EQ(before.cost_micros, 0);
  const CostEstimate after = Estimate(PriceCategory::kUtility, "2026-10-01", true);
  EXPECT_TRUE(after.billable);
  EXPECT_EQ(after.cost_micros, 55000);
  EXPECT_EQ(Estimate(PriceCategory::kUtility, "2026-09-30", false).cost_micros, 55000);
}

TEST_F(EstimateTest, ServiceIsFreeThenFreeUpToTheAllowanceThenBilledAsUtility) {
  EXPECT_EQ(Estimate(PriceCategory::kService, "2026-09-30", true, 5000).basis,
            CostBasis::kFreeCustomerService);
  const CostEstimate within = Estimate(PriceCategory::kService, "2026-10-02", true, 999);
  EXPECT_EQ(within.basis, CostBasis::kFreeServiceAllowance);
  EXPECT_FALSE(within.billable);
  const CostEstimate beyond = Estimate(PriceCategory::kService, "2026-10-02", true, 1000);
  EXPECT_TRUE(beyond.billable);
  EXPECT_EQ(beyond.billed_as, PriceCategory::kUtility);
  EXPECT_EQ(beyond.cost_micros, 55000);
}

TEST_F(EstimateTest, AFreeEntryPointWindowMakesAnyMessageFree) {
  const CostEstimate estimate =
      Estimate(PriceCategory::kMarketing, "2026-10-02", false, 0, /*entry_point=*/true);
  EXPECT_EQ(estimate.basis, CostBasis::kFreeEntryPoint);
  EXPECT_EQ(estimate.cost_micros, 0);
}

TEST_F(EstimateTest, NoPriceAndNoRulesAreSaidNotGuessed) {
  const CostEstimate no_price = Estimate(PriceCategory::kAuthentication, "2026-01-15");
  EXPECT_TRUE(no_price.billable);
  EXPECT_EQ(no_price.basis, CostBasis::kNoPrice);
  EXPECT_EQ(no_price.cost_micros, 0);
  EXPECT_EQ(Estimate(PriceCategory::kMarketing, "2025-06-30").basis, CostBasis::kNoRules);
}

TEST_F(EstimateTest, AForecastSumsGroupsByCountryCategoryAndReason) {
  ForecastBuilder builder(prices_, rules_);
  MessageFacts de;
  de.country = "DE";
  de.category = PriceCategory::kMarketing;
  de.at = At("2026-11-02");
  builder.AddEligible(de, 1000);
  MessageFacts jp = de;
  jp.country = "JP";  // no rate: billable, unpriced
  builder.AddEligible(jp, 3);
  MessageFacts window = de;
  window.category = PriceCategory::kUtility;
  window.at = At("2026-09-02");
  window.window_open = true;
  builder.AddEligible(window, 2);  // free under the rules of 2025-07-01
  builder.AddSkipped("US", "market:us_marketing_pause", 7);
  builder.AddSkipped("DE", "opted_out", 4);
  const Forecast forecast = std::move(builder).Finish();
  EXPECT_EQ(forecast.total.recipients, 1016);
  EXPECT_EQ(forecast.total.eligible, 1005);
  EXPECT_EQ(forecast.total.billable, 1003);
  EXPECT_EQ(forecast.total.unpriced, 3);
  EXPECT_EQ(forecast.total.cost_micros, 136500 * 1000);
  EXPECT_EQ(forecast.by_country.at("DE").recipients, 1006);
  EXPECT_EQ(forecast.by_country.at("US").eligible, 0);
  EXPECT_EQ(forecast.by_category.at("utility").billable, 0);
  EXPECT_EQ(forecast.by_basis.at("free_customer_service"), 2);
  EXPECT_EQ(forecast.skipped.at("opted_out"), 4);
  EXPECT_EQ(forecast.currency, "USD");
}

TEST(StarterTable, TheShippedPricesParseAndCoverEveryCountry) {
  const char* source = std::getenv("HERALD_SOURCE_DIR");
  ASSERT_NE(source, nullptr);
  std::ifstream file(std::string(source) + "/data/prices.csv");
  ASSERT_TRUE(file);
  std::stringstream text;
  text << file.rdbuf();
  const PriceCsvResult parsed = ParsePriceCsv(text.str(), "prices.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.ErrorsToString();
  const PriceTable table(*parsed.rows);
  EXPECT_EQ(table.currency(), "USD");
  EXPECT_EQ(table.Find("DE", PriceCategory::kMarketing, D("2026-12-04"))->rate_micros, 136500);
  // Bangladesh has its own rates only from 2026-10-01: before, OTHER's.
  EXPECT_EQ(table.Find("BD", PriceCategory::kMarketing, D("2026-09-30"))->market, "OTHER");
  EXPECT_EQ(table.Find("BD", PriceCategory::kMarketing, D("2026-10-01"))->market, "BD");
  EXPECT_EQ(table.Find("JP", PriceCategory::kUtility, D("2026-12-04"))->market, "OTHER");
}

}  // namespace
}  // namespace herald::campaign
