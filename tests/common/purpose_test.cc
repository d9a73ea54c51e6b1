// Purpose (common/purpose.h): the names used in the API, the config, the database and segments.
#include "common/purpose.h"

#include <gtest/gtest.h>

namespace herald {
namespace {

TEST(Purpose, NamesRoundTripAndUnknownNamesFail) {
  for (Purpose purpose :
       {Purpose::kMarketing, Purpose::kUtility, Purpose::kAuthentication, Purpose::kService}) {
    Result<Purpose> parsed = ParsePurpose(PurposeName(purpose));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, purpose);
  }
  EXPECT_FALSE(ParsePurpose("promo").ok());
}

TEST(Purpose, HasTheNamesTheDatabaseAndSegmentsUse) {
  EXPECT_EQ(PurposeName(Purpose::kMarketing), "marketing");
  EXPECT_EQ(PurposeName(Purpose::kUtility), "utility");
  EXPECT_EQ(PurposeName(Purpose::kAuthentication), "authentication");
  EXPECT_EQ(PurposeName(Purpose::kService), "service");
  EXPECT_EQ(kAllPurposes.size(), 4u);
  Result<Purpose> unknown = ParsePurpose("Marketing");
  ASSERT_FALSE(unknown.ok()) << "names are exact";
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("expected marketing, utility"), std::string::npos);
}

}  // namespace
}  // namespace herald
