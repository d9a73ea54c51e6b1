// The send path's counters (issue 18, item 9): labels from fixed or capped sets only, whatever the
// recorded reasons and error codes hold.
#include "app/send_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace herald::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SendMetricsLabels, ARecordedReasonGivesAFixedReasonLabelAndTheBlockingList) {
  struct Case {
    const char* recorded;
    const char* reason;  // "" : not a refusal
    const char* list;
  };
  const Case cases[] = {
      {"skipped:opted_out", "opted_out", ""},
      {"skipped:no_consent:marketing", "no_consent:marketing", ""},
      {"skipped:no_consent:utility", "no_consent:utility", ""},
      {"skipped:template_not_approved", "template_not_approved", ""},
      {"skipped:window_closed", "window_closed", ""},
      {"skipped:frequency_cap", "frequency_cap", ""},
      {"skipped:quiet_hours_unknown_zone", "quiet_hours_unknown_zone", ""},
      {"waiting:quiet_hours", "quiet_hours", ""},
      {"blocked:word:global:gratis", "word", "global"},
      {"blocked:word:de-promo.v2:a:b", "word", "de-promo.v2"},  // a term may hold ':'
      {"skipped:market:us_marketing_pause", "market", ""},
      {"skipped:missing_value:name", "missing_value", ""},
      {"skipped:contact_erased", "contact_erased", ""},
      {"skipped:something_new", "other", ""},
      {"retry:throttled:130429", "", ""},
      {"waiting:no_sender", "", ""},
      {"waiting:pair_rate", "", ""},
      {"failed:unreadable_message", "", ""},
      {"", "", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SendMetrics::RefusalLabel(c.recorded), c.reason) << c.recorded;
    EXPECT_EQ(SendMetrics::BlockingList(c.recorded), c.list) << c.recorded;
  }
}

TEST(SendMetricsLabels, AnErrorCodeOutsideTheThrottlingOnesIsOther) {
  using campaign::SendFailure;
  using campaign::SendTransport;
  struct Case {
    SendFailure failure;
    const char* code;
  };
  const Case cases[] = {
      {{SendTransport::kAnswered, 400, 130429, {}}, "130429"},
      {{SendTransport::kAnswered, 400, 131048, {}}, "131048"},
      {{SendTransport::kAnswered, 400, 131056, {}}, "131056"},
      {{SendTransport::kAnswered, 400, 4, {}}, "4"},
      {{SendTransport::kAnswered, 400, 80007, {}}, "80007"},
      {{SendTransport::kAnswered, 400, 131026, {}}, "other"},
      {{SendTransport::kAnswered, 500, 131000, {}}, "other"},
      {{SendTransport::kAnswered, 400, 999999999, {}}, "other"},
      {{SendTransport::kAnswered, 429, std::nullopt, {}}, "http_429"},
      {{SendTransport::kAnswered, 503, std::nullopt, {}}, "http_5xx"},
      {{SendTransport::kAnswered, 404, std::nullopt, {}}, "none"},
      {{SendTransport::kNoAnswer, 0, std::nullopt, {}}, "none"},
      {{SendTransport::kNotSent, 0, std::nullopt, {}}, "none"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SendMetrics::ErrorCodeLabel(c.failure), c.code)
        << c.failure.http_status << " " << c.failure.error_code.value_or(-1);
  }
}

TEST(SendMetricsLabels, EveryFinalStateHasAnOutcomeAndTheOthersNone) {
  using storage::DeliveryState;
  EXPECT_EQ(SendMetrics::OutcomeOf(DeliveryState::kSent), SendMetrics::Outcome::kSent);
  EXPECT_EQ(SendMetrics::OutcomeOf(DeliveryState::kBlocked), SendMetrics::Outcome::kBlocked);
  EXPECT_EQ(SendMetrics::OutcomeOf(DeliveryState::kExpired), SendMetrics::Outcome::kExpired);
  EXPECT_EQ(SendMetrics::OutcomeOf(DeliveryState::kCancelled), SendMetrics::Outcome::kCancelled);
  EXPECT_EQ(SendMetrics::OutcomeOf(DeliveryState::kQueued), std::nullopt);
  EXPECT_EQ(SendMetrics::OutcomeOf(DeliveryState::kDelivered), std::nullopt);
}

