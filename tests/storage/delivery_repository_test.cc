#include "storage/sqlite/delivery_repository.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "storage/delivery_repository.h"
#include "tests/storage/fixtures.h"

namespace herald::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

SysTime At(std::int64_t seconds) { return SysTime(std::chrono::seconds(seconds)); }

// A delivery row as the database holds it, for checking what a claim operation left behind.
struct StoredDelivery {
  std::string state;
  std::string reason;  // "" when NULL
  std::optional<std::string> owner;
  std::optional<std::int64_t> deadline_ms;
  std::int64_t attempts = 0;
};

struct QueuedRow {
  std::int64_t not_before_s = 0;
  std::string state = "queued";
  std::int64_t attempts = 0;
  bool in_campaign = true;
};

class DeliveryRepositoryTest : public testing::MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    Execute(
        "INSERT INTO senders (id, phone_number_id, display_phone_number, created_at, updated_at) "
        "VALUES (3, 'pnid-3', '+4930123', 0, 0);"
        "INSERT INTO campaigns (id, name, segment_expr, state, created_by, created_at, updated_at) "
        "VALUES (5, 'autumn', 'tag:vip', 'running', 'olga', 0, 0);");
    repository_ = std::make_unique<SqliteDeliveryRepository>(*connection_);
  }

  // A delivery to a contact of its own (a campaign never queues a contact twice).
  DeliveryId Add(const QueuedRow& row) {
    const std::int64_t contact = ++contacts_;
    Execute("INSERT INTO contacts (id, phone_e164, created_at, updated_at) VALUES (" +
            std::to_string(contact) + ", '+49151000" + std::to_string(contact) + "', 0, 0)");
    auto insert = connection_->Prepare(
        "INSERT INTO deliveries (campaign_id, contact_id, sender_id, state, not_before, attempts, "
        "created_at, updated_at) VALUES (?1, ?2, 3, ?3, ?4, ?5, 0, 0)");
    if (row.in_campaign) {
      insert->Bind(1, std::int64_t{5});
    } else {
      insert->BindNull(1);
    }
    insert->Bind(2, contact)
        .Bind(3, row.state)
        .Bind(4, ToUnixMillis(At(row.not_before_s)))
        .Bind(5, row.attempts);
    EXPECT_TRUE(insert->Run().ok());
    return DeliveryId{QueryInt("SELECT last_insert_rowid()")};
  }
  DeliveryId AddDue(std::int64_t not_before_s) { return Add({.not_before_s = not_before_s}); }

  StoredDelivery Stored(DeliveryId id) {
    auto query = connection_->Prepare(
        "SELECT state, reason, claim_owner, claim_deadline, attempts FROM deliveries WHERE id = "
        "?1");
    query->Bind(1, id.value);
    StoredDelivery stored;
    auto row = query->Step();
    EXPECT_TRUE(row.ok() && *row) << "no delivery " << id.value;
    if (!row.ok() || !*row) return stored;
    stored.state = query->ColumnText(0);
    stored.reason = query->ColumnText(1);
    if (!query->ColumnIsNull(2)) stored.owner = query->ColumnText(2);
    if (!query->ColumnIsNull(3)) stored.deadline_ms = query->ColumnInt(3);
    stored.attempts = query->ColumnInt(4);
    return stored;
  }

  std::vector<DeliveryId> Claim(std::string_view owner, SysTime now, SysTime deadline,
                                std::size_t limit = 100) {
    auto claimed = repository_->ClaimDue(owner, now, deadline, limit);
    EXPECT_TRUE(claimed.ok()) << claimed.error().ToString();
    std::vector<DeliveryId> ids;
    if (claimed.ok()) {
      for (const ClaimedDelivery& delivery : *claimed) ids.push_back(delivery.id);
    }
    return ids;
  }

  // Two deliveries claimed by `owner` at 100 s: the first never handed over, the second once.
  std::pair<DeliveryId, DeliveryId> ClaimUntriedAndTried(std::string_view owner, SysTime deadline) {
    const DeliveryId untried = AddDue(10);
    const DeliveryId tried = AddDue(11);
    EXPECT_THAT(Claim(owner, At(100), deadline), ElementsAre(untried, tried));
    EXPECT_TRUE(repository_->RecordAttempt(tried, owner, At(101)).ok());
    return {untried, tried};
  }

  std::int64_t contacts_ = 0;
  std::unique_ptr<DeliveryRepository> repository_;
};

