// The sender service's rules and its memory copy against storage (issue 16, item 1).
#include "app/sender_service.h"

#include <gtest/gtest.h>

#include <future>

#include "storage/store.h"
#include "tests/support/temp_dir.h"

namespace herald::app {
namespace {

class FixedClock final : public Clock {
 public:
  SysTime Now() const override { return SysTime(std::chrono::seconds(1'800'000'000)); }
};

TEST(MessagingTierLimit, ReadsTheLadderAndAnyStepTheSameShape) {
  EXPECT_EQ(MessagingTierLimit("TIER_250").users, 250);
  EXPECT_EQ(MessagingTierLimit("TIER_2K").users, 2000);
  EXPECT_EQ(MessagingTierLimit("TIER_10K").users, 10000);
  EXPECT_EQ(MessagingTierLimit("TIER_100K").users, 100000);
  EXPECT_EQ(MessagingTierLimit("TIER_1M").users, 1000000);
  EXPECT_FALSE(MessagingTierLimit("TIER_UNLIMITED").users.has_value());
  EXPECT_TRUE(MessagingTierLimit("TIER_UNLIMITED").known);
  for (const char* unknown : {"TIER_STARTER", "TIER_", "TIER_K", "TIER_-5", "2K"}) {
    EXPECT_EQ(MessagingTierLimit(unknown).users, 250) << unknown << " is paced as the lowest";
    EXPECT_FALSE(MessagingTierLimit(unknown).known) << unknown;
  }
}

TEST(SenderRules, CanonicalSpellingsOrAnErrorNamingTheField) {
  EXPECT_EQ(*CanonicalTier("tier_2k", "t"), "TIER_2K");
  EXPECT_EQ(*CanonicalTier("TIER_NEW_2027", "t"), "TIER_NEW_2027");
  EXPECT_EQ(CanonicalTier("2K", "t").error().field, "t");
  EXPECT_FALSE(CanonicalTier("TIER_ 2K", "t").ok());
  EXPECT_EQ(*CanonicalQuality("high", "q"), "GREEN");
  EXPECT_EQ(*CanonicalQuality("Medium", "q"), "YELLOW");
  EXPECT_EQ(*CanonicalQuality("LOW", "q"), "RED");
  EXPECT_EQ(*CanonicalQuality("unknown", "q"), "UNKNOWN");
  EXPECT_FALSE(CanonicalQuality("", "q").ok());
  EXPECT_EQ(*CanonicalSenderState("disabled", "s"), "disabled");
  EXPECT_FALSE(CanonicalSenderState("Active", "s").ok());
  EXPECT_TRUE(CheckThroughput(0.5, "r").ok());
  EXPECT_TRUE(CheckThroughput(10000, "r").ok());
  EXPECT_FALSE(CheckThroughput(0, "r").ok());
  EXPECT_FALSE(CheckThroughput(10001, "r").ok());
  EXPECT_FALSE(CheckThroughput(std::numeric_limits<double>::quiet_NaN(), "r").ok());
  EXPECT_TRUE(CheckPhoneNumberId("106540352242922", "p").ok());
  EXPECT_FALSE(CheckPhoneNumberId("", "p").ok());
  EXPECT_FALSE(CheckPhoneNumberId(std::string(65, '1'), "p").ok());
  EXPECT_FALSE(CheckPhoneNumberId("10/65", "p").ok());
}

TEST(SenderService, ListenersSeeEveryCommittedChangeAndARestartReadsItBack) {
  testing::TempDir dir;
  FixedClock clock;
  auto store = storage::Store::Open({dir / "herald.db"});
  ASSERT_TRUE(store.ok());
  SenderService service(**store, clock);
  ASSERT_TRUE(service.Start().ok());
  std::vector<std::string> seen;
  std::mutex seen_mutex;
  service.AddListener([&](const Sender& sender, const Portfolio& portfolio) {
    std::lock_guard lock(seen_mutex);
    seen.push_back(sender.phone_number_id + "/" + sender.state + "/" + portfolio.messaging_tier);
  });
  auto wait = [](auto call) {
    std::promise<bool> done;
    call([&](auto result) { done.set_value(result.ok()); });
    return done.get_future().get();
  };
  ASSERT_TRUE(wait([&](auto reply) {
    service.Create({.phone_number_id = "1", .messaging_limit_tier = "TIER_2K"}, "olga", "", reply);
  }));
  ASSERT_TRUE(
      wait([&](auto reply) { service.Update("1", {.state = "paused"}, "olga", "review", reply); }));
  ASSERT_TRUE(wait([&](auto reply) {
    service.UpdatePortfolio("default", {.messaging_limit_tier = "TIER_10K"}, "olga", "", reply);
  }));
  {
    std::lock_guard lock(seen_mutex);
    EXPECT_EQ(seen, (std::vector<std::string>{"1/active/TIER_2K", "1/paused/TIER_2K",
                                              "1/paused/TIER_10K"}));
  }
  EXPECT_FALSE(wait([&](auto reply) {
    service.Create({.phone_number_id = "1"}, "olga", "", reply);
  })) << "a duplicate is refused before storage";

  SenderService restarted(**store, clock);
  ASSERT_TRUE(restarted.Start().ok());
  auto view = restarted.Get("1");
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->sender.state, "paused");
  EXPECT_EQ(view->sender.state_reason, "review");
  EXPECT_EQ(view->portfolio.messaging_tier, "TIER_10K");
  EXPECT_EQ(restarted.FindById(view->sender.id)->phone_number_id, "1");
  (*store)->Stop();
}

}  // namespace
}  // namespace herald::app
