// The pacer's reaction to failures and ticks (campaign/pacer.h, "Adaptive rate"), its snapshot
// and its configuration.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "campaign/pacer.h"
#include "pacer_test_support.h"

namespace herald::campaign {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::At;
using testing::kSteadyStart;

const SenderId kSender{1};
const SenderId kSibling{2};   // same portfolio
const SenderId kStranger{3};  // another portfolio
const PortfolioId kPortfolio{7};

SenderSettings Settings(double level, PortfolioId portfolio = kPortfolio) {
  SenderSettings settings;
  settings.portfolio = portfolio;
  settings.level_per_second = level;
  return settings;
}

Pacer MakePacer(double level = 80) {
  Result<Pacer> created = Pacer::Create(PacerConfig{});
  EXPECT_TRUE(created.ok());
  Pacer pacer = std::move(created).value();
  EXPECT_TRUE(pacer.AddSender(kSender, Settings(level), At(nanoseconds(0))).ok());
  EXPECT_TRUE(pacer.AddSender(kSibling, Settings(level), At(nanoseconds(0))).ok());
  EXPECT_TRUE(pacer.AddSender(kStranger, Settings(level, PortfolioId{8}), At(nanoseconds(0))).ok());
  pacer.SetTierLimit(kPortfolio, std::nullopt);
  pacer.SetTierLimit(PortfolioId{8}, std::nullopt);
  return pacer;
}

SendErrorInfo Failure(std::int64_t code) {
  return ClassifySendFailure(SendFailure{SendTransport::kAnswered, 400, code, {}});
}

Grant GrantFor(SenderId sender, std::int64_t recipient) {
  return Grant{sender, kPortfolio, ContactId{recipient}, false};
}

// Grants and accepts at the level from `from` for `duration`, with new recipients.
void SendAccepted(Pacer& pacer, SenderId sender, nanoseconds from, nanoseconds duration,
                  std::int64_t& recipient) {
  PacerTime now = At(from);
  while (now.steady < kSteadyStart + from + duration) {
    const Admission admission = pacer.TryAcquire({sender, ContactId{++recipient}}, now);
    if (admission.granted()) {
      pacer.OnAccepted(admission.grant, now);
      continue;
    }
    now = At(admission.retry_at - kSteadyStart);
  }
}

double Allowed(const Pacer& pacer, SenderId sender, nanoseconds at) {
  return pacer.Snapshot(sender, At(at))->allowed_per_second;
}

TEST(PacerAdaptive, AThrottleCutsToTheShareAcceptedLessTheMargin) {
  Pacer pacer = MakePacer(80);
  std::int64_t recipient = 0;
  SendAccepted(pacer, kSender, seconds(0), seconds(2), recipient);  // 72 answers in the last 0.9 s
  for (int i = 0; i < 8; ++i) {
    pacer.OnFailed(GrantFor(kSender, 1), Failure(130429), At(seconds(2)));
  }
  // 72 of 80 accepted: the server's limit is 72/s; one cut per hold.
  const double margin = PacerConfig{}.accepted_rate_margin;
  EXPECT_NEAR(Allowed(pacer, kSender, seconds(2)), 80 * (72.0 / 73) * (1 - margin), 1e-9);
  EXPECT_EQ(pacer.Snapshot(kSender, At(seconds(2)))->slowed_by, PaceReason::kBackoff);
  EXPECT_EQ(pacer.Snapshot(kSender, At(seconds(2)))->counters.decreases, 1u);
}

TEST(PacerAdaptive, AThrottleWithFewAcceptsCutsAtMostByTheDecreaseFactor) {
  Pacer pacer = MakePacer(80);
  pacer.OnFailed(GrantFor(kSender, 1), Failure(130429), At(seconds(1)));
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, seconds(1)), 40);
}

TEST(PacerAdaptive, FailuresWithinTheHoldCutOnlyOnce) {
  Pacer pacer = MakePacer(80);
  pacer.OnFailed(GrantFor(kSender, 1), Failure(131048), At(seconds(1)));
  pacer.OnFailed(GrantFor(kSender, 2), Failure(131048), At(seconds(1) + milliseconds(999)));
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, seconds(2)), 40);
  pacer.OnFailed(GrantFor(kSender, 3), Failure(80007), At(seconds(2)));
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, seconds(2)), 20);
  EXPECT_EQ(pacer.Snapshot(kSender, At(seconds(2)))->counters.decreases, 2u);
}

