#include "compliance/consent.h"

#include <gtest/gtest.h>

namespace herald::compliance {
namespace {

struct ConsentCase {
  const char* name;
  ConsentState state;
  Purpose purpose;
  ConsentOutcome expected;
};

TEST(CheckConsent, FollowsThePurposeAndOptOutBeatsEverything) {
  const ConsentState everything{.opted_out = false, .marketing = true, .utility = true};
  const ConsentState nothing{};
  const ConsentState opted_out{.opted_out = true, .marketing = true, .utility = true};
  const ConsentState marketing_only{.opted_out = false, .marketing = true, .utility = false};
  const ConsentState utility_only{.opted_out = false, .marketing = false, .utility = true};
  const ConsentCase cases[] = {
      {"marketing with consent", everything, Purpose::kMarketing, ConsentOutcome::kAllowed},
      {"marketing without", utility_only, Purpose::kMarketing, ConsentOutcome::kNoMarketingConsent},
      {"utility with consent", utility_only, Purpose::kUtility, ConsentOutcome::kAllowed},
      {"utility without", marketing_only, Purpose::kUtility, ConsentOutcome::kNoUtilityConsent},
      {"authentication needs none", nothing, Purpose::kAuthentication, ConsentOutcome::kAllowed},
      {"service needs none", nothing, Purpose::kService, ConsentOutcome::kAllowed},
      {"opted out marketing", opted_out, Purpose::kMarketing, ConsentOutcome::kOptedOut},
      {"opted out utility", opted_out, Purpose::kUtility, ConsentOutcome::kOptedOut},
      {"opted out authentication", opted_out, Purpose::kAuthentication, ConsentOutcome::kOptedOut},
      {"opted out service", opted_out, Purpose::kService, ConsentOutcome::kOptedOut},
  };
  for (const ConsentCase& test : cases) {
    EXPECT_EQ(CheckConsent(test.state, test.purpose), test.expected) << test.name;
  }
}

TEST(StricterPurpose, OrdersMarketingUtilityAuthenticationService) {
  EXPECT_EQ(StricterPurpose(Purpose::kService, Purpose::kMarketing), Purpose::kMarketing);
  EXPECT_EQ(StricterPurpose(Purpose::kMarketing, Purpose::kUtility), Purpose::kMarketing);
  EXPECT_EQ(StricterPurpose(Purpose::kAuthentication, Purpose::kUtility), Purpose::kUtility);
  EXPECT_EQ(StricterPurpose(Purpose::kService, Purpose::kAuthentication), Purpose::kAuthentication);
}

TEST(PurposeSet, ContainsOnlyItsMembers) {
  const PurposeSet set{Purpose::kMarketing, Purpose::kUtility};
  EXPECT_TRUE(set.Contains(Purpose::kMarketing));
  EXPECT_TRUE(set.Contains(Purpose::kUtility));
  EXPECT_FALSE(set.Contains(Purpose::kService));
  EXPECT_TRUE(PurposeSet{}.empty());
}

}  // namespace
}  // namespace herald::compliance
