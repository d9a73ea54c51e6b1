// Portfolios and senders, campaigns, leases and market rules on a real SQLite file (issue 16).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/time.h"
#include "storage/sqlite/campaign_repository.h"
#include "storage/sqlite/lease_repository.h"
#include "storage/sqlite/sender_repository.h"
#include "tests/storage/fixtures.h"

namespace herald::storage {
namespace {

SysTime At(std::int64_t seconds) { return SysTime(std::chrono::seconds(seconds)); }

class SendingRepositoriesTest : public testing::MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    senders_ = std::make_unique<SqliteSenderRepository>(*connection_);
    campaigns_ = std::make_unique<SqliteCampaignRepository>(*connection_);
    leases_ = std::make_unique<SqliteLeaseRepository>(*connection_);
  }

  SenderId AddSender(std::string phone_number_id, std::string portfolio = "acme") {
    if (!*senders_->FindPortfolio(portfolio)) {
      EXPECT_TRUE(senders_->SavePortfolio({.name = portfolio}, {"olga", "", At(1)}).ok());
    }
    SenderRecord sender;
    sender.phone_number_id = std::move(phone_number_id);
    sender.display_phone_number = "+49 30 1234";
    sender.portfolio = portfolio;
    auto id = senders_->Insert(sender, {"olga", "new number", At(2)});
    EXPECT_TRUE(id.ok()) << id.error().ToString();
    return id.ok() ? *id : SenderId{};
  }

  std::int64_t AuditCount(std::string_view action) {
    return QueryInt("SELECT count(*) FROM audit_log WHERE action = '" + std::string(action) + "'");
  }

  std::unique_ptr<SqliteSenderRepository> senders_;
  std::unique_ptr<SqliteCampaignRepository> campaigns_;
  std::unique_ptr<SqliteLeaseRepository> leases_;
};

TEST_F(SendingRepositoriesTest, PortfolioIsCreatedThenUpdatedByName) {
  ASSERT_TRUE(
      senders_->SavePortfolio({.name = "acme", .messaging_tier = "TIER_2K"}, {"olga", "", At(1)})
          .ok());
  PortfolioRecord restricted{.name = "acme",
                             .messaging_tier = "TIER_NEW_2027",
                             .restricted_until = At(500),
                             .restriction_type = "RESTRICTED_BIZ_INITIATED_MESSAGING"};
  ASSERT_TRUE(senders_->SavePortfolio(restricted, {"webhook", "account_update", At(2)}).ok());
  auto found = senders_->FindPortfolio("acme");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->messaging_tier, "TIER_NEW_2027") << "an unknown tier is kept as given";
  EXPECT_EQ((*found)->restricted_until, At(500));
  EXPECT_EQ((*found)->created_at, At(1));
  EXPECT_EQ((*found)->updated_at, At(2));
  EXPECT_EQ(senders_->ListPortfolios()->size(), 1u);
  EXPECT_EQ(AuditCount("portfolio.save"), 2);
}

TEST_F(SendingRepositoriesTest, SenderRoundTripsAndRefusesADuplicateNumber) {
  const SenderId id = AddSender("1001");
  auto found = senders_->Find("1001");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, id);
  EXPECT_EQ((*found)->portfolio, "acme");
  EXPECT_EQ((*found)->throughput_per_s, 80);
  EXPECT_EQ((*found)->quality, "UNKNOWN");
  EXPECT_EQ((*found)->state, "active");
  EXPECT_EQ((*senders_->FindById(id))->phone_number_id, "1001");

  SenderRecord again;
  again.phone_number_id = "1001";
  again.portfolio = "acme";
  auto duplicate = senders_->Insert(again, {"olga", "", At(3)});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(duplicate.error().field, "phone_number_id");

  again.phone_number_id = "1002";
  again.portfolio = "nobody";
  auto no_portfolio = senders_->Insert(again, {"olga", "", At(3)});
  ASSERT_FALSE(no_portfolio.ok());
  EXPECT_EQ(no_portfolio.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(no_portfolio.error().field, "portfolio");
  EXPECT_EQ(AuditCount("sender.create"), 1);
}

