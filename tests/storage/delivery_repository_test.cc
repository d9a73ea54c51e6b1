#include "storage/sqlite/delivery_repository.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/time.h"
#include "storage/delivery_repository.h"
#include "storage/sqlite/report_repository.h"
#include "storage/sqlite/retention_repository.h"
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
  std::optional<std::string> owner{};
  std::optional<std::int64_t> deadline_ms;
  std::int64_t attempts = 0;
};

struct QueuedRow {
  std::int64_t not_before_s = 0;
  std::string state = "queued";
  std::int64_t attempts = 0;
  bool in_campaign = true;
  std::int64_t campaign = 5;
  std::optional<std::string> owner{};
};

class DeliveryRepositoryTest : public testing::MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    Execute(
        "INSERT INTO senders (id, phone_number_id, display_phone_number, created_at, updated_at) "
        "VALUES (3, 'pnid-3', '+4930123', 0, 0);"
        "INSERT INTO campaigns (id, name, segment, content, state, created_by, created_at, "
        "updated_at) VALUES (5, 'autumn', 'tag:vip', '{}', 'running', 'olga', 0, 0), "
        "(6, 'winter', 'tag:vip', '{}', 'running', 'olga', 0, 0);");
    repository_ = std::make_unique<SqliteDeliveryRepository>(*connection_);
  }

  // A delivery to a contact of its own (a campaign never queues a contact twice).
  DeliveryId Add(const QueuedRow& row) {
    const std::int64_t contact = ++contacts_;
    Execute("INSERT INTO contacts (id, phone_e164, created_at, updated_at) VALUES (" +
            std::to_string(contact) + ", '+49151000" + std::to_string(contact) + "', 0, 0)");
    auto insert = connection_->Prepare(
        "INSERT INTO deliveries (campaign_id, contact_id, sender_id, state, not_before, attempts, "
        "claim_owner, claim_deadline, created_at, updated_at) VALUES (?1, ?2, 3, ?3, ?4, ?5, ?6, "
        "?7, 0, 0)");
    if (row.owner) {
      insert->Bind(6, *row.owner).Bind(7, std::int64_t{0});
    } else {
      insert->BindNull(6).BindNull(7);
    }
    if (row.in_campaign) {
      insert->Bind(1, row.campaign);
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
                                std::size_t limit = 100,
                                std::optional<CampaignId> campaign = CampaignId{5}) {
    auto claimed = repository_->ClaimDue(owner, campaign, now, deadline, limit);
    EXPECT_TRUE(claimed.ok()) << claimed.error().ToString();
    std::vector<DeliveryId> ids;
    if (claimed.ok()) {
      for (const ClaimedDelivery& delivery : *claimed) ids.push_back(delivery.id);
    }
    return ids;
  }

  void MarkSending(std::string_view owner, std::vector<DeliveryId> ids) {
    std::vector<SendingMark> marks;
    for (DeliveryId id : ids) marks.push_back({id, SenderId{3}});
    auto lost = repository_->MarkSending(owner, marks, At(101));
    ASSERT_TRUE(lost.ok()) << lost.error().ToString();
    EXPECT_THAT(*lost, IsEmpty());
  }

  // Two deliveries claimed by `owner` at 100 s: the first never handed over, the second sending.
  std::pair<DeliveryId, DeliveryId> ClaimUntriedAndSending(std::string_view owner,
                                                           SysTime deadline) {
    const DeliveryId untried = AddDue(10);
    const DeliveryId sending = AddDue(11);
    EXPECT_THAT(Claim(owner, At(100), deadline), ElementsAre(untried, sending));
    MarkSending(owner, {sending});
    return {untried, sending};
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

TEST(DeliveryStates, HaveStableNamesThatParseBack) {
  for (std::size_t i = 0; i < kDeliveryStateCount; ++i) {
    const auto state = static_cast<DeliveryState>(i);
    EXPECT_EQ(ParseDeliveryState(DeliveryStateName(state)), state);
  }
  EXPECT_EQ(DeliveryStateName(DeliveryState::kUncertain), "uncertain");
  EXPECT_FALSE(ParseDeliveryState("claimed").has_value());
  EXPECT_FALSE(IsFinal(DeliveryState::kQueued));
  EXPECT_FALSE(IsFinal(DeliveryState::kSending));
  EXPECT_TRUE(IsFinal(DeliveryState::kUncertain));
}

TEST_F(DeliveryRepositoryTest, ClaimDueTakesOnlyUnclaimedQueuedDeliveriesThatAreDue) {
  const DeliveryId early = AddDue(100);
  const DeliveryId exactly_now = AddDue(200);
  const DeliveryId later = AddDue(201);
  std::vector<DeliveryId> settled;
  for (const char* state : {"sending", "sent", "delivered", "read", "failed", "skipped", "blocked",
                            "expired", "uncertain", "cancelled"}) {
    settled.push_back(Add({.not_before_s = 50, .state = state}));
  }

  EXPECT_THAT(Claim("a", At(200), At(260)), ElementsAre(early, exactly_now));

  for (DeliveryId id : {early, exactly_now}) {
    const StoredDelivery stored = Stored(id);
    EXPECT_EQ(stored.state, "queued");
    EXPECT_EQ(stored.owner, "a");
    EXPECT_EQ(stored.deadline_ms, ToUnixMillis(At(260)));
  }
  EXPECT_FALSE(Stored(later).owner.has_value());
  for (DeliveryId id : settled) EXPECT_FALSE(Stored(id).owner.has_value()) << id.value;
}

TEST_F(DeliveryRepositoryTest, ClaimDueTakesOneCampaignOrTheSingleMessages) {
  const DeliveryId five = AddDue(10);
  const DeliveryId six = Add({.not_before_s = 5, .campaign = 6});
  const DeliveryId single = Add({.not_before_s = 1, .in_campaign = false});

  EXPECT_THAT(Claim("a", At(100), At(160), 10, CampaignId{5}), ElementsAre(five));
  EXPECT_THAT(Claim("a", At(100), At(160), 10, CampaignId{6}), ElementsAre(six));
  EXPECT_THAT(Claim("a", At(100), At(160), 10, std::nullopt), ElementsAre(single));
}

TEST_F(DeliveryRepositoryTest, ClaimDueReturnsTheEarliestFirstAndAtMostTheLimit) {
  const DeliveryId third = AddDue(30);
  const DeliveryId first = AddDue(10);
  const DeliveryId fifth = AddDue(50);
  const DeliveryId second = AddDue(20);
  const DeliveryId fourth = AddDue(40);

  EXPECT_THAT(Claim("a", At(100), At(160), 3), ElementsAre(first, second, third));
  EXPECT_THAT(Claim("a", At(100), At(160), 3), ElementsAre(fourth, fifth));
  EXPECT_THAT(Claim("a", At(100), At(160), 3), IsEmpty());
  EXPECT_THAT(Claim("a", At(100), At(160), 0), IsEmpty());
}

TEST_F(DeliveryRepositoryTest, ClaimedDeliveryCarriesItsRow) {
  const DeliveryId in_campaign = Add({.not_before_s = 10, .attempts = 2});
  auto claimed = repository_->ClaimDue("a", CampaignId{5}, At(100), At(160), 10);
  ASSERT_TRUE(claimed.ok()) << claimed.error().ToString();
  ASSERT_EQ(claimed->size(), 1u);
  const ClaimedDelivery& delivery = (*claimed)[0];
  EXPECT_EQ(delivery.id, in_campaign);
  EXPECT_EQ(delivery.campaign, CampaignId{5});
  EXPECT_EQ(delivery.contact, ContactId{1});
  EXPECT_EQ(delivery.sender, SenderId{3});
  EXPECT_EQ(delivery.attempts, 2);
  EXPECT_EQ(delivery.not_before, At(10));
}

TEST_F(DeliveryRepositoryTest, ClaimDueNeverTakesDeliveriesClaimedByAnotherOwner) {
  const DeliveryId taken = AddDue(10);
  ASSERT_THAT(Claim("a", At(100), At(160)), ElementsAre(taken));
  EXPECT_THAT(Claim("b", At(100), At(160)), IsEmpty());
  // Even once a's deadline has passed: only recovery gives the delivery back.
  EXPECT_THAT(Claim("b", At(500), At(560)), IsEmpty());
  EXPECT_EQ(Stored(taken).owner, "a");
}

TEST_F(DeliveryRepositoryTest, NextDueIsTheEarliestUnclaimedQueuedDelivery) {
  auto next = repository_->NextDue(CampaignId{5});
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  const DeliveryId early = AddDue(10);
  AddDue(20);
  Add({.not_before_s = 1, .state = "sent"});
  EXPECT_EQ(*repository_->NextDue(CampaignId{5}), At(10));
  ASSERT_THAT(Claim("a", At(15), At(60)), ElementsAre(early));
  EXPECT_EQ(*repository_->NextDue(CampaignId{5}), At(20));
}

TEST_F(DeliveryRepositoryTest, EveryClaimOperationNeedsAnOwner) {
  const DeliveryId due = AddDue(10);
  auto expect_refused = [](const Error& error, std::string_view what) {
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument) << what;
    EXPECT_EQ(error.field, "owner") << what;
  };
  const std::vector<DeliveryId> ids{due};
  const std::vector<SendingMark> marks{{due, SenderId{3}}};
  const std::vector<DeliveryOutcome> outcomes{{due}};
  expect_refused(repository_->ClaimDue("", CampaignId{5}, At(100), At(160), 10).error(), "claim");
  expect_refused(repository_->RenewClaims("", ids, At(200)).error(), "renew");
  expect_refused(repository_->MarkSending("", marks, At(100)).error(), "mark");
  expect_refused(repository_->RecordOutcomes("", outcomes, At(100)).error(), "record");
  expect_refused(repository_->ReleaseClaims("", ids, At(100)).error(), "release");
  EXPECT_EQ(Stored(due).state, "queued");
}

TEST_F(DeliveryRepositoryTest, RenewClaimsMovesOnlyTheOwnersDeadlines) {
  const DeliveryId a1 = AddDue(10);
  const DeliveryId a2 = AddDue(11);
  ASSERT_THAT(Claim("a", At(100), At(160)), ElementsAre(a1, a2));
  const DeliveryId b1 = AddDue(12);
  ASSERT_THAT(Claim("b", At(100), At(170)), ElementsAre(b1));

  auto renewed = repository_->RenewClaims("a", std::vector{a1, a2, b1}, At(220));
  ASSERT_TRUE(renewed.ok()) << renewed.error().ToString();
  EXPECT_EQ(*renewed, 2u);
  EXPECT_EQ(Stored(a1).deadline_ms, ToUnixMillis(At(220)));
  EXPECT_EQ(Stored(a2).deadline_ms, ToUnixMillis(At(220)));
  EXPECT_EQ(Stored(b1).deadline_ms, ToUnixMillis(At(170)));
}

TEST_F(DeliveryRepositoryTest, MarkSendingCountsAnAttemptOnlyUnderTheOwnersClaim) {
  const DeliveryId claimed = AddDue(10);
  ASSERT_THAT(Claim("a", At(100), At(160)), ElementsAre(claimed));
  const DeliveryId unclaimed = AddDue(10);

  auto lost =
      repository_->MarkSending("b", std::vector<SendingMark>{{claimed, SenderId{3}}}, At(101));
  ASSERT_TRUE(lost.ok());
  EXPECT_THAT(*lost, ElementsAre(claimed));
  lost = repository_->MarkSending(
      "a", std::vector<SendingMark>{{claimed, SenderId{3}}, {unclaimed, SenderId{3}}}, At(101));
  ASSERT_TRUE(lost.ok());
  EXPECT_THAT(*lost, ElementsAre(unclaimed));
  EXPECT_EQ(Stored(claimed).state, "sending");
  EXPECT_EQ(Stored(claimed).attempts, 1);
  EXPECT_EQ(Stored(unclaimed).state, "queued");
  EXPECT_EQ(Stored(unclaimed).attempts, 0);
  // Once sending, it cannot be marked again: one hand-over per claim.
  lost = repository_->MarkSending("a", std::vector<SendingMark>{{claimed, SenderId{3}}}, At(102));
  EXPECT_THAT(*lost, ElementsAre(claimed));
  EXPECT_EQ(Stored(claimed).attempts, 1);
}

TEST_F(DeliveryRepositoryTest, RecordOutcomesSettlesAndGivesTheClaimBack) {
  const DeliveryId sent = AddDue(10);
  const DeliveryId retried = AddDue(11);
  const DeliveryId skipped = AddDue(12);
  ASSERT_THAT(Claim("a", At(100), At(160)), ElementsAre(sent, retried, skipped));
  MarkSending("a", {sent, retried});

  std::vector<DeliveryOutcome> outcomes{
      {.id = sent, .state = DeliveryState::kSent, .provider_message_id = "wamid.1"},
      {.id = retried,
       .state = DeliveryState::kQueued,
       .reason = "retry:130429",
       .error_code = 130429,
       .not_before = At(130)},
      {.id = skipped, .state = DeliveryState::kSkipped, .reason = "skipped:opted_out"}};
  auto lost = repository_->RecordOutcomes("b", outcomes, At(102));
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->size(), 3u) << "b holds none of them";
  lost = repository_->RecordOutcomes("a", outcomes, At(102));
  ASSERT_TRUE(lost.ok());
  EXPECT_THAT(*lost, IsEmpty());

  EXPECT_EQ(Stored(sent).state, "sent");
  EXPECT_FALSE(Stored(sent).owner.has_value());
  EXPECT_EQ(QueryText("SELECT provider_message_id FROM deliveries WHERE id = " +
                      std::to_string(sent.value)),
            "wamid.1");
  EXPECT_EQ(QueryInt("SELECT sent_at FROM deliveries WHERE id = " + std::to_string(sent.value)),
            ToUnixMillis(At(102)));
  EXPECT_EQ(Stored(retried).state, "queued");
  EXPECT_EQ(Stored(retried).attempts, 1);
  EXPECT_FALSE(Stored(retried).owner.has_value());
  EXPECT_EQ(Stored(skipped).reason, "skipped:opted_out");
  EXPECT_THAT(Claim("a", At(129), At(190)), IsEmpty()) << "the retry waits for its time";
  EXPECT_THAT(Claim("a", At(130), At(190)), ElementsAre(retried));
  // A settled delivery is not recorded again.
  lost = repository_->RecordOutcomes("a", std::vector<DeliveryOutcome>{{.id = sent}}, At(140));
  EXPECT_THAT(*lost, ElementsAre(sent));
}