void ExpectRecovery(const Result<ClaimRecovery>& recovery, std::size_t requeued,
                    std::size_t uncertain) {
  ASSERT_TRUE(recovery.ok()) << recovery.error().ToString();
  EXPECT_EQ(recovery->requeued, requeued);
  EXPECT_EQ(recovery->uncertain, uncertain);
}

TEST_F(DeliveryRepositoryTest, ClaimDueTakesOnlyQueuedDeliveriesThatAreDue) {
  const DeliveryId early = AddDue(100);
  const DeliveryId exactly_now = AddDue(200);
  const DeliveryId later = AddDue(201);
  std::vector<DeliveryId> settled;
  for (const char* state :
       {"sent", "delivered", "read", "failed", "skipped", "blocked", "uncertain", "cancelled"}) {
    settled.push_back(Add({.not_before_s = 50, .state = state}));
  }

  EXPECT_THAT(Claim("a", At(200), At(260)), ElementsAre(early, exactly_now));

  for (DeliveryId id : {early, exactly_now}) {
    const StoredDelivery stored = Stored(id);
    EXPECT_EQ(stored.state, "claimed");
    EXPECT_EQ(stored.owner, "a");
    EXPECT_EQ(stored.deadline_ms, ToUnixMillis(At(260)));
  }
  EXPECT_EQ(Stored(later).state, "queued");
  EXPECT_FALSE(Stored(later).owner.has_value());
  for (DeliveryId id : settled) EXPECT_NE(Stored(id).state, "claimed") << id.value;
}

TEST_F(DeliveryRepositoryTest, ClaimDueReturnsTheEarliestFirstAndAtMostTheLimit) {
  // Inserted out of time order, with a tie on not_before broken by id.
  const DeliveryId third = AddDue(30);
  const DeliveryId first = AddDue(10);
  const DeliveryId fifth = AddDue(50);
  const DeliveryId second = AddDue(20);
  const DeliveryId fourth = AddDue(30);

  auto claimed = repository_->ClaimDue("a", At(100), At(160), 3);
  ASSERT_TRUE(claimed.ok()) << claimed.error().ToString();
  ASSERT_EQ(claimed->size(), 3u);
  EXPECT_EQ((*claimed)[0].id, first);
  EXPECT_EQ((*claimed)[1].id, second);
  EXPECT_EQ((*claimed)[2].id, third);
  EXPECT_EQ(Stored(fourth).state, "queued");
  EXPECT_EQ(Stored(fifth).state, "queued");

  EXPECT_THAT(Claim("a", At(100), At(160), 3), ElementsAre(fourth, fifth));
  EXPECT_THAT(Claim("a", At(100), At(160), 3), IsEmpty());
}

TEST_F(DeliveryRepositoryTest, ClaimDueWithLimitZeroClaimsNothing) {
  const DeliveryId due = AddDue(10);
  EXPECT_THAT(Claim("a", At(100), At(160), 0), IsEmpty());
  EXPECT_EQ(Stored(due).state, "queued");
}

