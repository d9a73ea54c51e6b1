// The webhook service's backlog as /metrics shows it (issue 18, item 9): herald_webhook_pending and
// herald_webhook_lag_seconds, from the stored requests that are not processed yet.
#include "app/webhook_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/store.h"
#include "tests/support/fixed_clock.h"
#include "tests/support/temp_dir.h"

namespace herald::app {
namespace {

using ::testing::HasSubstr;

// An inbound text to business number 901, as the platform posts it.
std::string InboundText() {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"WABA1","changes":[{)"
         R"("field":"messages","value":{"messaging_product":"whatsapp","metadata":{)"
         R"("display_phone_number":"4930123","phone_number_id":"901"},"contacts":[{"profile":)"
         R"({"name":"Anna"},"wa_id":"4915100000001"}],"messages":[{"from":"4915100000001",)"
         R"("id":"wamid.1","timestamp":"1800000000","type":"text","text":{"body":"Hallo"}}]}}]}]})";
}

// Polls `done` for up to ten seconds.
template <typename Predicate>
bool Eventually(Predicate done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(WebhookServiceMetrics, PendingAndLagShowARequestUntilItIsApplied) {
  testing::TempDir dir;
  auto store = storage::Store::Open({dir / "herald.db"});
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  const SysTime received = SysTime(std::chrono::seconds(1'800'000'000));
  testing::FixedClock clock(received);
  metrics::Registry registry;
  WebhookService service(**store, clock, {}, &registry);
  // The inbound handler fails until told otherwise: the request stays stored, not processed, and
  // is tried again (after 2 s).
  std::atomic<bool> failing{true};
  WebhookHandlers handlers;
  handlers.inbound = [&](const std::vector<webhooks::InboundMessage>&) -> Status {
    if (failing) return MakeError(ErrorCode::kUnavailable, "not now");
    return Status::Ok();
  };
  service.SetHandlers(std::move(handlers));
  ASSERT_TRUE(service.Start().ok());
  EXPECT_THAT(registry.Serialize(), HasSubstr("\nherald_webhook_lag_seconds 0\n"));

  service.ReceiveTrusted(InboundText());
  ASSERT_TRUE(Eventually([&] { return service.stats().pending == 1; }));
  EXPECT_EQ(service.stats().oldest_pending, received);
  clock.Set(received + std::chrono::seconds(90));
  std::string text = registry.Serialize();
  EXPECT_THAT(text, HasSubstr("\n# TYPE herald_webhook_pending gauge\nherald_webhook_pending 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("\n# TYPE herald_webhook_lag_seconds gauge\nherald_webhook_lag_seconds 90\n"));

  failing = false;
  ASSERT_TRUE(Eventually([&] { return service.stats().pending == 0; }));
  EXPECT_EQ(service.stats().oldest_pending, std::nullopt);
  text = registry.Serialize();
  EXPECT_THAT(text, HasSubstr("\nherald_webhook_pending 0\n"));
  EXPECT_THAT(text, HasSubstr("\nherald_webhook_lag_seconds 0\n"));
  service.Stop();
}

}  // namespace
}  // namespace herald::app