TEST(PacerAdaptive, CutsNeverGoBelowTheMinimumRate) {
  Pacer pacer = MakePacer(1);
  for (int i = 0; i < 20; ++i) {
    pacer.OnFailed(GrantFor(kSender, i), Failure(131048), At(seconds(2 * i)));
  }
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, seconds(40)), 5.0 / 60);
}

TEST(PacerAdaptive, SpamPausesTheNumberForAMinute) {
  Pacer pacer = MakePacer(80);
  pacer.OnFailed(GrantFor(kSender, 1), Failure(131048), At(seconds(1)));
  const Admission admission = pacer.TryAcquire({kSender, ContactId{9}}, At(seconds(2)));
  EXPECT_EQ(admission.reason, PaceReason::kBackoff);
  EXPECT_EQ(admission.retry_at, kSteadyStart + seconds(61));
  EXPECT_EQ(*pacer.Snapshot(kSender, At(seconds(2)))->backoff_until, kSteadyStart + seconds(61));
  EXPECT_TRUE(pacer.TryAcquire({kSibling, ContactId{9}}, At(seconds(2))).granted());
}

TEST(PacerAdaptive, RetryAfterOnAThrottlePausesTheNumber) {
  Pacer pacer = MakePacer(80);
  pacer.OnFailed(GrantFor(kSender, 1), Failure(130429), At(seconds(1)), seconds(5));
  EXPECT_EQ(pacer.TryAcquire({kSender, ContactId{9}}, At(seconds(2))).retry_at,
            kSteadyStart + seconds(6));
}

TEST(PacerAdaptive, AnAccountThrottlePausesEveryNumberOfThePortfolio) {
  Pacer pacer = MakePacer(80);
  pacer.OnFailed(GrantFor(kSender, 1), Failure(80007), At(seconds(1)));
  for (SenderId sender : {kSender, kSibling}) {
    const Admission admission = pacer.TryAcquire({sender, ContactId{9}}, At(seconds(2)));
    EXPECT_EQ(admission.reason, PaceReason::kBackoff);
    EXPECT_EQ(admission.retry_at, kSteadyStart + seconds(11));
  }
  EXPECT_TRUE(pacer.TryAcquire({kStranger, ContactId{9}}, At(seconds(2))).granted());
  // The sibling's rate is not cut: only the number that was answered 80007.
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSibling, seconds(2)), 80);
}

TEST(PacerAdaptive, APairRateErrorBlocksThatUserForTheBackoff) {
  Pacer pacer = MakePacer(80);
  const Admission first = pacer.TryAcquire({kSender, ContactId{5}}, At(seconds(0)));
  ASSERT_TRUE(first.granted());
  pacer.OnFailed(first.grant, Failure(131056), At(seconds(1)));
  const Admission again = pacer.TryAcquire({kSender, ContactId{5}}, At(seconds(10)));
  EXPECT_EQ(again.reason, PaceReason::kPairRate);
  EXPECT_EQ(again.retry_at, kSteadyStart + seconds(31));
  EXPECT_TRUE(pacer.TryAcquire({kSender, ContactId{6}}, At(seconds(10))).granted());
}

TEST(PacerAdaptive, TheRateRecoversOnlyWhileThereIsABacklog) {
  Pacer pacer = MakePacer(80);
  pacer.OnFailed(GrantFor(kSender, 1), Failure(131048), At(seconds(0)));
  ASSERT_DOUBLE_EQ(Allowed(pacer, kSender, seconds(0)), 40);
  const SenderBacklog backlog[] = {{kSender, 100}};
  // Within the increase hold (10 s after the cut): no increase even with a backlog.
  for (int ms = 500; ms < 10000; ms += 500) pacer.OnTick(At(milliseconds(ms)), backlog);
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, milliseconds(9900)), 40);
  // Without a backlog: no increase.
  for (int ms = 10000; ms <= 15000; ms += 100) pacer.OnTick(At(milliseconds(ms)), {});
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, seconds(15)), 40);
  // With one: 2 % of the level per second, 1.6/s per second.
  for (int ms = 15100; ms <= 20000; ms += 100) pacer.OnTick(At(milliseconds(ms)), backlog);
  EXPECT_NEAR(Allowed(pacer, kSender, seconds(20)), 40 + 5 * 1.6, 1e-9);
  // Never above the level.
  for (int ms = 20100; ms <= 70000; ms += 100) pacer.OnTick(At(milliseconds(ms)), backlog);
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, seconds(70)), 80);
  EXPECT_EQ(pacer.Snapshot(kSender, At(seconds(70)))->slowed_by, PaceReason::kNone);
}