TEST_F(DeliveryRepositoryTest, ReleaseClaimsGivesBackOnlyQueuedClaimsOfTheOwner) {
  const auto [untried, sending] = ClaimUntriedAndSending("a", At(160));
  auto released = repository_->ReleaseClaims("a", std::vector{untried, sending}, At(120));
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, 1u);
  EXPECT_FALSE(Stored(untried).owner.has_value());
  EXPECT_EQ(Stored(sending).state, "sending");
  EXPECT_EQ(Stored(sending).owner, "a");
}

TEST_F(DeliveryRepositoryTest, RecoverClaimsOfOthersRequeuesUntriedAndLeavesSendingUncertain) {
  const auto [untried, sending] = ClaimUntriedAndSending("dead", At(1000));
  const DeliveryId mine = AddDue(12);
  ASSERT_THAT(Claim("me", At(100), At(1000)), ElementsAre(mine));

  ExpectRecovery(repository_->RecoverClaims("me", At(120)), 1, 1);

  EXPECT_EQ(Stored(untried).state, "queued");
  EXPECT_FALSE(Stored(untried).owner.has_value());
  const StoredDelivery uncertain = Stored(sending);
  EXPECT_EQ(uncertain.state, "uncertain");
  EXPECT_EQ(uncertain.reason, "uncertain:claim_lost");
  EXPECT_EQ(uncertain.attempts, 1);
  EXPECT_FALSE(uncertain.owner.has_value());
  EXPECT_EQ(Stored(mine).owner, "me");
  // The requeued delivery is work again; the uncertain one never is.
  EXPECT_THAT(Claim("me", At(130), At(190)), ElementsAre(untried));
}