TEST_F(SendingRepositoriesTest, SenderUpdateChangesEverythingButItsIdentityAndIsAudited) {
  AddSender("1001");
  SenderRecord sender = **senders_->Find("1001");
  sender.throughput_per_s = 1000;
  sender.quality = "RED";
  sender.state = "paused";
  sender.state_reason = "quality";
  sender.warmup_started_at = At(7);
  ASSERT_TRUE(senders_->Update(sender, "sender.pause", {"olga", "quality", At(9)}).ok());
  const SenderRecord stored = **senders_->Find("1001");
  EXPECT_EQ(stored.throughput_per_s, 1000);
  EXPECT_EQ(stored.quality, "RED");
  EXPECT_EQ(stored.state, "paused");
  EXPECT_EQ(stored.state_reason, "quality");
  EXPECT_EQ(stored.warmup_started_at, At(7));
  EXPECT_EQ(stored.updated_at, At(9));
  EXPECT_EQ(AuditCount("sender.pause"), 1);
  EXPECT_EQ(QueryText("SELECT reason FROM audit_log WHERE action = 'sender.pause'"), "quality");

  sender.phone_number_id = "9999";
  Status missing = senders_->Update(sender, "sender.update", {"olga", "", At(10)});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(SendingRepositoriesTest, CampaignRoundTripsWithItsSenders) {
  const SenderId a = AddSender("1001");
  const SenderId b = AddSender("1002");
  CampaignRecord campaign;
  campaign.name = "autumn";
  campaign.segment = "tag:vip";
  campaign.content_json = R"({"template":{"name":"promo","language":"de"}})";
  campaign.state = "scheduled";
  campaign.start_at = At(100);
  campaign.timezone = "Europe/Berlin";
  campaign.end_by = At(200);
  campaign.spend_cap_micros = 5'000'000;
  campaign.senders = {b, a};
  auto id = campaigns_->Insert(campaign, {"olga", "", At(50)});
  ASSERT_TRUE(id.ok()) << id.error().ToString();

  auto found = campaigns_->Find(*id);
  ASSERT_TRUE(found.ok() && found->has_value());
  const CampaignRecord& stored = **found;
  EXPECT_EQ(stored.name, "autumn");
  EXPECT_EQ(stored.content_json, campaign.content_json);
  EXPECT_EQ(stored.state, "scheduled");
  EXPECT_EQ(stored.start_at, At(100));
  EXPECT_EQ(stored.end_by, At(200));
  EXPECT_EQ(stored.spend_cap_micros, 5'000'000);
  EXPECT_EQ(stored.created_by, "olga");
  EXPECT_FALSE(stored.audience_size.has_value());
  EXPECT_THAT(stored.senders, ::testing::UnorderedElementsAre(a, b));
  EXPECT_EQ(campaigns_->List("scheduled")->size(), 1u);
  EXPECT_EQ(campaigns_->List("running")->size(), 0u);
  EXPECT_EQ(AuditCount("campaign.create"), 1);
}

TEST_F(SendingRepositoriesTest, CampaignTransitionsOnlyFromTheStatesGivenAndIsAudited) {
  CampaignRecord campaign{.name = "c", .segment = "tag:x", .content_json = R"({"text":"hi"})"};
  const CampaignId id = *campaigns_->Insert(campaign, {"olga", "", At(1)});
  const std::vector<std::string_view> from_draft{"draft", "scheduled"};
  ASSERT_TRUE(campaigns_->Transition(id, from_draft, "running", {"olga", "go", At(5)}).ok());
  const std::vector<std::string_view> from_running{"running"};
  ASSERT_TRUE(campaigns_->Transition(id, from_running, "paused", {"ana", "lunch", At(6)}).ok());
  Status refused = campaigns_->Transition(id, from_draft, "running", {"olga", "", At(7)});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("is paused"));
  const std::vector<std::string_view> from_paused{"paused"};
  ASSERT_TRUE(campaigns_->Transition(id, from_paused, "running", {"olga", "", At(8)}).ok());
  ASSERT_TRUE(campaigns_->Transition(id, from_running, "completed", {"herald", "", At(9)}).ok());

  const CampaignRecord stored = **campaigns_->Find(id);
  EXPECT_EQ(stored.state, "completed");
  EXPECT_EQ(stored.started_at, At(5)) << "the first start stays";
  EXPECT_EQ(stored.finished_at, At(9));
  EXPECT_EQ(QueryText("SELECT actor || ':' || reason FROM audit_log WHERE action = "
                      "'campaign.paused'"),
            "ana:lunch");
  Status unknown =
      campaigns_->Transition(CampaignId{999}, from_running, "paused", {"olga", "", At(10)});
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(SendingRepositoriesTest, LeaseIsHeldUntilItsDeadlineUnlessTakenOverFromADeadOwner) {
  Lease first{.name = "sender", .owner = "a", .host = "h1", .pid = 10, .deadline = At(100)};
  auto held = leases_->Acquire(first, At(50), "");
  ASSERT_TRUE(held.ok()) << held.error().ToString();
  EXPECT_EQ(held->owner, "a");

  Lease second{.name = "sender", .owner = "b", .host = "h2", .pid = 20, .deadline = At(160)};
  auto refused = leases_->Acquire(second, At(60), "");
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->owner, "a") << "a still holds it";
  EXPECT_EQ(refused->host, "h1");
  EXPECT_EQ(refused->pid, 10);

  ASSERT_TRUE(leases_->Renew("sender", "a", At(200)).ok());
  EXPECT_EQ(leases_->Acquire(second, At(150), "")->owner, "a") << "renewed past 150";
  EXPECT_EQ(leases_->Acquire(second, At(150), "a")->owner, "b") << "a is known dead";
  Status lost = leases_->Renew("sender", "a", At(300));
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kFailedPrecondition);

  ASSERT_TRUE(leases_->Release("sender", "a").ok());  // not a's any more: nothing happens
  EXPECT_EQ((*leases_->Find("sender"))->owner, "b");
  ASSERT_TRUE(leases_->Release("sender", "b").ok());
  EXPECT_FALSE(leases_->Find("sender")->has_value());

  Lease third{.name = "sender", .owner = "c", .host = "h3", .pid = 30, .deadline = At(400)};
  EXPECT_EQ(leases_->Acquire(third, At(300), "")->owner, "c");
  Lease late{.name = "sender", .owner = "d", .host = "h4", .pid = 40, .deadline = At(900)};
  EXPECT_EQ(leases_->Acquire(late, At(400), "")->owner, "d") << "c's deadline passed";
}

TEST_F(SendingRepositoriesTest, MarketRulesComeSeededWithTheUsMarketingPause) {
  SqliteMarketRuleRepository rules(*connection_);
  auto list = rules.List();
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].market, "US");
  EXPECT_EQ((*list)[0].category, "marketing");
  EXPECT_EQ((*list)[0].effective_from, "2025-04-01");
  EXPECT_EQ((*list)[0].effective_until, "");
  EXPECT_EQ((*list)[0].platform_error, 131049);
}

}  // namespace
}  // namespace herald::storage
