#include "app/audience_costs.h"

#include <gtest/gtest.h>

namespace herald::app {
namespace {

using campaign::ParseDay;
using campaign::PriceCategory;
using std::chrono::hours;

std::shared_ptr<const Pricing> TestPricing() {
  auto pricing = std::make_shared<Pricing>();
  std::vector<campaign::PriceRow> rows;
  for (auto [category, micros] :
       {std::pair{PriceCategory::kMarketing, 100000}, std::pair{PriceCategory::kUtility, 50000}}) {
    campaign::PriceRow row;
    row.market = "DE";
    row.category = category;
    row.rate_micros = micros;
    row.currency = "USD";
    row.effective_from = *ParseDay("2025-07-01");
    rows.push_back(row);
  }
  pricing->prices = campaign::PriceTable(std::move(rows));
  pricing->rules = campaign::PricingRuleBook(campaign::PlatformPricingRules());
  return pricing;
}

SysTime At(std::string_view day) { return SysTime(*ParseDay(day)) + hours(10); }

storage::AudienceMember Member(std::string_view day) {
  return storage::AudienceMember{.contact = ContactId{1}, .not_before = At(day)};
}

TEST(AudienceCoster, AUtilityTemplateIsFreeWhileAWindowWillBeOpenUnderTheOldRules) {
  AudienceCoster coster(TestPricing(), PriceCategory::kUtility, 1);
  EXPECT_TRUE(coster.needs_windows());
  storage::ContactWindows wrote{ContactId{1}, At("2026-09-29") + hours(1), std::nullopt};
  storage::AudienceMember open = Member("2026-09-30");  // 23 h after the message
  coster.SetWindows({wrote});
  coster.Estimate(open, "DE");
  EXPECT_EQ(open.estimated_cost_micros, 0);
  EXPECT_EQ(open.estimate_basis, "free_customer_service");
  storage::AudienceMember closed = Member("2026-09-30");
  closed.not_before += hours(2);  // 25 h after: the window has closed
  coster.SetWindows({wrote});
  coster.Estimate(closed, "DE");
  EXPECT_EQ(closed.estimated_cost_micros, 50000);
  EXPECT_EQ(closed.estimate_basis, "regular");
  // From 2026-10-01 utility is billed inside the window too.
  storage::ContactWindows later{ContactId{1}, At("2026-10-01"), std::nullopt};
  storage::AudienceMember billed = Member("2026-10-01");
  coster.SetWindows({later});
  coster.Estimate(billed, "DE");
  EXPECT_EQ(billed.estimated_cost_micros, 50000);
}

TEST(AudienceCoster, AFreeEntryPointMakesMarketingFreeAndNoPriceIsSaid) {
  AudienceCoster coster(TestPricing(), PriceCategory::kMarketing, 1);
  storage::ContactWindows entry{ContactId{1}, At("2026-11-01"), At("2026-11-03")};
  storage::AudienceMember member = Member("2026-11-02");
  coster.SetWindows({entry});
  coster.Estimate(member, "DE");
  EXPECT_EQ(member.estimate_basis, "free_entry_point");
  storage::AudienceMember unpriced = Member("2026-11-02");
  coster.SetWindows({});
  coster.Estimate(unpriced, "JP");
  EXPECT_EQ(unpriced.estimate_basis, "no_price");
  EXPECT_EQ(unpriced.estimate_category, "marketing");
}

TEST(AudienceCoster, ServiceMessagesUseTheAllowanceSharedOverTheCampaignsNumbers) {
  AudienceCoster coster(TestPricing(), PriceCategory::kService, 2);
  int free = 0;
  int billed = 0;
  for (int i = 0; i < 2100; ++i) {
    storage::AudienceMember member = Member("2026-11-02");
    coster.Estimate(member, "DE");
    if (member.estimated_cost_micros == 0) {
      ++free;
    } else {
      EXPECT_EQ(member.estimate_category, "utility");
      ++billed;
    }
  }
  EXPECT_EQ(free, 2000);  // 1,000 per number and month, two numbers
  EXPECT_EQ(billed, 100);
}

TEST(AudienceCoster, WithoutPricingOrACategoryNothingIsEstimated) {
  AudienceCoster coster(nullptr, PriceCategory::kMarketing, 1);
  storage::AudienceMember member = Member("2026-11-02");
  coster.Estimate(member, "DE");
  EXPECT_FALSE(member.estimated_cost_micros);
  EXPECT_FALSE(AudienceCoster(TestPricing(), std::nullopt, 1).active());
}

}  // namespace
}  // namespace herald::app
