#include "webhooks/recent_bodies.h"

#include <gtest/gtest.h>

namespace herald::webhooks {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

const SysTime kStart = SysTime(std::chrono::seconds(1767225600));

TEST(RecentBodies, RecognisesARepeatWithinTheWindowOnly) {
  RecentBodies recent(hours(24), 100);
  const std::int64_t hash = BodyHash(R"({"object":"whatsapp_business_account"})");
  EXPECT_TRUE(recent.Add(hash, kStart));
  EXPECT_FALSE(recent.Add(hash, kStart + hours(23)));
  EXPECT_TRUE(recent.Add(hash, kStart + hours(24) + milliseconds(1)));
}

TEST(RecentBodies, DifferentBodiesHaveDifferentHashes) {
  EXPECT_NE(BodyHash("a"), BodyHash("b"));
  EXPECT_EQ(BodyHash("same body"), BodyHash("same body"));
}

TEST(RecentBodies, KeepsAtMostItsCapacityForgettingTheOldestFirst) {
  RecentBodies recent(hours(24), 3);
  for (std::int64_t hash = 1; hash <= 4; ++hash) EXPECT_TRUE(recent.Add(hash, kStart));
  EXPECT_EQ(recent.size(), 3u);
  EXPECT_TRUE(recent.Add(1, kStart));   // the oldest was forgotten
  EXPECT_FALSE(recent.Add(4, kStart));  // the newest is still known
}

TEST(RecentBodies, ARemovedBodyIsNewAgain) {
  RecentBodies recent(hours(24), 10);
  EXPECT_TRUE(recent.Add(7, kStart));
  recent.Remove(7);
  EXPECT_TRUE(recent.Add(7, kStart));
  EXPECT_FALSE(recent.Add(7, kStart));
}

}  // namespace
}  // namespace herald::webhooks