TEST(PacerAdaptive, ACutExpiresAfterItsTimeBoxWithoutBacklog) {
  Pacer pacer = MakePacer(80);
  pacer.OnFailed(GrantFor(kSender, 1), Failure(131048), At(seconds(0)));
  pacer.OnTick(At(minutes(10) - milliseconds(1)), {});
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, minutes(10)), 40);
  pacer.OnTick(At(minutes(10)), {});
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, minutes(10)), 80);
}

TEST(PacerAdaptive, ARaisedLevelKeepsACutButLiftsAnUncutRate) {
  Pacer pacer = MakePacer(80);
  pacer.OnFailed(GrantFor(kSender, 1), Failure(131048), At(seconds(0)));
  ASSERT_TRUE(pacer.SetLevel(kSender, 1000, At(seconds(1))).ok());
  ASSERT_TRUE(pacer.SetLevel(kSibling, 1000, At(seconds(1))).ok());
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, seconds(1)), 40);
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSibling, seconds(1)), 1000);
  ASSERT_TRUE(pacer.SetLevel(kSender, 20, At(seconds(1))).ok());
  EXPECT_DOUBLE_EQ(Allowed(pacer, kSender, seconds(1)), 20);
}

TEST(PacerAdaptive, FailuresThatStopSendingPauseTheNumberOrEverything) {
  Pacer pacer = MakePacer(80);
  pacer.OnFailed(GrantFor(kSender, 1), Failure(133010), At(seconds(1)));
  const SenderSnapshot stopped = *pacer.Snapshot(kSender, At(seconds(1)));
  EXPECT_TRUE(stopped.paused);
  EXPECT_EQ(stopped.stop_reason, "number_not_registered:133010");
  EXPECT_EQ(stopped.slowed_by, PaceReason::kPaused);
  EXPECT_TRUE(pacer.TryAcquire({kSibling, ContactId{1}}, At(seconds(1))).granted());

  pacer.OnFailed(GrantFor(kSibling, 2), Failure(131031), At(seconds(2)));
  for (SenderId sender : {kSender, kSibling, kStranger}) {
    EXPECT_EQ(pacer.TryAcquire({sender, ContactId{3}}, At(seconds(3))).reason, PaceReason::kPaused);
    EXPECT_EQ(pacer.Snapshot(sender, At(seconds(3)))->stop_reason, "account_locked:131031");
  }
  ASSERT_TRUE(pacer.SetPaused(kStranger, false).ok());
  EXPECT_TRUE(pacer.Snapshot(kStranger, At(seconds(3)))->stop_reason.empty());
  EXPECT_TRUE(pacer.TryAcquire({kStranger, ContactId{3}}, At(seconds(3))).granted());
}

TEST(PacerAdaptive, PermanentAndTransientFailuresDoNotSlowTheNumber) {
  Pacer pacer = MakePacer(80);
  for (std::int64_t code : {131026, 131047, 131000, 132001, 100}) {
    pacer.OnFailed(GrantFor(kSender, 1), Failure(code), At(seconds(1)));
  }
  const SenderSnapshot snapshot = *pacer.Snapshot(kSender, At(seconds(1)));
  EXPECT_DOUBLE_EQ(snapshot.allowed_per_second, 80);
  EXPECT_EQ(snapshot.counters.failed, 5u);
  EXPECT_EQ(snapshot.counters.decreases, 0u);
}

TEST(PacerAdaptive, SnapshotShowsRateTokensAndCounters) {
  Pacer pacer = MakePacer(80);
  SenderSnapshot fresh = *pacer.Snapshot(kSender, At(seconds(0)));
  EXPECT_EQ(fresh.tokens, 1u);
  EXPECT_EQ(fresh.tier_limit, std::nullopt);
  const Admission granted = pacer.TryAcquire({kSender, ContactId{1}}, At(seconds(0)));
  pacer.OnAccepted(granted.grant, At(milliseconds(100)));
  (void)pacer.TryAcquire({kSender, ContactId{2}}, At(milliseconds(1)));
  (void)pacer.TryAcquire({kSender, ContactId{1}}, At(seconds(1)));
  const SenderSnapshot snapshot = *pacer.Snapshot(kSender, At(seconds(1)));
  EXPECT_EQ(snapshot.level_per_second, 80);
  EXPECT_EQ(snapshot.counters.granted, 1u);
  EXPECT_EQ(snapshot.counters.accepted, 1u);
  EXPECT_EQ(snapshot.counters.refused[static_cast<std::size_t>(PaceReason::kRate)], 1u);
  EXPECT_EQ(snapshot.counters.refused[static_cast<std::size_t>(PaceReason::kPairRate)], 1u);
  EXPECT_EQ(snapshot.tokens, 1u);
  EXPECT_EQ(snapshot.pair_keys, 1u);
  EXPECT_EQ(snapshot.tier_used, 1u);
  EXPECT_EQ(snapshot.next_slot, kSteadyStart + seconds(1));
  EXPECT_FALSE(pacer.Snapshot(SenderId{99}, At(seconds(1))).has_value());
}

