#include "common/result.h"

#include <gtest/gtest.h>

namespace herald {
namespace {

Result<int> ParsePositive(int x) {
  if (x <= 0) return MakeError(ErrorCode::kInvalidArgument, "must be positive", "x");
  return x;
}

TEST(Result, HoldsValueOrError) {
  auto good = ParsePositive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = ParsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().ToString(), "x: must be positive");
}

TEST(Status, DefaultIsOkAndErrorKeepsCodeName) {
  EXPECT_TRUE(Status::Ok().ok());
  Status failed = MakeError(ErrorCode::kUnavailable, "later");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(ErrorCodeName(failed.error().code), "unavailable");
  EXPECT_EQ(failed.error().ToString(), "later");
}

}  // namespace
}  // namespace herald
