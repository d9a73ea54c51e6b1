// RetentionService (app/retention_service.h) on a real store: a pass removes what is older than
// each retention in batches until one comes back short; a retention of 0 keeps everything.
#include "app/retention_service.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/sqlite/connection.h"
#include "storage/store.h"
#include "tests/support/fixed_clock.h"
#include "tests/support/temp_dir.h"

namespace herald::app {
namespace {

using std::chrono::hours;

class RetentionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open({dir_ / "herald.db"});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(*store);
    auto connection = storage::Connection::Open({dir_ / "herald.db"});
    ASSERT_TRUE(connection.ok());
    // Five processed webhook requests and five audit entries, one a day for five days.
    for (int day = 0; day < 5; ++day) {
      const std::string at = std::to_string(day * 86'400'000LL);
      ASSERT_TRUE((*connection)
                      ->Execute("INSERT INTO webhook_events (body_hash, source, received_at, "
                                "payload, processed_at) VALUES (1, 'platform', " +
                                at + ", '{}', " + at + ");" +
                                "INSERT INTO audit_log (at, actor, action, object_type) VALUES (" +
                                at + ", 'olga', 'x', 'y')")
                      .ok());
    }
    count_ = [this](const std::string& table) {
      auto connection = storage::Connection::Open({dir_ / "herald.db"});
      auto query = (*connection)->Prepare("SELECT count(*) FROM " + table);
      (void)query->Step();
      return query->ColumnInt(0);
    };
  }
  void TearDown() override { store_->Stop(); }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::function<std::int64_t(const std::string&)> count_;
  // Day 5, midnight: entries exactly at the cut-off are kept.
  testing::FixedClock clock_{SysTime(std::chrono::milliseconds(5 * 86'400'000LL))};
};

TEST_F(RetentionServiceTest, APassRemovesWhatIsOlderThanItsRetentionBatchAfterBatch) {
  RetentionPolicy policy;
  policy.webhook_requests = hours(24 * 2);  // keeps days 3 and 4
  policy.audit = hours(24);                 // keeps day 4
  policy.batch = 1;
  RetentionService service(*store_, clock_, policy);
  auto removed = service.RunOnce();
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_EQ(removed->webhook_requests, 3);
  EXPECT_EQ(removed->audit, 4);
  EXPECT_EQ(removed->deliveries, 0);
  EXPECT_EQ(count_("webhook_events"), 2);
  EXPECT_EQ(count_("audit_log"), 1);
}

TEST_F(RetentionServiceTest, ARetentionOfZeroKeepsEverything) {
  RetentionService service(*store_, clock_, RetentionPolicy{});
  auto removed = service.RunOnce();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->webhook_requests + removed->audit + removed->deliveries, 0);
  EXPECT_EQ(count_("webhook_events"), 5);
  // Started and stopped without a pass (the first comes an interval after the start).
  service.Start();
  service.Stop();
  EXPECT_EQ(count_("audit_log"), 5);
}

}  // namespace
}  // namespace herald::app