TEST_F(DeliveryRepositoryTest, RecoverExpiredClaimsTouchesOnlyClaimsWhoseDeadlinePassed) {
  const auto [untried, sending] = ClaimUntriedAndSending("dead", At(150));
  const DeliveryId alive = AddDue(12);
  ASSERT_THAT(Claim("alive", At(100), At(300)), ElementsAre(alive));

  ExpectRecovery(repository_->RecoverClaims("", At(150)), 0, 0);  // not yet before now
  ExpectRecovery(repository_->RecoverClaims("", At(200)), 1, 1);
  EXPECT_EQ(Stored(untried).state, "queued");
  EXPECT_EQ(Stored(sending).state, "uncertain");
  EXPECT_EQ(Stored(alive).owner, "alive");
  ExpectRecovery(repository_->RecoverClaims("", At(301)), 1, 0);
  EXPECT_FALSE(Stored(alive).owner.has_value());
}

TEST_F(DeliveryRepositoryTest, InsertAudienceNeverQueuesAContactTwice) {
  Execute(
      "INSERT INTO contacts (id, phone_e164, created_at, updated_at) VALUES "
      "(101, '+4915100000101', 0, 0), (102, '+4915100000102', 0, 0)");
  std::vector<AudienceMember> audience{{.contact = ContactId{101}, .not_before = At(10)},
                                       {.contact = ContactId{102}, .not_before = At(20)}};
  auto inserted = repository_->InsertAudience(CampaignId{5}, audience, At(1));
  ASSERT_TRUE(inserted.ok()) << inserted.error().ToString();
  EXPECT_EQ(*inserted, 2u);
  inserted = repository_->InsertAudience(CampaignId{5}, audience, At(2));
  ASSERT_TRUE(inserted.ok());
  EXPECT_EQ(*inserted, 0u);
  inserted = repository_->InsertAudience(CampaignId{6}, audience, At(2));
  EXPECT_EQ(*inserted, 2u) << "another campaign may reach the same contacts";
  auto counts = repository_->CountByState(CampaignId{5});
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[static_cast<std::size_t>(DeliveryState::kQueued)], 2);
}