TEST(PacerAdaptive, AnUnknownSenderIsRefusedUntilAdded) {
  Pacer pacer = MakePacer(80);
  const Admission admission = pacer.TryAcquire({SenderId{99}, ContactId{1}}, At(seconds(0)));
  EXPECT_EQ(admission.reason, PaceReason::kUnknownSender);
  EXPECT_EQ(admission.retry_at, kUntilChanged);
  EXPECT_EQ(pacer.SetQuality(SenderId{99}, Quality::kRed).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(pacer.AddSender(kSender, Settings(80), At(seconds(0))).error().code,
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(pacer.AddSender(SenderId{99}, Settings(0), At(seconds(0))).error().field,
            "level_per_second");
  ASSERT_TRUE(pacer.RemoveSender(kSender).ok());
  EXPECT_EQ(pacer.TryAcquire({kSender, ContactId{1}}, At(seconds(0))).reason,
            PaceReason::kUnknownSender);
}

TEST(PacerAdaptive, EveryReasonHasAStableName) {
  const std::vector<std::string> names = {"",          "rate",          "warmup",      "backoff",
                                          "pair_rate", "tier_cap",      "quality_red", "restricted",
                                          "paused",    "unknown_sender"};
  for (std::size_t i = 0; i < kPaceReasonCount; ++i) {
    EXPECT_EQ(PaceReasonName(static_cast<PaceReason>(i)), names[i]);
  }
  EXPECT_EQ(QualityName(Quality::kRed), "red");
}

struct ConfigCase {
  const char* field;
  void (*spoil)(PacerConfig&);
};

TEST(PacerAdaptive, AnInvalidConfigIsRefusedNamingItsField) {
  const ConfigCase cases[] = {
      {"pair_interval", [](PacerConfig& c) { c.pair_interval = milliseconds(0); }},
      {"pair_backoff", [](PacerConfig& c) { c.pair_backoff = milliseconds(-1); }},
      {"lateness_credit", [](PacerConfig& c) { c.lateness_credit = nanoseconds(-1); }},
      {"decrease_factor", [](PacerConfig& c) { c.decrease_factor = 1; }},
      {"decrease_factor", [](PacerConfig& c) { c.decrease_factor = 0; }},
      {"accepted_rate_margin", [](PacerConfig& c) { c.accepted_rate_margin = 1; }},
      {"decrease_hold", [](PacerConfig& c) { c.decrease_hold = milliseconds(-1); }},
      {"increase_hold", [](PacerConfig& c) { c.increase_hold = milliseconds(-1); }},
      {"decrease_expiry", [](PacerConfig& c) { c.decrease_expiry = milliseconds(0); }},
      {"increase_per_second", [](PacerConfig& c) { c.increase_per_second = -0.1; }},
      {"min_rate_per_second", [](PacerConfig& c) { c.min_rate_per_second = 0; }},
      {"spam_pause", [](PacerConfig& c) { c.spam_pause = milliseconds(-1); }},
      {"account_pause", [](PacerConfig& c) { c.account_pause = milliseconds(-1); }},
      {"tier_window", [](PacerConfig& c) { c.tier_window = milliseconds(0); }},
      {"tier_recheck", [](PacerConfig& c) { c.tier_recheck = milliseconds(0); }},
      {"warmup", [](PacerConfig& c) { c.warmup[1].age = c.warmup[0].age; }},
      {"warmup", [](PacerConfig& c) { c.warmup[0].age = minutes(1); }},
      {"warmup", [](PacerConfig& c) { c.warmup[1].per_minute = 0; }},
  };
  for (const ConfigCase& test : cases) {
    PacerConfig config;
    test.spoil(config);
    const Status status = ValidatePacerConfig(config);
    ASSERT_FALSE(status.ok()) << test.field;
    EXPECT_EQ(status.error().field, test.field);
    EXPECT_FALSE(Pacer::Create(config).ok()) << test.field;
  }
  EXPECT_TRUE(ValidatePacerConfig(PacerConfig{}).ok());
  PacerConfig no_ramp;
  no_ramp.warmup.clear();
  EXPECT_TRUE(ValidatePacerConfig(no_ramp).ok());
}

}  // namespace
}  // namespace herald::campaign