TEST_F(DeliveryRepositoryTest, ClaimedDeliveryCarriesItsRow) {
  const DeliveryId in_campaign = Add({.not_before_s = 10, .attempts = 2});
  const DeliveryId single = Add({.not_before_s = 20, .in_campaign = false});

  auto claimed = repository_->ClaimDue("a", At(100), At(160), 10);
  ASSERT_TRUE(claimed.ok()) << claimed.error().ToString();
  ASSERT_EQ(claimed->size(), 2u);
  const ClaimedDelivery& campaign = (*claimed)[0];
  EXPECT_EQ(campaign.id, in_campaign);
  EXPECT_EQ(campaign.campaign, CampaignId{5});
  EXPECT_EQ(campaign.contact, ContactId{1});
  EXPECT_EQ(campaign.sender, SenderId{3});
  EXPECT_EQ(campaign.attempts, 2);
  EXPECT_EQ(campaign.not_before, At(10));
  const ClaimedDelivery& message = (*claimed)[1];
  EXPECT_EQ(message.id, single);
  EXPECT_FALSE(message.campaign.has_value());
  EXPECT_EQ(message.contact, ContactId{2});
}

TEST_F(DeliveryRepositoryTest, ClaimDueNeverTakesDeliveriesClaimedByAnotherOwner) {
  const DeliveryId taken = AddDue(10);
  ASSERT_THAT(Claim("a", At(100), At(160)), ElementsAre(taken));
  EXPECT_THAT(Claim("b", At(100), At(160)), IsEmpty());
  // Even once a's deadline has passed: only recovery gives the delivery back.
  EXPECT_THAT(Claim("b", At(500), At(560)), IsEmpty());
  EXPECT_EQ(Stored(taken).owner, "a");
}

TEST_F(DeliveryRepositoryTest, EveryClaimOperationNeedsAnOwner) {
  const DeliveryId due = AddDue(10);
  auto expect_refused = [](const Status& status, std::string_view what) {
    ASSERT_FALSE(status.ok()) << what;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument) << what;
    EXPECT_EQ(status.error().field, "owner") << what;
  };
  auto claim = repository_->ClaimDue("", At(100), At(160), 10);
  expect_refused(claim.ok() ? Status::Ok() : Status(claim.error()), "ClaimDue");
  auto renew = repository_->RenewClaims("", At(200));
  expect_refused(renew.ok() ? Status::Ok() : Status(renew.error()), "RenewClaims");
  expect_refused(repository_->RecordAttempt(due, "", At(100)), "RecordAttempt");
  auto release = repository_->ReleaseClaims("", At(100));
  expect_refused(release.ok() ? Status::Ok() : Status(release.error()), "ReleaseClaims");
  EXPECT_EQ(Stored(due).state, "queued");
}

TEST_F(DeliveryRepositoryTest, RenewClaimsMovesOnlyTheOwnersDeadlines) {
  const DeliveryId a1 = AddDue(10);
  const DeliveryId a2 = AddDue(11);
  ASSERT_THAT(Claim("a", At(100), At(160)), ElementsAre(a1, a2));
  const DeliveryId b1 = AddDue(12);
  ASSERT_THAT(Claim("b", At(100), At(170)), ElementsAre(b1));
  // A delivery a finished with still names a as its owner: it is not a claim any more.
  const DeliveryId sent = Add({.not_before_s = 13, .state = "sent"});
  Execute("UPDATE deliveries SET claim_owner = 'a', claim_deadline = 0 WHERE id = " +
          std::to_string(sent.value));

  auto renewed = repository_->RenewClaims("a", At(220));
  ASSERT_TRUE(renewed.ok()) << renewed.error().ToString();
  EXPECT_EQ(*renewed, 2u);
  EXPECT_EQ(Stored(a1).deadline_ms, ToUnixMillis(At(220)));
  EXPECT_EQ(Stored(a2).deadline_ms, ToUnixMillis(At(220)));
  EXPECT_EQ(Stored(b1).deadline_ms, ToUnixMillis(At(170)));
  EXPECT_EQ(Stored(sent).deadline_ms, 0);

  auto nobody = repository_->RenewClaims("c", At(220));
  ASSERT_TRUE(nobody.ok());
  EXPECT_EQ(*nobody, 0u);
}

