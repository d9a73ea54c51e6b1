// The report builders (app/reports.h): causes of differences between estimate and actual, the
// funnel's counts, rates and days, the monthly summary's value, and month bounds.
#include "app/reports.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace herald::app {
namespace {

using campaign::ParseDay;
using storage::CostGroup;
using storage::DeliveryState;
using storage::FunnelGroup;
using ::testing::ElementsAre;
using ::testing::Optional;

SysTime On(const char* day) { return SysTime(*ParseDay(day)) + std::chrono::hours(10); }

CostGroup Group(DeliveryState state, std::string category, std::string basis,
                std::int64_t estimate) {
  CostGroup group;
  group.state = state;
  group.estimate_category = std::move(category);
  group.estimate_basis = std::move(basis);
  group.count = 1;
  group.estimate_micros = estimate;
  group.example = DeliveryId{1};
  return group;
}

CostGroup Billed(CostGroup group, std::string category, std::int64_t actual, const char* sent) {
  group.billable = true;
  group.pricing_category = std::move(category);
  group.pricing_type = "regular";
  group.actual_known = true;
  group.actual_micros = actual;
  group.actual_matches = actual == group.estimate_micros;
  group.first_sent = group.last_sent = On(sent);
  return group;
}

std::map<std::string, std::int64_t> Differences(const CostReport& report) {
  std::map<std::string, std::int64_t> out;
  for (const CostCause& cause : report.causes) out[cause.cause] = cause.difference_micros;
  return out;
}

const campaign::PricingRuleBook kRules(campaign::PlatformPricingRules());

TEST(CostReportTest, AWindowCountedOnButBilledIsARuleChangeOnlyWhereTheRulesChanged) {
  const CostGroup before =
      Billed(Group(DeliveryState::kDelivered, "utility", "free_customer_service", 0), "utility",
             55000, "2026-09-20");
  const CostGroup after = Billed(Group(DeliveryState::kRead, "utility", "free_customer_service", 0),
                                 "utility", 55000, "2026-10-02");
  const std::vector<CostGroup> groups{before, after};
  const CostReport report = BuildCostReport(CampaignId{1}, groups, kRules, "USD");
  EXPECT_EQ(Differences(report), (std::map<std::string, std::int64_t>{{"rule_change", 55000},
                                                                      {"window_closed", 55000}}));
}

TEST(CostReportTest, EachKindOfDifferenceHasItsCauseAndTheyAddUp) {
  std::vector<CostGroup> groups{
      Billed(Group(DeliveryState::kDelivered, "marketing", "regular", 100), "marketing", 100,
             "2026-11-02"),
      Billed(Group(DeliveryState::kDelivered, "utility", "free_service_allowance", 0), "service",
             40, "2026-11-02"),
      // A service message billed as "service" is billed at the utility rate: same category.
      Billed(Group(DeliveryState::kDelivered, "utility", "regular", 40), "service", 45,
             "2026-11-02"),
      Billed(Group(DeliveryState::kDelivered, "", "", 0), "marketing", 100, "2026-11-02"),
      Group(DeliveryState::kDelivered, "marketing", "regular", 100),  // no pricing yet
      Group(DeliveryState::kExpired, "marketing", "regular", 100),
      Group(DeliveryState::kSkipped, "", "", 0),  // never estimated, never billed: matched
  };
  CostGroup unpriced = Billed(Group(DeliveryState::kRead, "marketing", "regular", 100), "marketing",
                              0, "2026-11-02");
  unpriced.actual_known = false;
  unpriced.actual_matches = false;
  groups.push_back(unpriced);
  const CostReport report = BuildCostReport(CampaignId{1}, groups, kRules, "USD");
  EXPECT_EQ(Differences(report), (std::map<std::string, std::int64_t>{
                                     {"allowance_used", 40},
                                     {"price_change", 5},
                                     {"no_estimate", 100},
                                     {"awaiting_pricing", -100},
                                     {"not_delivered", -100},
                                     {"unpriced", -100},
                                 }));
  EXPECT_EQ(report.matched, 2);
  EXPECT_EQ(report.deliveries, 8);
  EXPECT_EQ(report.actual_unknown, 2);
  std::int64_t sum = 0;
  for (const CostCause& cause : report.causes) sum += cause.difference_micros;
  EXPECT_EQ(sum, report.actual_micros - report.estimate_micros);
  // Largest difference first.
  EXPECT_EQ(std::llabs(report.causes.front().difference_micros), 100);
  EXPECT_EQ(report.causes.back().cause, "price_change");
}

TEST(FunnelTest, CountsRatesCostsAndDays) {
  const auto group = [](std::optional<std::int64_t> day, DeliveryState state, std::string reason,
                        std::optional<std::int64_t> code, std::int64_t count, std::int64_t sent,
                        std::int64_t delivered, std::int64_t read, std::int64_t replied,
                        std::int64_t actual) {
    FunnelGroup g;
    g.day = day;
    g.state = state;
    g.reason = std::move(reason);
    g.error_code = code;
    g.count = count;
    g.sent = sent;
    g.delivered = delivered;
    g.read = read;
    g.replied = replied;
    g.actual_micros = actual;
    return g;
  };
  const std::vector<FunnelGroup> groups{
      group(std::nullopt, DeliveryState::kSkipped, "skipped:opted_out", {}, 3, 0, 0, 0, 0, 0),
      group(std::nullopt, DeliveryState::kSkipped, "skipped:no_consent", {}, 5, 0, 0, 0, 0, 0),
      group(std::nullopt, DeliveryState::kBlocked, "blocked:words", {}, 1, 0, 0, 0, 0, 0),
      group(20000, DeliveryState::kRead, "", {}, 6, 6, 6, 6, 2, 600),
      group(20000, DeliveryState::kDelivered, "", {}, 2, 2, 2, 0, 0, 200),
      group(20001, DeliveryState::kFailed, "failed:131026", 131026, 2, 2, 0, 0, 0, 0),
      group(std::nullopt, DeliveryState::kFailed, "failed:131049", 131049, 1, 0, 0, 0, 0, 0),
      group(std::nullopt, DeliveryState::kQueued, "waiting:quiet_hours", {}, 4, 0, 0, 0, 0, 0),
  };
  const std::vector<storage::OptOutDay> opt_outs{{20000, 1}};
  const Funnel funnel = BuildFunnel(CampaignId{7}, groups, opt_outs, "EUR");
  EXPECT_EQ(funnel.audience, 24);
  EXPECT_EQ(funnel.skipped, 8);
  EXPECT_EQ(funnel.blocked, 1);
  EXPECT_EQ(funnel.waiting, 4);
  EXPECT_EQ(funnel.sent, 10);
  EXPECT_EQ(funnel.delivered, 8);
  EXPECT_EQ(funnel.read, 6);
  EXPECT_EQ(funnel.replied, 2);
  EXPECT_EQ(funnel.failed, 3);
  EXPECT_EQ(funnel.opted_out_after, 1);
  ASSERT_EQ(funnel.skipped_by_reason.size(), 2u);
  EXPECT_EQ(funnel.skipped_by_reason[0].key, "skipped:no_consent");
  EXPECT_EQ(funnel.failed_by_error.size(), 2u);
  EXPECT_THAT(funnel.delivery_rate, Optional(0.8));
  EXPECT_THAT(funnel.reply_rate, Optional(0.25));
  EXPECT_THAT(funnel.failure_rate, Optional(0.3));
  EXPECT_EQ(funnel.spend_micros, 800);
  EXPECT_THAT(funnel.cost_per_delivered_micros, Optional(100));
  EXPECT_THAT(funnel.cost_per_reply_micros, Optional(400));
  ASSERT_EQ(funnel.days.size(), 2u);
  EXPECT_EQ(funnel.days[0].day, 20000);
  EXPECT_EQ(funnel.days[0].sent, 8);
  EXPECT_EQ(funnel.days[0].opted_out, 1);
  EXPECT_EQ(funnel.days[0].spend_micros, 800);
  EXPECT_EQ(funnel.days[1].failed, 2);
  EXPECT_EQ(funnel.currency, "EUR");
}

TEST(FunnelTest, NothingSentHasNoRates) {
  const Funnel funnel = BuildFunnel(CampaignId{1}, {}, {}, "USD");
  EXPECT_EQ(funnel.delivery_rate, std::nullopt);
  EXPECT_EQ(funnel.cost_per_reply_micros, std::nullopt);
  EXPECT_TRUE(funnel.days.empty());
}

TEST(MonthlyReportTest, ValueAndNetValuePerCampaignAndInTotal) {
  storage::MonthGroup campaign;
  campaign.campaign = CampaignId{3};
  campaign.campaign_name = "autumn";
  campaign.sent = 100;
  campaign.delivered = 90;
  campaign.replied = 9;
  campaign.opted_out = 1;
  campaign.actual_micros = 9'000'000;
  storage::MonthGroup singles;
  singles.sent = 10;
  singles.delivered = 10;
  singles.replied = 1;
  const std::vector<storage::MonthGroup> groups{singles, campaign};
  const MonthlyReport report = BuildMonthlyReport("2026-11", groups, ValueModel{2'000'000}, "USD");
  ASSERT_EQ(report.campaigns.size(), 2u);
  EXPECT_EQ(report.campaigns[0].name, "autumn");
  EXPECT_EQ(report.campaigns[1].name, "single messages");
  EXPECT_EQ(report.campaigns[0].value_micros, 18'000'000);
  EXPECT_EQ(report.campaigns[0].net_value_micros, 9'000'000);
  EXPECT_THAT(report.campaigns[0].cost_per_reply_micros, Optional(1'000'000));
  EXPECT_THAT(report.campaigns[0].reply_rate, Optional(0.1));
  EXPECT_EQ(report.total.sent, 110);
  EXPECT_EQ(report.total.replied, 10);
  EXPECT_EQ(report.total.net_value_micros, 20'000'000 - 9'000'000);
}

TEST(MonthlyReportTest, MonthBounds) {
  const auto december = ParseMonth("2026-12");
  ASSERT_TRUE(december);
  EXPECT_EQ(december->first, SysTime(*ParseDay("2026-12-01")));
  EXPECT_EQ(december->second, SysTime(*ParseDay("2027-01-01")));
  EXPECT_EQ(ParseMonth("2026-13"), std::nullopt);
  EXPECT_EQ(ParseMonth("2026-1"), std::nullopt);
  EXPECT_EQ(ParseMonth("2026-11-01"), std::nullopt);
  EXPECT_EQ(ParseMonth("abcd-ef"), std::nullopt);
}

}  // namespace
}  // namespace herald::app
