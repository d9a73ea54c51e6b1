// Crash safety of webhooks (issue 17, "Done when"): a real heraldd, a real kill -9, three times
// while the platform's side (tests/support/webhook_poster.h, which posts again until it gets a
// 200, as the platform does) posts 10,000 signed status notifications, each followed by a restart.
// After the last one every event is applied exactly once: the deliveries' counts by state are what
// was posted, every request is stored once and processed without error.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/connection.h"
#include "tests/integration/test_config.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/webhook_poster.h"

namespace herald::testing {
namespace {

using std::chrono::seconds;

constexpr int kDeliveries = 10000;
constexpr int kPosters = 4;
constexpr const char* kAppSecret = "crash-test-app-secret-0123456789";
constexpr std::int64_t kAt = 1767225600;

// The statuses the platform reports for delivery `i`: every tenth failed; the odd ones delivered
// and read, the read first (order is not guaranteed); the others delivered.
std::string EventsOf(int i) {
  const std::string wamid = "wamid.crash." + std::to_string(i);
  if (i % 10 == 0) {
    return StatusNotification(
        "901", StatusObject(wamid, "failed", kAt,
                            R"(,"errors":[{"code":131026,"title":"Message undeliverable"}])"));
  }
  if (i % 2 == 1) {
    return StatusNotification("901", StatusObject(wamid, "read", kAt + 2) + "," +
                                         StatusObject(wamid, "delivered", kAt + 1));
  }
  return StatusNotification("901", StatusObject(wamid, "delivered", kAt + 1));
}

class WebhookCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "app.secret") << kAppSecret << "\n";
    std::filesystem::permissions(dir_ / "app.secret", std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write);
    config_ = TestConfig(dir_) + "[webhooks]\napp_secret_file = \"" +
              (dir_ / "app.secret").string() + "\"\n";
  }
  void TearDown() override {
    if (daemon_) {
      daemon_->Signal(SIGTERM);
      daemon_->WaitExit(seconds(20));
    }
  }
  void Start() {
    daemon_.reset();  // its notify socket first
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config_);
    ASSERT_TRUE(daemon_->WaitReady(seconds(30))) << daemon_->Log();
    port_.store(daemon_->port());
  }

  TempDir dir_;
  std::string config_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::atomic<int> port_{0};
};

TEST_F(WebhookCrashTest, KillsWhileStatusesArePostedLoseNothingAndApplyEachOnce) {
  // The schema first, then 10,000 sent deliveries written straight into the file.
  Start();
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->WaitExit(seconds(20)), 0);
  {
    auto db = storage::Connection::Open({dir_ / "herald.db"});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Execute("BEGIN;"
                              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                              "WHERE i < 10000) INSERT INTO contacts (id, phone_e164, created_at, "
                              "updated_at) SELECT i, '+49151' || printf('%08d', i), 0, 0 FROM n;"
                              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                              "WHERE i < 10000) INSERT INTO deliveries (id, contact_id, state, "
                              "not_before, provider_message_id, sent_at, created_at, updated_at) "
                              "SELECT i, i, 'sent', 0, 'wamid.crash.' || i, 1000, 0, 0 FROM n;"
                              "COMMIT;")
                    .ok());
  }
  Start();

  std::atomic<int> next{1};
  std::atomic<int> accepted{0};
  std::atomic<bool> failed{false};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  std::vector<std::thread> posters;
  for (int p = 0; p < kPosters; ++p) {
    posters.emplace_back([&] {
      WebhookPoster poster([this] { return port_.load(); }, kAppSecret);
      for (int i = next.fetch_add(1); i <= kDeliveries; i = next.fetch_add(1)) {
        if (!poster.PostUntilAccepted(EventsOf(i), deadline)) {
          failed.store(true);
          return;
        }
        accepted.fetch_add(1);
      }
    });
  }
  // Three kills at different points of the stream, each followed by a restart.
  for (int threshold : {2000, 5000, 8000}) {
    while (accepted.load() < threshold && !failed.load() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    port_.store(0);
    daemon_->Signal(SIGKILL);
    ASSERT_EQ(daemon_->WaitExit(seconds(20)), -SIGKILL);
    Start();
  }
  for (std::thread& poster : posters) poster.join();
  ASSERT_FALSE(failed.load()) << "a notification was never accepted";
  ASSERT_EQ(accepted.load(), kDeliveries);

  // Everything stored is processed.
  boost::json::object records;
  for (int i = 0; i < 1200; ++i) {
    const HttpResult result = HttpRequest(daemon_->port(), "GET", "/v1/webhooks", kToken);
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(result.body, ec);
    if (!ec && value.is_object()) records = value.as_object();
    if (records.contains("pending") && records.at("pending").as_int64() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(records.at("pending").as_int64(), 0);
  EXPECT_EQ(records.at("processed").as_int64(), kDeliveries);
  EXPECT_EQ(records.at("failed").as_int64(), 0);

  auto db = storage::Connection::Open({dir_ / "herald.db"});
  ASSERT_TRUE(db.ok());
  std::map<std::string, std::int64_t> states;
  auto query = (*db)->Prepare("SELECT state, count(*) FROM deliveries GROUP BY state");
  while (*query->Step()) states[query->ColumnText(0)] = query->ColumnInt(1);
  EXPECT_EQ(states["failed"], kDeliveries / 10);
  EXPECT_EQ(states["read"], kDeliveries / 2);
  EXPECT_EQ(states["delivered"], kDeliveries - kDeliveries / 10 - kDeliveries / 2);
  EXPECT_EQ(states["sent"], 0);
  auto stored = (*db)->Prepare("SELECT count(*), count(DISTINCT body_hash) FROM webhook_events");
  ASSERT_TRUE(*stored->Step());
  EXPECT_EQ(stored->ColumnInt(0), kDeliveries);
  EXPECT_EQ(stored->ColumnInt(1), kDeliveries);
  auto times = (*db)->Prepare(
      "SELECT count(*) FROM deliveries WHERE state = 'read' AND (delivered_at IS NULL OR "
      "read_at IS NULL)");
  ASSERT_TRUE(*times->Step());
  EXPECT_EQ(times->ColumnInt(0), 0);
}

}  // namespace
}  // namespace herald::testing