TEST_F(DeliveryRepositoryTest, FinishQueuedExpiresQueuedRowsClaimedOrNot) {
  const DeliveryId held = AddDue(10);
  const DeliveryId waiting = AddDue(11);
  const DeliveryId sent = Add({.not_before_s = 1, .state = "sent"});
  ASSERT_THAT(Claim("a", At(11), At(60), 1), ElementsAre(held));
  auto finished =
      repository_->FinishQueued(CampaignId{5}, DeliveryState::kExpired, "expired:end_by", At(50));
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(*finished, 2u);
  EXPECT_EQ(Stored(waiting).state, "expired");
  EXPECT_EQ(Stored(waiting).reason, "expired:end_by");
  EXPECT_EQ(Stored(held).state, "expired");
  EXPECT_FALSE(Stored(held).owner.has_value());
  EXPECT_EQ(Stored(sent).state, "sent");
  // The runner that held it can neither send it nor record anything on it now.
  auto lost = repository_->MarkSending("a", std::vector<SendingMark>{{held, SenderId{3}}}, At(51));
  EXPECT_THAT(*lost, ElementsAre(held));
}

TEST_F(DeliveryRepositoryTest, MakeDueNowWakesOnlyUnclaimedRowsWaitingForThatReason) {
  const DeliveryId waiting = AddDue(500);
  const DeliveryId other_reason = AddDue(500);
  const DeliveryId claimed = Add({.not_before_s = 500, .owner = "other"});
  const DeliveryId other_campaign = Add({.not_before_s = 500, .campaign = 6});
  const DeliveryId single = Add({.not_before_s = 500, .in_campaign = false});
  Execute("UPDATE deliveries SET reason = 'waiting:no_sender'");
  Execute("UPDATE deliveries SET reason = 'waiting:quiet_hours' WHERE id = " +
          std::to_string(other_reason.value));
  auto woken = repository_->MakeDueNow(CampaignId{5}, "waiting:no_sender", At(100));
  ASSERT_TRUE(woken.ok()) << woken.error().ToString();
  EXPECT_EQ(*woken, 1u);
  auto not_before = [&](DeliveryId id) {
    return QueryInt("SELECT not_before FROM deliveries WHERE id = " + std::to_string(id.value));
  };
  EXPECT_EQ(not_before(waiting), ToUnixMillis(At(100)));
  EXPECT_EQ(not_before(other_reason), ToUnixMillis(At(500)));
  EXPECT_EQ(not_before(claimed), ToUnixMillis(At(500)));
  EXPECT_EQ(not_before(other_campaign), ToUnixMillis(At(500)));
  EXPECT_EQ(not_before(single), ToUnixMillis(At(500)));
  auto singles = repository_->MakeDueNow(std::nullopt, "waiting:no_sender", At(100));
  ASSERT_TRUE(singles.ok());
  EXPECT_EQ(*singles, 1u);
  EXPECT_EQ(not_before(single), ToUnixMillis(At(100)));
}

TEST_F(DeliveryRepositoryTest, ScanListsACampaignsDeliveriesWithTheirRecipients) {
  const DeliveryId a = AddDue(10);
  const DeliveryId b = Add({.not_before_s = 11, .state = "skipped"});
  Add({.not_before_s = 12, .campaign = 6});
  std::vector<DeliveryRow> rows;
  ASSERT_TRUE(repository_
                  ->Scan(CampaignId{5}, std::nullopt, DeliveryId{0},
                         [&](const DeliveryRow& row) {
                           rows.push_back(row);
                           return true;
                         })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, a);
  EXPECT_EQ(rows[0].phone_e164, "+491510001");
  EXPECT_EQ(rows[0].sender, "pnid-3");
  EXPECT_EQ(rows[1].id, b);
  EXPECT_EQ(rows[1].state, DeliveryState::kSkipped);
  rows.clear();
  ASSERT_TRUE(repository_
                  ->Scan(CampaignId{5}, DeliveryState::kSkipped, DeliveryId{0},
                         [&](const DeliveryRow& row) {
                           rows.push_back(row);
                           return true;
                         })
                  .ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, b);
}

// Status webhooks (issue 17): forward only, in any order, idempotent; uncertain settled.
class DeliveryStatusTest : public DeliveryRepositoryTest {
 protected:
  // A delivery the platform accepted as `wamid` (state sent, sent at 100 s).
  DeliveryId Sent(const std::string& wamid) {
    const DeliveryId id = Add({.state = "sent"});
    Execute("UPDATE deliveries SET provider_message_id = '" + wamid +
            "', sent_at = 100000 WHERE id = " + std::to_string(id.value));
    return id;
  }

