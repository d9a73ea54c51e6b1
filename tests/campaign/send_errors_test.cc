// ClassifySendFailure against the table in campaign/send_errors.h, row by row.
#include "campaign/send_errors.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace herald::campaign {
namespace {

struct Row {
  SendTransport transport;
  int http_status;
  std::optional<std::int64_t> code;
  SendErrorClass expected;
  bool retryable;
  bool slows_number;
  StopScope stops;
  const char* reason;
};

constexpr auto kAnswered = SendTransport::kAnswered;
constexpr auto kNone = StopScope::kNone;
using C = SendErrorClass;

const Row kRows[] = {
    // Throttles: retried, and the pacer slows the number.
    {kAnswered, 400, 130429, C::kThrottleNumber, true, true, kNone, "throttled:130429"},
    {kAnswered, 429, std::nullopt, C::kThrottleNumber, true, true, kNone, "throttled:http_429"},
    {kAnswered, 400, 4, C::kThrottleAccount, true, true, kNone, "throttled_account:4"},
    {kAnswered, 400, 80007, C::kThrottleAccount, true, true, kNone, "throttled_account:80007"},
    {kAnswered, 400, 131048, C::kSpam, true, true, kNone, "spam:131048"},
    {kAnswered, 400, 131056, C::kPairRate, true, true, kNone, "pair_rate:131056"},
    // Transient: retried with backoff, the number is not slowed.
    {kAnswered, 500, 131000, C::kTransient, true, false, kNone, "transient:131000"},
    {kAnswered, 503, 131016, C::kTransient, true, false, kNone, "transient:131016"},
    {kAnswered, 502, std::nullopt, C::kTransient, true, false, kNone, "transient:http_502"},
    {SendTransport::kNotSent, 0, std::nullopt, C::kNotSent, true, false, kNone, "not_sent"},
    {SendTransport::kNoAnswer, 0, std::nullopt, C::kUncertain, false, false, kNone, "uncertain"},
    // Permanent for the delivery.
    {kAnswered, 400, 131047, C::kWindowClosed, false, false, kNone, "window_closed:131047"},
    {kAnswered, 400, 131049, C::kMarketingLimit, false, false, kNone, "marketing_limit:131049"},
    {kAnswered, 400, 131050, C::kUserOptedOutMarketing, false, false, kNone,
     "opted_out_marketing:131050"},
    {kAnswered, 400, 132000, C::kTemplate, false, false, kNone, "template:132000"},
    {kAnswered, 400, 132001, C::kTemplate, false, false, kNone, "template:132001"},
    {kAnswered, 400, 132018, C::kTemplate, false, false, kNone, "template:132018"},
    {kAnswered, 400, 132099, C::kTemplate, false, false, kNone, "template:132099"},
    {kAnswered, 400, 132015, C::kTemplatePaused, false, false, StopScope::kTemplate,
     "template_paused:132015"},
    {kAnswered, 400, 132016, C::kTemplatePaused, false, false, StopScope::kTemplate,
     "template_paused:132016"},
    {kAnswered, 400, 131026, C::kUndeliverable, false, false, kNone, "undeliverable:131026"},
    {kAnswered, 400, 131051, C::kUndeliverable, false, false, kNone, "undeliverable:131051"},
    // Stops: the number, or everything.
    {kAnswered, 400, 133010, C::kNumberNotRegistered, false, false, StopScope::kNumber,
     "number_not_registered:133010"},
    {kAnswered, 400, 131031, C::kAccountLocked, false, false, StopScope::kEverything,
     "account_locked:131031"},
    {kAnswered, 400, 368, C::kPolicyBlock, false, false, StopScope::kEverything,
     "policy_block:368"},
    {kAnswered, 401, 190, C::kAccessDenied, false, false, StopScope::kEverything,
     "access_denied:190"},
    {kAnswered, 403, 10, C::kAccessDenied, false, false, StopScope::kEverything,
     "access_denied:10"},
    {kAnswered, 403, 200, C::kAccessDenied, false, false, StopScope::kEverything,
     "access_denied:200"},
    {kAnswered, 403, 299, C::kAccessDenied, false, false, StopScope::kEverything,
     "access_denied:299"},
    {kAnswered, 400, 0, C::kAccessDenied, false, false, StopScope::kEverything, "access_denied:0"},
    {kAnswered, 400, 131005, C::kAccessDenied, false, false, StopScope::kEverything,
     "access_denied:131005"},
    {kAnswered, 400, 131042, C::kPayment, false, false, StopScope::kEverything, "payment:131042"},
    // Anything else with a code: permanent, not retried, named with its code.
    {kAnswered, 400, 100, C::kPermanent, false, false, kNone, "permanent:100"},
    {kAnswered, 400, 131009, C::kPermanent, false, false, kNone, "permanent:131009"},
    {kAnswered, 400, 132100, C::kPermanent, false, false, kNone, "permanent:132100"},
    {kAnswered, 400, 300, C::kPermanent, false, false, kNone, "permanent:300"},
    {kAnswered, 400, 999999999, C::kPermanent, false, false, kNone, "permanent:999999999"},
    {kAnswered, 400, -1, C::kPermanent, false, false, kNone, "permanent:-1"},
    // No code: only 429 and 5xx mean something; any other status is permanent.
    {kAnswered, 400, std::nullopt, C::kPermanent, false, false, kNone, "permanent:http_400"},
    {kAnswered, 404, std::nullopt, C::kPermanent, false, false, kNone, "permanent:http_404"},
    {kAnswered, 600, std::nullopt, C::kPermanent, false, false, kNone, "permanent:http_600"},
};

TEST(SendErrors, EachRowOfTheTableClassifiesAsDocumented) {
  for (const Row& row : kRows) {
    SendFailure failure;
    failure.transport = row.transport;
    failure.http_status = row.http_status;
    failure.error_code = row.code;
    const SendErrorInfo info = ClassifySendFailure(failure);
    SCOPED_TRACE(row.reason);
    EXPECT_EQ(info.error_class, row.expected);
    EXPECT_EQ(info.retryable, row.retryable);
    EXPECT_EQ(info.slows_number, row.slows_number);
    EXPECT_EQ(info.stops, row.stops);
    EXPECT_EQ(info.reason, row.reason);
  }
}

TEST(SendErrors, TheCodeDecidesNeverTheHttpStatus) {
  // A throttle code under any status is a throttle; a permanent code under 429 or 503 is
  // permanent.
  for (int status : {200, 400, 429, 500, 503}) {
    SendFailure throttle{SendTransport::kAnswered, status, 130429, {}};
    EXPECT_EQ(ClassifySendFailure(throttle).error_class, C::kThrottleNumber) << status;
    SendFailure closed{SendTransport::kAnswered, status, 131047, {}};
    EXPECT_EQ(ClassifySendFailure(closed).error_class, C::kWindowClosed) << status;
  }
}

TEST(SendErrors, NoAnswerIgnoresWhateverCodeCameWithIt) {
  SendFailure lost{SendTransport::kNoAnswer, 0, 130429, "timeout after 30 s"};
  const SendErrorInfo info = ClassifySendFailure(lost);
  EXPECT_EQ(info.error_class, C::kUncertain);
  EXPECT_FALSE(info.retryable);
  EXPECT_EQ(info.detail, "timeout after 30 s");
}

TEST(SendErrors, DetailsAreKeptForPeopleButDoNotChangeTheClass) {
  SendFailure failure{SendTransport::kAnswered, 400, 131026, "Message Undeliverable."};
  const SendErrorInfo info = ClassifySendFailure(failure);
  EXPECT_EQ(info.error_class, C::kUndeliverable);
  EXPECT_EQ(info.reason, "undeliverable:131026");
  EXPECT_EQ(info.detail, "Message Undeliverable.");
}

TEST(SendErrors, EveryClassAndScopeHasAStableName) {
  EXPECT_EQ(SendErrorClassName(C::kThrottleNumber), "throttled");
  EXPECT_EQ(SendErrorClassName(C::kUserOptedOutMarketing), "opted_out_marketing");
  EXPECT_EQ(SendErrorClassName(C::kPermanent), "permanent");
  EXPECT_EQ(StopScopeName(StopScope::kEverything), "everything");
  EXPECT_EQ(StopScopeName(StopScope::kTemplate), "template");
}

}  // namespace
}  // namespace herald::campaign