TEST_F(DeliveryRepositoryTest, RecordAttemptCountsOnlyUnderTheOwnersClaim) {
  const DeliveryId claimed = AddDue(10);
  ASSERT_THAT(Claim("a", At(100), At(160)), ElementsAre(claimed));
  const DeliveryId queued = AddDue(10);

  EXPECT_TRUE(repository_->RecordAttempt(claimed, "a", At(101)).ok());
  EXPECT_TRUE(repository_->RecordAttempt(claimed, "a", At(102)).ok());
  EXPECT_EQ(Stored(claimed).attempts, 2);

  for (auto [id, owner] :
       {std::pair{claimed, "b"}, std::pair{queued, "a"}, std::pair{DeliveryId{999}, "a"}}) {
    Status refused = repository_->RecordAttempt(id, owner, At(103));
    ASSERT_FALSE(refused.ok()) << id.value << " " << owner;
    EXPECT_EQ(refused.error().code, ErrorCode::kNotFound) << id.value << " " << owner;
  }
  EXPECT_EQ(Stored(claimed).attempts, 2);
  EXPECT_EQ(Stored(queued).attempts, 0);
}

TEST_F(DeliveryRepositoryTest, ReleaseClaimsRequeuesUntriedAndLeavesTriedUncertain) {
  const auto [untried, tried] = ClaimUntriedAndTried("a", At(160));
  const DeliveryId others = AddDue(12);
  ASSERT_THAT(Claim("b", At(100), At(160)), ElementsAre(others));

  ExpectRecovery(repository_->ReleaseClaims("a", At(120)), 1, 1);

  const StoredDelivery requeued = Stored(untried);
  EXPECT_EQ(requeued.state, "queued");
  EXPECT_FALSE(requeued.owner.has_value());
  EXPECT_FALSE(requeued.deadline_ms.has_value());
  const StoredDelivery uncertain = Stored(tried);
  EXPECT_EQ(uncertain.state, "uncertain");
  EXPECT_EQ(uncertain.reason, "uncertain:claim_lost");
  EXPECT_EQ(uncertain.attempts, 1);
  EXPECT_FALSE(uncertain.owner.has_value());
  EXPECT_EQ(Stored(others).state, "claimed");
  EXPECT_EQ(Stored(others).owner, "b");

  // The requeued delivery is work again, for anyone; the uncertain one is not.
  EXPECT_THAT(Claim("b", At(130), At(190)), ElementsAre(untried));
  ExpectRecovery(repository_->ReleaseClaims("a", At(140)), 0, 0);
}

TEST_F(DeliveryRepositoryTest, RecoverExpiredClaimsTouchesOnlyClaimsWhoseDeadlinePassed) {
  const auto [untried, tried] = ClaimUntriedAndTried("dead", At(150));
  const DeliveryId alive = AddDue(12);
  ASSERT_THAT(Claim("alive", At(100), At(300)), ElementsAre(alive));
  const DeliveryId queued = AddDue(13);

  ExpectRecovery(repository_->RecoverExpiredClaims(At(150)), 0, 0);  // not yet before now
  ExpectRecovery(repository_->RecoverExpiredClaims(At(200)), 1, 1);

  EXPECT_EQ(Stored(untried).state, "queued");
  EXPECT_FALSE(Stored(untried).owner.has_value());
  EXPECT_EQ(Stored(tried).state, "uncertain");
  EXPECT_EQ(Stored(tried).reason, "uncertain:claim_lost");
  EXPECT_EQ(Stored(alive).state, "claimed");
  EXPECT_EQ(Stored(alive).owner, "alive");
  EXPECT_EQ(Stored(queued).state, "queued");

  ExpectRecovery(repository_->RecoverExpiredClaims(At(301)), 1, 0);
  EXPECT_EQ(Stored(alive).state, "queued");
}

}  // namespace
}  // namespace herald::storage