  std::vector<StatusApplied> Apply(std::vector<StatusReport> reports) {
    auto applied = repository_->ApplyStatuses(reports, At(500), {});
    EXPECT_TRUE(applied.ok()) << applied.error().ToString();
    return applied.ok() ? *applied : std::vector<StatusApplied>{};
  }

  static StatusReport Report(std::string wamid, DeliveryState state, std::int64_t at_s) {
    StatusReport report;
    report.provider_message_id = std::move(wamid);
    report.state = state;
    report.at = At(at_s);
    return report;
  }

  std::string Column(DeliveryId id, const std::string& column) {
    return QueryText("SELECT coalesce(CAST(" + column +
                     " AS TEXT), '') FROM deliveries WHERE id = " + std::to_string(id.value));
  }
};

TEST_F(DeliveryStatusTest, StatusesMoveADeliveryForward) {
  const DeliveryId id = Sent("wamid.1");
  EXPECT_THAT(Apply({Report("wamid.1", DeliveryState::kDelivered, 200)}),
              ElementsAre(StatusApplied::kApplied));
  EXPECT_EQ(Stored(id).state, "delivered");
  EXPECT_EQ(Column(id, "delivered_at"), "200000");
  EXPECT_THAT(Apply({Report("wamid.1", DeliveryState::kRead, 300)}),
              ElementsAre(StatusApplied::kApplied));
  EXPECT_EQ(Stored(id).state, "read");
  EXPECT_EQ(Column(id, "read_at"), "300000");
  EXPECT_EQ(Column(id, "sent_at"), "100000");  // kept
}

TEST_F(DeliveryStatusTest, AReadBeforeItsDeliveredNeverMovesBack) {
  const DeliveryId id = Sent("wamid.2");
  EXPECT_THAT(
      Apply({Report("wamid.2", DeliveryState::kRead, 300),
             Report("wamid.2", DeliveryState::kDelivered, 200),
             Report("wamid.2", DeliveryState::kSent, 100)}),
      ElementsAre(StatusApplied::kApplied, StatusApplied::kApplied, StatusApplied::kUnchanged));
  EXPECT_EQ(Stored(id).state, "read");
  EXPECT_EQ(Column(id, "delivered_at"), "200000");  // the late delivered still fills its time
  EXPECT_EQ(Column(id, "read_at"), "300000");
}

TEST_F(DeliveryStatusTest, AReplayedStatusChangesNothing) {
  const DeliveryId id = Sent("wamid.3");
  ASSERT_THAT(Apply({Report("wamid.3", DeliveryState::kDelivered, 200)}),
              ElementsAre(StatusApplied::kApplied));
  const std::string updated = Column(id, "updated_at");
  EXPECT_THAT(Apply({Report("wamid.3", DeliveryState::kDelivered, 200),
                     Report("wamid.3", DeliveryState::kDelivered, 250)}),
              ElementsAre(StatusApplied::kUnchanged, StatusApplied::kUnchanged));
  EXPECT_EQ(Column(id, "delivered_at"), "200000");
  EXPECT_EQ(Column(id, "updated_at"), updated);
}

TEST_F(DeliveryStatusTest, FailedAfterSentIsAppliedWithItsErrorButNotAfterDelivered) {
  const DeliveryId failed = Sent("wamid.4");
  StatusReport report = Report("wamid.4", DeliveryState::kFailed, 200);
  report.error_code = 131026;
  report.error_details = "Receiver is incapable";
  EXPECT_THAT(Apply({report}), ElementsAre(StatusApplied::kApplied));
  EXPECT_EQ(Stored(failed).state, "failed");
  EXPECT_EQ(Stored(failed).reason, "failed:131026");
  EXPECT_EQ(Column(failed, "error_code"), "131026");
  EXPECT_EQ(Column(failed, "error_details"), "Receiver is incapable");

  const DeliveryId delivered = Sent("wamid.5");
  ASSERT_THAT(Apply({Report("wamid.5", DeliveryState::kDelivered, 200)}),
              ElementsAre(StatusApplied::kApplied));
  EXPECT_THAT(Apply({Report("wamid.5", DeliveryState::kFailed, 300)}),
              ElementsAre(StatusApplied::kUnchanged));
  EXPECT_EQ(Stored(delivered).state, "delivered");
}

TEST_F(DeliveryStatusTest, AnUncertainDeliveryIsSettledByItsCallbackId) {
  const DeliveryId id = Add({.state = "uncertain"});
  Execute("UPDATE deliveries SET reason = 'uncertain:timeout' WHERE id = " +
          std::to_string(id.value));
  StatusReport report = Report("wamid.6", DeliveryState::kDelivered, 200);
  report.delivery = id;
  EXPECT_THAT(Apply({report}), ElementsAre(StatusApplied::kApplied));
  EXPECT_EQ(Stored(id).state, "delivered");
  EXPECT_EQ(Stored(id).reason, "");
  EXPECT_EQ(Column(id, "provider_message_id"), "wamid.6");
  EXPECT_EQ(Column(id, "sent_at"), "200000");
  // From now on the message id finds it.
  EXPECT_THAT(Apply({Report("wamid.6", DeliveryState::kRead, 300)}),
              ElementsAre(StatusApplied::kApplied));
  EXPECT_EQ(Stored(id).state, "read");
}

TEST_F(DeliveryStatusTest, ACallbackIdNeverOverridesAnotherMessageId) {
  const DeliveryId id = Sent("wamid.7");
  StatusReport report = Report("wamid.other", DeliveryState::kDelivered, 200);
  report.delivery = id;
  EXPECT_THAT(Apply({report}), ElementsAre(StatusApplied::kNoDelivery));
  EXPECT_EQ(Stored(id).state, "sent");
}

TEST_F(DeliveryStatusTest, AStatusOfADeliveryStillSendingIsPutOff) {
  const DeliveryId id = Add({.state = "sending", .owner = std::string("runner-1")});
  StatusReport report = Report("wamid.8", DeliveryState::kSent, 200);
  report.delivery = id;
  EXPECT_THAT(Apply({report}), ElementsAre(StatusApplied::kInFlight));
  EXPECT_EQ(Stored(id).state, "sending");
}

