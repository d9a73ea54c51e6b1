#include "compliance/consent.h"

#include <gtest/gtest.h>

namespace herald::compliance {
namespace {

struct ConsentCase {
  const char* name;
  ConsentState state;
  MessagePurpose purpose;
  ConsentOutcome expected;
};

TEST(CheckConsent, FollowsThePurposeAndOptOutBeatsEverything) {
  const ConsentState everything{.opted_out = false, .marketing = true, .utility = true};
  const ConsentState nothing{};
  const ConsentState opted_out{.opted_out = true, .marketing = true, .utility = true};
  const ConsentState marketing_only{.opted_out = false, .marketing = true, .utility = false};
  const ConsentState utility_only{.opted_out = false, .marketing = false, .utility = true};
  const ConsentCase cases[] = {
      {"marketing with consent", everything, MessagePurpose::kMarketing, ConsentOutcome::kAllowed},
      {"marketing without", utility_only, MessagePurpose::kMarketing,
       ConsentOutcome::kNoMarketingConsent},
      {"utility with consent", utility_only, MessagePurpose::kUtility, ConsentOutcome::kAllowed},
      {"utility without", marketing_only, MessagePurpose::kUtility,
       ConsentOutcome::kNoUtilityConsent},
      {"authentication needs none", nothing, MessagePurpose::kAuthentication,
       ConsentOutcome::kAllowed},
      {"service needs none", nothing, MessagePurpose::kService, ConsentOutcome::kAllowed},
      {"opted out marketing", opted_out, MessagePurpose::kMarketing, ConsentOutcome::kOptedOut},
      {"opted out utility", opted_out, MessagePurpose::kUtility, ConsentOutcome::kOptedOut},
      {"opted out authentication", opted_out, MessagePurpose::kAuthentication,
       ConsentOutcome::kOptedOut},
      {"opted out service", opted_out, MessagePurpose::kService, ConsentOutcome::kOptedOut},
  };
  for (const ConsentCase& test : cases) {
    EXPECT_EQ(CheckConsent(test.state, test.purpose), test.expected) << test.name;
  }
}

TEST(StricterPurpose, OrdersMarketingUtilityAuthenticationService) {
  EXPECT_EQ(StricterPurpose(MessagePurpose::kService, MessagePurpose::kMarketing),
            MessagePurpose::kMarketing);
  EXPECT_EQ(StricterPurpose(MessagePurpose::kMarketing, MessagePurpose::kUtility),
            MessagePurpose::kMarketing);
  EXPECT_EQ(StricterPurpose(MessagePurpose::kAuthentication, MessagePurpose::kUtility),
            MessagePurpose::kUtility);
  EXPECT_EQ(StricterPurpose(MessagePurpose::kService, MessagePurpose::kAuthentication),
            MessagePurpose::kAuthentication);
}

TEST(MessagePurpose, NamesRoundTripAndUnknownNamesFail) {
  for (MessagePurpose purpose : {MessagePurpose::kMarketing, MessagePurpose::kUtility,
                                 MessagePurpose::kAuthentication, MessagePurpose::kService}) {
    Result<MessagePurpose> parsed = ParseMessagePurpose(MessagePurposeName(purpose));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, purpose);
  }
  EXPECT_FALSE(ParseMessagePurpose("promo").ok());
}

TEST(PurposeSet, ContainsOnlyItsMembers) {
  const PurposeSet set{MessagePurpose::kMarketing, MessagePurpose::kUtility};
  EXPECT_TRUE(set.Contains(MessagePurpose::kMarketing));
  EXPECT_TRUE(set.Contains(MessagePurpose::kUtility));
  EXPECT_FALSE(set.Contains(MessagePurpose::kService));
  EXPECT_TRUE(PurposeSet{}.empty());
}

}  // namespace
}  // namespace herald::compliance
