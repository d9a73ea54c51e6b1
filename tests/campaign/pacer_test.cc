// The pacer's checks one by one, on hand-made sequences (campaign/pacer.h). The randomized
// comparison against a slow exact model is pacer_oracle_test.cc.
#include "campaign/pacer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "pacer_test_support.h"

namespace herald::campaign {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::At;
using testing::kSteadyStart;
using testing::kWallStart;

const SenderId kSender{1};
const SenderId kOther{2};
const PortfolioId kPortfolio{7};

Pacer MakePacer(PacerConfig config = {}) {
  Result<Pacer> pacer = Pacer::Create(std::move(config));
  EXPECT_TRUE(pacer.ok());
  return std::move(pacer).value();
}

SenderSettings Settings(double level = 80) {
  SenderSettings settings;
  settings.portfolio = kPortfolio;
  settings.level_per_second = level;
  return settings;
}

Pacer PacerWithSender(double level = 80, PacerConfig config = {}) {
  Pacer pacer = MakePacer(std::move(config));
  EXPECT_TRUE(pacer.AddSender(kSender, Settings(level), At(nanoseconds(0))).ok());
  pacer.SetTierLimit(kPortfolio, std::nullopt);
  return pacer;
}

SendRequest Request(std::int64_t recipient, Purpose purpose = Purpose::kMarketing,
                    SenderId sender = kSender) {
  return SendRequest{sender, ContactId{recipient}, purpose, true};
}

SendErrorInfo Failure(std::int64_t code) {
  return ClassifySendFailure(SendFailure{SendTransport::kAnswered, 400, code, {}});
}

// Asks again at each retry_at (plus `late`) with a new recipient each time, until `until`.
std::vector<SteadyTime> RunAtLevel(Pacer& pacer, nanoseconds until, nanoseconds late = {}) {
  std::vector<SteadyTime> grants;
  PacerTime now = At(nanoseconds(0));
  std::int64_t recipient = 0;
  while (now.steady < kSteadyStart + until) {
    const Admission admission = pacer.TryAcquire(Request(++recipient), now);
    if (admission.granted()) {
      grants.push_back(now.steady);
      pacer.OnAccepted(admission.grant, now);
      continue;
    }
    EXPECT_EQ(admission.reason, PaceReason::kRate);
    EXPECT_GT(admission.retry_at, now.steady);
    now = At(admission.retry_at - kSteadyStart + late);
  }
  return grants;
}

TEST(Pacer, GrantsTheFirstMessageAtOnceAndTheNextOneIntervalLater) {
  Pacer pacer = PacerWithSender(80);
  const Admission first = pacer.TryAcquire(Request(1), At(nanoseconds(0)));
  ASSERT_TRUE(first.granted());
  EXPECT_EQ(first.grant.sender, kSender);
  EXPECT_EQ(first.grant.recipient, ContactId{1});
  const Admission second = pacer.TryAcquire(Request(2), At(nanoseconds(0)));
  EXPECT_EQ(second.reason, PaceReason::kRate);
  EXPECT_EQ(second.retry_at, kSteadyStart + std::chrono::microseconds(12'500));
}

TEST(Pacer, KeepsTheLevelExactlyWithoutDriftOverAMinute) {
  Pacer pacer = PacerWithSender(80);
  const std::vector<SteadyTime> grants = RunAtLevel(pacer, seconds(61));
  EXPECT_EQ(testing::CountIn(grants, kSteadyStart + seconds(1), kSteadyStart + seconds(61)), 4800u);
  EXPECT_EQ(testing::MaxInAnyWindow(grants), 80u);
}

TEST(Pacer, ACallerLateWithinTheCreditLosesAtMostItsLatenessPerSecond) {
  // The schedule does not drift (the credit), but the window check starts from the late grants
  // themselves: at most the lateness per second is lost, 0.7 % for 7 ms.
  for (const auto late : {milliseconds(1), milliseconds(7)}) {
    Pacer pacer = PacerWithSender(80);
    const std::vector<SteadyTime> grants = RunAtLevel(pacer, seconds(61), late);
    const std::size_t sent =
        testing::CountIn(grants, kSteadyStart + seconds(1), kSteadyStart + seconds(61));
    EXPECT_LE(sent, 4800u);
    EXPECT_GE(static_cast<double>(sent),
              4800 * (1 - late / std::chrono::duration<double>(seconds(1))) - 1);
    EXPECT_LE(testing::MaxInAnyWindow(grants), 80u);
  }
}

TEST(Pacer, NeverExceedsLimitAfterBurst) {
  // A caller that asks every 100 us, without pause.
  Pacer pacer = PacerWithSender(80);
  std::vector<SteadyTime> grants;
  for (int i = 0; i < 50'000; ++i) {
    const PacerTime now = At(std::chrono::microseconds(100) * i);
    const Admission admission = pacer.TryAcquire(Request(i), now);
    if (admission.granted()) grants.push_back(now.steady);
  }
  EXPECT_EQ(testing::MaxInAnyWindow(grants), 80u);
  EXPECT_EQ(grants.size(), 400u);  // 5 s at 80/s
}

TEST(Pacer, AFractionalRateNeverPutsMoreThanItsCeilingInOneSecond) {
  Pacer pacer = PacerWithSender(2.5);
  const std::vector<SteadyTime> grants = RunAtLevel(pacer, seconds(100));
  EXPECT_LE(testing::MaxInAnyWindow(grants), 3u);
  EXPECT_NEAR(static_cast<double>(grants.size()), 250.0, 1.0);
}

TEST(Pacer, RedQualityStopsMarketingButNotOtherPurposes) {
  Pacer pacer = PacerWithSender(80);
  ASSERT_TRUE(pacer.SetQuality(kSender, Quality::kRed).ok());
  const Admission marketing = pacer.TryAcquire(Request(1), At(nanoseconds(0)));
  EXPECT_EQ(marketing.reason, PaceReason::kQualityRed);
  EXPECT_EQ(marketing.retry_at, kUntilChanged);
  EXPECT_TRUE(pacer.TryAcquire(Request(2, Purpose::kUtility), At(nanoseconds(0))).granted());
  ASSERT_TRUE(pacer.SetQuality(kSender, Quality::kYellow).ok());
  EXPECT_TRUE(pacer.TryAcquire(Request(1), At(seconds(1))).granted());
}

TEST(Pacer, ARestrictionPausesBusinessInitiatedSendsUntilItsExpiry) {
  Pacer pacer = PacerWithSender(80);
  ASSERT_TRUE(pacer.SetRestriction(kSender, kWallStart + hours(2)).ok());
  const Admission utility = pacer.TryAcquire(Request(1, Purpose::kUtility), At(nanoseconds(0)));
  EXPECT_EQ(utility.reason, PaceReason::kRestricted);
  EXPECT_EQ(utility.retry_at, kSteadyStart + hours(2));
  // Replies to users who wrote in are not business-initiated.
  EXPECT_TRUE(pacer.TryAcquire(Request(2, Purpose::kService), At(seconds(1))).granted());
  SendRequest in_window = Request(3, Purpose::kUtility);
  in_window.counts_toward_tier = false;
  EXPECT_TRUE(pacer.TryAcquire(in_window, At(seconds(2))).granted());
  EXPECT_TRUE(pacer.TryAcquire(Request(4, Purpose::kUtility), At(hours(2))).granted());
}

TEST(Pacer, APausedNumberRefusesEverythingUntilUnpaused) {
  Pacer pacer = PacerWithSender(80);
  ASSERT_TRUE(pacer.SetPaused(kSender, true).ok());
  for (Purpose purpose : kAllPurposes) {
    const Admission admission = pacer.TryAcquire(Request(1, purpose), At(nanoseconds(0)));
    EXPECT_EQ(admission.reason, PaceReason::kPaused);
    EXPECT_EQ(admission.retry_at, kUntilChanged);
  }
  ASSERT_TRUE(pacer.SetPaused(kSender, false).ok());
  EXPECT_TRUE(pacer.TryAcquire(Request(1), At(nanoseconds(0))).granted());
}

TEST(Pacer, PairRateRefusesTheSameUserForSixSecondsButNotOthers) {
  Pacer pacer = PacerWithSender(80);
  ASSERT_TRUE(pacer.TryAcquire(Request(1), At(nanoseconds(0))).granted());
  const Admission again = pacer.TryAcquire(Request(1), At(seconds(1)));
  EXPECT_EQ(again.reason, PaceReason::kPairRate);
  EXPECT_EQ(again.retry_at, kSteadyStart + seconds(6));
  EXPECT_TRUE(pacer.TryAcquire(Request(2), At(seconds(1))).granted());
  EXPECT_EQ(pacer.TryAcquire(Request(1), At(seconds(6) - nanoseconds(1))).reason,
            PaceReason::kPairRate);
  EXPECT_TRUE(pacer.TryAcquire(Request(1), At(seconds(6))).granted());
}

TEST(Pacer, APairRefusalTakesNoTurnFromTheNumber) {
  Pacer pacer = PacerWithSender(1);
  ASSERT_TRUE(pacer.TryAcquire(Request(1), At(nanoseconds(0))).granted());
  EXPECT_EQ(pacer.TryAcquire(Request(1), At(seconds(1))).reason, PaceReason::kPairRate);
  EXPECT_TRUE(pacer.TryAcquire(Request(2), At(seconds(1))).granted());
}

TEST(Pacer, IdlePairKeysAreEvictedOnceTheirIntervalHasPassed) {
  Pacer pacer = PacerWithSender(80);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(pacer.TryAcquire(Request(i), At(milliseconds(20) * i)).granted());
  }
  pacer.OnTick(At(seconds(5)), {});
  EXPECT_EQ(pacer.Snapshot(kSender, At(seconds(5)))->pair_keys, 50u);
  pacer.OnTick(At(seconds(6) + milliseconds(500)), {});
  EXPECT_EQ(pacer.Snapshot(kSender, At(seconds(7)))->pair_keys, 24u);  // sent after 500 ms
  pacer.OnTick(At(seconds(8)), {});
  EXPECT_EQ(pacer.Snapshot(kSender, At(seconds(8)))->pair_keys, 0u);
}

TEST(Pacer, PairKeysStayBoundedWithoutTicks) {
  Pacer pacer = PacerWithSender(1000);
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_TRUE(pacer.TryAcquire(Request(i), At(milliseconds(1) * i)).granted());
  }
  // 1000/s for 6 s, plus the two evictions per take that lag by at most a few keys.
  EXPECT_LE(pacer.Snapshot(kSender, At(seconds(100)))->pair_keys, 6002u);
}

TEST(Pacer, TierCountsUniqueUsersPerMoving24Hours) {
  Pacer pacer = PacerWithSender(80);
  pacer.SetTierLimit(kPortfolio, 2);
  const Admission a = pacer.TryAcquire(Request(1), At(nanoseconds(0)));
  pacer.OnAccepted(a.grant, At(nanoseconds(0)));
  const Admission b = pacer.TryAcquire(Request(2), At(hours(1)));
  pacer.OnAccepted(b.grant, At(hours(1)));
  const Admission c = pacer.TryAcquire(Request(3), At(hours(2)));
  EXPECT_EQ(c.reason, PaceReason::kTierCap);
  EXPECT_EQ(c.retry_at, kSteadyStart + hours(24));  // when user 1 leaves the window
  // The same user again counts once.
  const Admission a2 = pacer.TryAcquire(Request(1), At(hours(3)));
  ASSERT_TRUE(a2.granted());
  pacer.OnAccepted(a2.grant, At(hours(3)));
  // User 1's newest message is 3 h old at 24 h; user 2 leaves at 25 h.
  EXPECT_EQ(pacer.TryAcquire(Request(3), At(hours(24))).reason, PaceReason::kTierCap);
  EXPECT_TRUE(pacer.TryAcquire(Request(3), At(hours(25))).granted());
}

TEST(Pacer, MessagesInsideAServiceWindowDoNotCountTowardTheTier) {
  Pacer pacer = PacerWithSender(80);
  pacer.SetTierLimit(kPortfolio, 1);
  const Admission a = pacer.TryAcquire(Request(1), At(nanoseconds(0)));
  pacer.OnAccepted(a.grant, At(nanoseconds(0)));
  SendRequest in_window = Request(2, Purpose::kUtility);
  in_window.counts_toward_tier = false;
  const Admission b = pacer.TryAcquire(in_window, At(seconds(1)));
  ASSERT_TRUE(b.granted());
  EXPECT_FALSE(b.grant.tier_reserved);
  EXPECT_EQ(pacer.Snapshot(kSender, At(seconds(1)))->tier_used, 1u);
}

TEST(Pacer, ReservationsCountSoConcurrentAcquiresCannotOvershoot) {
  Pacer pacer = PacerWithSender(80);
  pacer.SetTierLimit(kPortfolio, 2);
  const Admission a = pacer.TryAcquire(Request(1), At(milliseconds(0)));
  const Admission b = pacer.TryAcquire(Request(2), At(milliseconds(100)));
  ASSERT_TRUE(a.granted() && b.granted());
  const Admission c = pacer.TryAcquire(Request(3), At(milliseconds(200)));
  EXPECT_EQ(c.reason, PaceReason::kTierCap);
  EXPECT_EQ(c.retry_at, kSteadyStart + milliseconds(1200));  // reservations may be released
  pacer.OnFailed(b.grant, Failure(131026), At(milliseconds(300)));
  EXPECT_TRUE(pacer.TryAcquire(Request(3), At(milliseconds(400))).granted());
}

TEST(Pacer, AnUncertainSendKeepsItsTierSlot) {
  Pacer pacer = PacerWithSender(80);
  pacer.SetTierLimit(kPortfolio, 1);
  const Admission a = pacer.TryAcquire(Request(1), At(nanoseconds(0)));
  pacer.OnFailed(a.grant, ClassifySendFailure({SendTransport::kNoAnswer, 0, {}, {}}),
                 At(seconds(30)));
  EXPECT_EQ(pacer.TryAcquire(Request(2), At(seconds(31))).reason, PaceReason::kTierCap);
  EXPECT_TRUE(pacer.TryAcquire(Request(2), At(hours(24) + seconds(30))).granted());
}

TEST(Pacer, NumbersOfOnePortfolioShareItsTier) {
  Pacer pacer = PacerWithSender(80);
  ASSERT_TRUE(pacer.AddSender(kOther, Settings(80), At(nanoseconds(0))).ok());
  pacer.SetTierLimit(kPortfolio, 1);
  const Admission a = pacer.TryAcquire(Request(1), At(nanoseconds(0)));
  pacer.OnAccepted(a.grant, At(nanoseconds(0)));
  EXPECT_EQ(pacer.TryAcquire(Request(2, Purpose::kMarketing, kOther), At(seconds(1))).reason,
            PaceReason::kTierCap);
  EXPECT_TRUE(pacer.TryAcquire(Request(1, Purpose::kMarketing, kOther), At(seconds(1))).granted());
}

TEST(Pacer, SeededUsageRebuildsTheWindowAfterARestart) {
  Pacer pacer = PacerWithSender(80);
  pacer.SetTierLimit(kPortfolio, 2);
  // Out of order on purpose: any order is correct.
  pacer.SeedTierUsage(kPortfolio, ContactId{11}, kWallStart - hours(2));
  pacer.SeedTierUsage(kPortfolio, ContactId{10}, kWallStart - hours(20));
  pacer.SeedTierUsage(kPortfolio, ContactId{12}, kWallStart - hours(30));  // already outside
  EXPECT_EQ(pacer.TryAcquire(Request(1), At(nanoseconds(0))).reason, PaceReason::kTierCap);
  EXPECT_TRUE(pacer.TryAcquire(Request(11), At(nanoseconds(0))).granted());
  EXPECT_TRUE(pacer.TryAcquire(Request(1), At(hours(4))).granted());  // user 10 left at 4 h
}

TEST(Pacer, WarmupRampRisesFrom20To60PerMinuteOverEightWeeks) {
  const std::vector<WarmupPoint> ramp = PacerConfig{}.warmup;
  EXPECT_DOUBLE_EQ(WarmupRatePerSecond(ramp, kWallStart, kWallStart), 20.0 / 60);
  EXPECT_DOUBLE_EQ(WarmupRatePerSecond(ramp, kWallStart, kWallStart - hours(1)), 20.0 / 60);
  EXPECT_DOUBLE_EQ(WarmupRatePerSecond(ramp, kWallStart, kWallStart + std::chrono::weeks(4)),
                   40.0 / 60);
  EXPECT_DOUBLE_EQ(WarmupRatePerSecond(ramp, kWallStart, kWallStart + std::chrono::weeks(8)), 1.0);
  EXPECT_DOUBLE_EQ(WarmupRatePerSecond(ramp, kWallStart, kWallStart + std::chrono::weeks(30)), 1.0);
}

TEST(Pacer, ANewNumberIsPacedByItsWarmupRamp) {
  Pacer pacer = MakePacer();
  SenderSettings settings = Settings(80);
  settings.warmup_start = kWallStart;
  ASSERT_TRUE(pacer.AddSender(kSender, settings, At(nanoseconds(0))).ok());
  pacer.SetTierLimit(kPortfolio, std::nullopt);
  ASSERT_TRUE(pacer.TryAcquire(Request(1), At(nanoseconds(0))).granted());
  const Admission next = pacer.TryAcquire(Request(2), At(seconds(1)));
  EXPECT_EQ(next.reason, PaceReason::kWarmup);
  EXPECT_EQ(next.retry_at, kSteadyStart + seconds(3));
  const SenderSnapshot snapshot = *pacer.Snapshot(kSender, At(seconds(1)));
  EXPECT_EQ(snapshot.slowed_by, PaceReason::kWarmup);
  EXPECT_DOUBLE_EQ(snapshot.allowed_per_second, 20.0 / 60);
  // Clearing the warm-up start ends it.
  ASSERT_TRUE(pacer.SetWarmupStart(kSender, std::nullopt, At(seconds(1))).ok());
  EXPECT_TRUE(pacer.TryAcquire(Request(2), At(seconds(1))).granted());
}

TEST(Pacer, ARaisedLevelTakesEffectAtOnce) {
  Pacer pacer = PacerWithSender(1);
  ASSERT_TRUE(pacer.TryAcquire(Request(1), At(nanoseconds(0))).granted());
  EXPECT_EQ(pacer.TryAcquire(Request(2), At(milliseconds(100))).reason, PaceReason::kRate);
  ASSERT_TRUE(pacer.SetLevel(kSender, 1000, At(milliseconds(100))).ok());
  EXPECT_TRUE(pacer.TryAcquire(Request(2), At(milliseconds(100))).granted());
  EXPECT_EQ(pacer.Snapshot(kSender, At(milliseconds(100)))->level_per_second, 1000);
}

}  // namespace
}  // namespace herald::campaign