TEST_F(DeliveryStatusTest, UnknownMessagesAndFinishedDeliveriesAreLeftAlone) {
  const DeliveryId skipped = Add({.state = "skipped"});
  StatusReport report = Report("wamid.9", DeliveryState::kDelivered, 200);
  report.delivery = skipped;
  EXPECT_THAT(Apply({Report("wamid.none", DeliveryState::kDelivered, 200), report}),
              ElementsAre(StatusApplied::kNoDelivery, StatusApplied::kUnchanged));
  EXPECT_EQ(Stored(skipped).state, "skipped");
}

TEST_F(DeliveryStatusTest, PricingIsKeptAsReceived) {
  const DeliveryId id = Sent("wamid.10");
  StatusReport report = Report("wamid.10", DeliveryState::kDelivered, 200);
  report.pricing_json = R"({"billable":true,"pricing_model":"PMP","category":"marketing",)"
                        R"("type":"regular","something_new":1})";
  EXPECT_THAT(Apply({report}), ElementsAre(StatusApplied::kApplied));
  EXPECT_EQ(Column(id, "pricing"), report.pricing_json);
}

// The actual cost (issue 18, item 6): billed at the rate for the contact's country and the
// reported category on the day it was sent, once delivered; nothing for a failed message or one
// the platform does not bill; unknown until then.
class ActualCostTest : public DeliveryStatusTest {
 protected:
  std::vector<StatusApplied> ApplyPriced(std::vector<StatusReport> reports) {
    auto applied = repository_->ApplyStatuses(reports, At(500), rate_);
    EXPECT_TRUE(applied.ok()) << applied.error().ToString();
    return applied.ok() ? *applied : std::vector<StatusApplied>{};
  }
  static StatusReport Priced(std::string wamid, DeliveryState state, bool billable,
                             std::string category, std::string type = "regular") {
    StatusReport report = Report(std::move(wamid), state, 200);
    report.billable = billable;
    report.pricing_category = std::move(category);
    report.pricing_type = std::move(type);
    report.pricing_json = "{}";
    return report;
  }

  std::vector<std::tuple<std::string, std::string, SysTime>> asked_;
  BilledRate rate_ = [this](std::string_view country, std::string_view category,
                            SysTime sent_at) -> std::optional<std::int64_t> {
    asked_.emplace_back(std::string(country), std::string(category), sent_at);
    if (category == "marketing") return 136500;
    if (category == "utility") return 55000;
    return std::nullopt;
  };
};

TEST_F(ActualCostTest, ADeliveredBillableMessageCostsTheRateOfItsDaySentAndCountry) {
  const DeliveryId id = Sent("wamid.20");
  Execute(
      "UPDATE contacts SET country = 'DE' WHERE id = (SELECT contact_id FROM deliveries "
      "WHERE id = " +
      std::to_string(id.value) + ")");
  // Sent with its pricing: billable, but not billed before it is delivered.
  EXPECT_THAT(ApplyPriced({Priced("wamid.20", DeliveryState::kSent, true, "MARKETING")}),
              ElementsAre(StatusApplied::kApplied));
  EXPECT_EQ(Column(id, "actual_cost_micros"), "");
  EXPECT_EQ(Column(id, "pricing_category"), "marketing");
  EXPECT_EQ(Column(id, "pricing_billable"), "1");
  // Delivered, without pricing of its own: the stored pricing bills it.
  EXPECT_THAT(ApplyPriced({Report("wamid.20", DeliveryState::kDelivered, 200)}),
              ElementsAre(StatusApplied::kApplied));
  EXPECT_EQ(Column(id, "actual_cost_micros"), "136500");
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(std::get<0>(asked_[0]), "DE");
  EXPECT_EQ(std::get<2>(asked_[0]), At(100));  // the day it was sent, not the day delivered
  // Read: the same price, not asked again.
  EXPECT_THAT(ApplyPriced({Priced("wamid.20", DeliveryState::kRead, true, "marketing")}),
              ElementsAre(StatusApplied::kApplied));
  EXPECT_EQ(Column(id, "actual_cost_micros"), "136500");
  EXPECT_EQ(asked_.size(), 1u);
}

TEST_F(ActualCostTest, ARecategorisedMessageIsBilledInItsNewCategory) {
  const DeliveryId id = Sent("wamid.21");
  ApplyPriced({Priced("wamid.21", DeliveryState::kDelivered, true, "marketing")});
  EXPECT_EQ(Column(id, "actual_cost_micros"), "136500");
  ApplyPriced({Priced("wamid.21", DeliveryState::kRead, true, "utility")});
  EXPECT_EQ(Column(id, "actual_cost_micros"), "55000");
  EXPECT_EQ(Column(id, "pricing_category"), "utility");
}

TEST_F(ActualCostTest, FreeFailedUnpricedAndUnreportedMessages) {
  const DeliveryId free = Sent("wamid.22");
  const DeliveryId failed = Sent("wamid.23");
  const DeliveryId unpriced = Sent("wamid.24");
  const DeliveryId silent = Sent("wamid.25");
  StatusReport failure = Report("wamid.23", DeliveryState::kFailed, 200);
  failure.error_code = 131026;
  ApplyPriced(
      {Priced("wamid.22", DeliveryState::kDelivered, false, "service", "free_customer_service"),
       failure, Priced("wamid.24", DeliveryState::kDelivered, true, "marketing_lite"),
       Report("wamid.25", DeliveryState::kDelivered, 200)});
  EXPECT_EQ(Column(free, "actual_cost_micros"), "0");
  EXPECT_EQ(Column(free, "pricing_type"), "free_customer_service");
  EXPECT_EQ(Column(failed, "actual_cost_micros"), "0");
  EXPECT_EQ(Column(unpriced, "actual_cost_micros"), "");  // no rate for the category: unknown
  EXPECT_EQ(Column(silent, "actual_cost_micros"), "");    // no pricing reported yet
  ApplyPriced({Priced("wamid.25", DeliveryState::kRead, true, "marketing")});
  EXPECT_EQ(Column(silent, "actual_cost_micros"), "136500");
}