TEST(SendMetrics, CountsOutcomesByNumberAndState) {
  metrics::Registry registry;
  SendMetrics sends(registry);
  SendMetrics::SenderOutcomes number = sends.ForSender("1001");
  number.Count(SendMetrics::Outcome::kSent, 3);
  number.Count(SendMetrics::Outcome::kRetried);
  sends.NoSender().Count(SendMetrics::Outcome::kSkipped, 2);
  sends.CountOutcome("1002", SendMetrics::Outcome::kBlocked);
  const std::string text = registry.Serialize();
  EXPECT_THAT(text, HasSubstr("\n# TYPE herald_delivery_outcomes_total counter\n"));
  EXPECT_THAT(text,
              HasSubstr("\nherald_delivery_outcomes_total{sender=\"1001\",state=\"sent\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("\nherald_delivery_outcomes_total{sender=\"1001\",state=\"retried\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("\nherald_delivery_outcomes_total{sender=\"none\",state=\"skipped\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("\nherald_delivery_outcomes_total{sender=\"1002\",state=\"blocked\"} 1\n"));
}

TEST(SendMetrics, CountsRefusalsByReasonAndBlocksByListWithTheListsCapped) {
  metrics::Registry registry;
  SendMetrics sends(registry);
  sends.CountDecision("skipped:no_consent:marketing");
  sends.CountDecision("waiting:quiet_hours");
  sends.CountDecision("retry:transient:131000");  // not a refusal
  sends.CountDecision("skipped:market:us_marketing_pause");
  for (std::size_t i = 0; i < SendMetrics::kMaxListLabels + 10; ++i) {
    sends.CountDecision("blocked:word:list" + std::to_string(i) + ":term");
  }
  sends.CountDecision("blocked:word:list0:another");
  const std::string text = registry.Serialize();
  EXPECT_THAT(text, HasSubstr("\nherald_gate_refusals_total{reason=\"no_consent:marketing\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nherald_gate_refusals_total{reason=\"quiet_hours\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nherald_gate_refusals_total{reason=\"market\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nherald_gate_refusals_total{reason=\"word\"} 61\n"));
  EXPECT_THAT(text, HasSubstr("\nherald_wordlist_blocks_total{list=\"list0\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("\nherald_wordlist_blocks_total{list=\"list49\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("list=\"list50\"")));
  EXPECT_THAT(text, HasSubstr("\nherald_wordlist_blocks_total{list=\"other\"} 10\n"));
  EXPECT_THAT(text, Not(HasSubstr("another"))) << "never a term";
}

TEST(SendMetrics, CountsErrorsByClassAndCode) {
  metrics::Registry registry;
  SendMetrics sends(registry);
  const campaign::SendFailure throttled{campaign::SendTransport::kAnswered, 400, 130429, {}};
  const campaign::SendFailure unknown{campaign::SendTransport::kAnswered, 400, 123456, {}};
  const campaign::SendFailure timeout{campaign::SendTransport::kNoAnswer, 0, std::nullopt, {}};
  for (const auto& failure : {throttled, throttled, unknown, timeout}) {
    sends.CountSendError(campaign::ClassifySendFailure(failure), failure);
  }
  const std::string text = registry.Serialize();
  EXPECT_THAT(text,
              HasSubstr("\nherald_send_errors_total{class=\"throttled\",code=\"130429\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("\nherald_send_errors_total{class=\"permanent\",code=\"other\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nherald_send_errors_total{class=\"uncertain\",code=\"none\"} 1\n"));
}

}  // namespace
}  // namespace herald::app