// The report groups (storage/report_repository.h) read the campaign's stretch of the table: rows
// of another campaign in between are not counted.
TEST_F(DeliveryRepositoryTest, ReportGroupsCountOnlyTheCampaignsOwnRows) {
  const DeliveryId first = Add({.state = "delivered"});
  Add({.state = "delivered", .campaign = 6});
  const DeliveryId failed = Add({.state = "failed"});
  Add({.state = "skipped", .campaign = 6});
  const DeliveryId last = Add({.state = "skipped"});
  Execute(
      "UPDATE deliveries SET sent_at = 86400000 * 3 + 5, delivered_at = 1, "
      "estimated_cost_micros = 100, actual_cost_micros = 100, pricing_billable = 1 WHERE id "
      "IN (" +
      std::to_string(first.value) + ", " + std::to_string(first.value + 1) + ")");
  Execute(
      "UPDATE deliveries SET sent_at = 86400000 * 3 + 9, error_code = 131026, reason = "
      "'failed:131026', estimated_cost_micros = 100, actual_cost_micros = 0 WHERE id = " +
      std::to_string(failed.value));
  Execute("UPDATE deliveries SET reason = 'skipped:opted_out' WHERE state = 'skipped'");
  Execute(
      "UPDATE contacts SET opted_out_at = 86400000 * 4 WHERE id = (SELECT contact_id FROM "
      "deliveries WHERE id = " +
      std::to_string(first.value) + ")");
  SqliteReportRepository reports(*connection_);

  auto funnel = reports.FunnelGroups(CampaignId{5});
  ASSERT_TRUE(funnel.ok()) << funnel.error().ToString();
  std::int64_t count = 0, sent = 0, delivered = 0, actual = 0;
  for (const FunnelGroup& group : *funnel) {
    count += group.count;
    sent += group.sent;
    delivered += group.delivered;
    actual += group.actual_micros;
    if (group.state == DeliveryState::kFailed) {
      EXPECT_EQ(group.error_code, 131026);
      EXPECT_EQ(group.day, 3);
    }
    if (group.state == DeliveryState::kSkipped) {
      EXPECT_EQ(group.reason, "skipped:opted_out");
    }
  }
  EXPECT_EQ(count, 3);
  EXPECT_EQ(sent, 2);
  EXPECT_EQ(delivered, 1);
  EXPECT_EQ(actual, 100);

  auto costs = reports.CostGroups(CampaignId{5});
  ASSERT_TRUE(costs.ok());
  std::int64_t matched = 0, estimate = 0;
  for (const CostGroup& group : *costs) {
    count -= group.count;
    estimate += group.estimate_micros;
    if (group.actual_matches) matched += group.count;
    if (group.state == DeliveryState::kDelivered) {
      EXPECT_EQ(group.example, first);
      EXPECT_EQ(group.billable, true);
      EXPECT_EQ(group.first_sent, SysTime(std::chrono::milliseconds(86400000LL * 3 + 5)));
    }
  }
  EXPECT_EQ(count, 0);
  EXPECT_EQ(estimate, 200);
  EXPECT_EQ(matched, 1);

  auto opted_out = reports.OptOutsAfter(CampaignId{5});
  ASSERT_TRUE(opted_out.ok());
  ASSERT_EQ(opted_out->size(), 1u);
  EXPECT_EQ((*opted_out)[0].day, 3);
  EXPECT_EQ((*opted_out)[0].count, 1);
  EXPECT_TRUE(reports.FunnelGroups(CampaignId{77})->empty());
  (void)last;
}

// Retention (storage/retention_repository.h): finished deliveries older than the cut-off are
// summed into the aggregates and deleted, in batches; every report says the same before and
// after, for the campaign and for the month; what is not finished, or newer, stays.
TEST_F(DeliveryRepositoryTest, SummarisedDeliveriesLeaveTheReportsAsTheyWere) {
  const std::int64_t day = 86'400'000;
  std::vector<DeliveryId> ids;
  const char* states[] = {"delivered", "read",   "failed", "skipped", "delivered",
                          "read",      "queued", "sent",   "blocked", "read"};
  for (const char* state : states) ids.push_back(Add({.state = state}));
  Add({.state = "read", .campaign = 6});
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const bool sent = std::string(states[i]) != "skipped" && std::string(states[i]) != "queued" &&
                      std::string(states[i]) != "blocked";
    Execute("UPDATE deliveries SET updated_at = " + std::to_string(10 * day) +
            ", estimated_cost_micros = 100, estimate_category = 'marketing', estimate_basis = "
            "'regular'" +
            (sent ? ", sent_at = " + std::to_string(3 * day + static_cast<std::int64_t>(i)) : "") +
            (std::string(states[i]) == "read" || std::string(states[i]) == "delivered"
                 ? ", delivered_at = 1, pricing_billable = 1, pricing_category = 'marketing', "
                   "pricing_type = 'regular', actual_cost_micros = " +
                       std::string(i == 9 ? "120" : "100")
                 : "") +
            (std::string(states[i]) == "failed" ? ", error_code = 131026, actual_cost_micros = 0"
                                                : "") +
            (i == 1 ? ", replied_at = 5" : "") + " WHERE id = " + std::to_string(ids[i].value));
  }
  Execute("UPDATE deliveries SET read_at = 2 WHERE state = 'read'");
  Execute("UPDATE deliveries SET updated_at = " + std::to_string(40 * day) +
          " WHERE id = " + std::to_string(ids[5].value));  // too recent to purge
  Execute("UPDATE contacts SET opted_out_at = " + std::to_string(4 * day) +
          " WHERE id = (SELECT contact_id FROM deliveries WHERE id = " +
          std::to_string(ids[0].value) + ")");
  SqliteReportRepository reports(*connection_);
  const auto totals = [&] {
    std::vector<std::int64_t> out;
    auto funnel = reports.FunnelGroups(CampaignId{5});
    EXPECT_TRUE(funnel.ok());
    std::map<std::tuple<std::string, std::string, std::int64_t, std::int64_t>,
             std::vector<std::int64_t>>
        by_key;
    for (const FunnelGroup& g : *funnel) {
      auto& v = by_key[{std::string(DeliveryStateName(g.state)), g.reason, g.day.value_or(-1),
                        g.error_code.value_or(-1)}];
      for (std::int64_t x : {g.count, g.sent, g.delivered, g.read, g.replied, g.estimate_micros,
                             g.actual_micros, g.actual_unknown}) {
        v.push_back(x);
      }
    }
    for (auto& [key, v] : by_key) out.insert(out.end(), v.begin(), v.end());
    auto costs = reports.CostGroups(CampaignId{5});
    EXPECT_TRUE(costs.ok());
    std::int64_t matched = 0, count = 0, estimate = 0, actual = 0;
    for (const CostGroup& g : *costs) {
      count += g.count;
      estimate += g.estimate_micros;
      actual += g.actual_micros;
      if (g.actual_matches) matched += g.count;
    }
    out.insert(out.end(), {count, matched, estimate, actual});
    auto opted = reports.OptOutsAfter(CampaignId{5});
    EXPECT_TRUE(opted.ok());
    for (const OptOutDay& d : *opted) out.insert(out.end(), {d.day, d.count});
    auto month = reports.SentBetween(SysTime(), SysTime(std::chrono::milliseconds(30 * day)));
    EXPECT_TRUE(month.ok());
    for (const MonthGroup& g : *month) {
      out.insert(out.end(), {g.campaign ? g.campaign->value : 0, g.sent, g.delivered, g.read,
                             g.replied, g.failed, g.opted_out, g.estimate_micros, g.actual_micros});
    }
    return out;
  };
  const std::vector<std::int64_t> before = totals();

  SqliteRetentionRepository retention(*connection_);
  const SysTime cut_off = SysTime(std::chrono::milliseconds(20 * day));
  std::int64_t removed = 0;
  for (int batch = 0; batch < 20; ++batch) {
    auto count = retention.SummariseDeliveries(cut_off, 2);
    ASSERT_TRUE(count.ok()) << count.error().ToString();
    removed += *count;
    if (*count < 2) break;
  }
  // 7 finished and old enough in campaign 5, 1 in campaign 6; queued, sent and the recent one
  // stay.
  EXPECT_EQ(removed, 8);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM deliveries WHERE campaign_id = 5"), 3);
  EXPECT_EQ(totals(), before);
  // A second pass finds nothing more.
  EXPECT_EQ(*retention.SummariseDeliveries(cut_off, 2), 0);
  EXPECT_EQ(totals(), before);
}

TEST_F(DeliveryRepositoryTest, OldWebhookRequestsAndAuditEntriesArePurgedInBatches) {
  for (int i = 0; i < 5; ++i) {
    Execute(
        "INSERT INTO webhook_events (body_hash, source, received_at, payload, processed_at) "
        "VALUES (" +
        std::to_string(i) + ", 'platform', " + std::to_string(i * 1000) + ", '{}', " +
        (i == 1 ? "NULL" : "1") + ")");
    Execute("INSERT INTO audit_log (at, actor, action, object_type) VALUES (" +
            std::to_string(i * 1000) + ", 'olga', 'x', 'y')");
  }
  SqliteRetentionRepository retention(*connection_);
  const SysTime cut_off = SysTime(std::chrono::milliseconds(3500));
  EXPECT_EQ(*retention.PurgeWebhookRequests(cut_off, 2), 2);
  EXPECT_EQ(*retention.PurgeWebhookRequests(cut_off, 2), 1);
  EXPECT_EQ(*retention.PurgeWebhookRequests(cut_off, 2), 0);
  // The one not processed yet stays, and so does the newer one.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_events"), 2);
  EXPECT_EQ(*retention.PurgeAudit(cut_off, 10), 4);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM audit_log WHERE at >= 3500"), 1);
}

// A reply answers the latest message sent to its contact; the platform stamps it in whole
// seconds, so one in the same second as the send (stored to the millisecond) still counts.
TEST_F(DeliveryStatusTest, AReplyInTheSecondOfTheSendAnswersIt) {
  const DeliveryId id = Sent("wamid.30");  // sent at 100 s
  Execute("UPDATE deliveries SET sent_at = 100450 WHERE id = " + std::to_string(id.value));
  const ContactId contact{
      QueryInt("SELECT contact_id FROM deliveries WHERE id = " + std::to_string(id.value))};
  auto replied = repository_->MarkReplied(contact, "", std::nullopt, At(100), At(0));
  ASSERT_TRUE(replied.ok()) << replied.error().ToString();
  ASSERT_TRUE(replied->has_value());
  EXPECT_EQ((*replied)->delivery, id);
  EXPECT_EQ((*replied)->campaign, CampaignId{5});
  // A reply a second before the send does not.
  Execute("UPDATE deliveries SET replied_at = NULL, sent_at = 101450 WHERE id = " +
          std::to_string(id.value));
  replied = repository_->MarkReplied(contact, "", std::nullopt, At(100), At(0));
  ASSERT_TRUE(replied.ok());
  EXPECT_FALSE(replied->has_value());
}

}  // namespace
}  // namespace herald::storage
