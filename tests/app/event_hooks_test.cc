// The outbound event hooks (issue 17, item 5) against a real store and a real loopback receiver
// that checks every signature and timestamp itself (tests/support/hook_receiver.h).
#include "app/event_hooks.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>

#include "storage/hook_repository.h"
#include "storage/store.h"
#include "tests/support/hook_receiver.h"
#include "tests/support/temp_dir.h"

namespace herald::app {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using testing::HookReceiver;

constexpr const char* kSecret = "hook-secret-0123456789";

config::HookEndpointConfig Endpoint(const std::string& url) {
  config::HookEndpointConfig endpoint;
  endpoint.url = url;
  endpoint.timeout = std::chrono::seconds(5);
  endpoint.retry_base = milliseconds(20);
  endpoint.retry_max = milliseconds(50);
  endpoint.max_attempts = 3;
  return endpoint;
}

template <typename T>
Result<T> Wait(const std::function<void(Reply<T>)>& call) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  call([promise](Result<T> result) { promise->set_value(std::move(result)); });
  return future.get();
}

class EventHooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open({dir_ / "herald.db"});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    if (service_) service_->Stop();
    store_->Stop();
  }

  void StartService(std::map<std::string, config::HookEndpointConfig> endpoints) {
    std::map<std::string, std::string> secrets;
    for (const auto& [name, endpoint] : endpoints) secrets[name] = kSecret;
    service_ = std::make_unique<HookService>(*store_, clock_, std::move(endpoints), nullptr,
                                             HookServiceOptions{.poll_interval = milliseconds(20)});
    Status started = service_->Start(secrets);
    ASSERT_TRUE(started.ok()) << started.error().ToString();
  }

  // Stages an event in a write job of its own, as a service does with its change.
  void StageInJob(const OutboundEvent& event) {
    Status done = store_->SubmitAndWait(
        [&](storage::UnitOfWork& work) { return service_->Stage(work, event, clock_.Now()); });
    ASSERT_TRUE(done.ok()) << done.error().ToString();
    service_->Wake();
  }

  std::vector<HookEndpointView> Endpoints() {
    auto views = Wait<std::vector<HookEndpointView>>(
        [this](Reply<std::vector<HookEndpointView>> reply) { service_->Endpoints(reply); });
    EXPECT_TRUE(views.ok());
    return views.ok() ? *views : std::vector<HookEndpointView>{};
  }

  std::vector<HookDeliveryRecord> Dead(const std::string& endpoint) {
    auto dead =
        Wait<std::vector<HookDeliveryRecord>>([&](Reply<std::vector<HookDeliveryRecord>> reply) {
          service_->DeadLetters(endpoint, 0, 100, reply);
        });
    EXPECT_TRUE(dead.ok());
    return dead.ok() ? *dead : std::vector<HookDeliveryRecord>{};
  }

  // Polls `done` until it holds or 20 s pass.
  static bool Eventually(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
  }

  herald::testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<HookService> service_;
};

TEST_F(EventHooksTest, EventsArriveSignedFreshAndOncePerSubscribedEndpoint) {
  HookReceiver crm(kSecret);
  HookReceiver sheets(kSecret);
  auto sheets_endpoint = Endpoint(sheets.url());
  sheets_endpoint.events = {"contact.opted_out"};
  StartService({{"crm", Endpoint(crm.url())}, {"sheets", sheets_endpoint}});

  StageInJob(CampaignStateEvent(CampaignId{7}, "spring", "paused", "running", "by hand", "ops",
                                clock_.Now()));
  StageInJob(ContactOptedOutEvent(ContactId{3}, "+4915112345678", "webhook", "STOP", clock_.Now()));

  ASSERT_TRUE(crm.WaitForAccepted(2));
  ASSERT_TRUE(sheets.WaitForAccepted(1));
  for (const auto& hook : crm.Received()) {
    EXPECT_TRUE(hook.signature_valid);
    EXPECT_TRUE(hook.fresh);
    EXPECT_EQ(hook.answered, 200);
  }
  const auto sheets_got = sheets.Accepted();
  ASSERT_EQ(sheets_got.size(), 1u);
  EXPECT_EQ(sheets_got[0].event, "contact.opted_out");
  const json::object body = json::parse(sheets_got[0].body).as_object();
  EXPECT_EQ(body.at("kind").as_string(), "contact.opted_out");
  EXPECT_EQ(std::to_string(body.at("id").as_int64()), sheets_got[0].event_id);
  EXPECT_EQ(body.at("data").at("phone").as_string(), "+4915112345678");
  EXPECT_EQ(body.at("data").at("keyword").as_string(), "STOP");

  const auto crm_got = crm.Accepted();
  const auto campaign = std::find_if(crm_got.begin(), crm_got.end(), [](const auto& hook) {
    return hook.event == "campaign.state";
  });
  ASSERT_NE(campaign, crm_got.end());
  const json::object data = json::parse(campaign->body).at("data").as_object();
  EXPECT_EQ(data.at("campaign_id").as_int64(), 7);
  EXPECT_EQ(data.at("state").as_string(), "paused");
  EXPECT_EQ(data.at("previous_state").as_string(), "running");

  ASSERT_TRUE(Eventually([&] {
    const auto views = Endpoints();
    return views.size() == 2 && views[0].delivered == 2 && views[1].delivered == 1 &&
           views[0].pending == 0;
  }));
  EXPECT_EQ(service_->stats().failed, 0u);
}

TEST_F(EventHooksTest, ATamperedBodyOrAnotherSecretFailsTheReceiversCheck) {
  // The receiver's own check, so that the tests above cannot pass with a check that accepts all.
  const std::string body = R"({"id":1,"kind":"campaign.state","data":{}})";
  const std::string good = HookReceiver::Sign(kSecret, "1800000000", body);
  EXPECT_NE(good, HookReceiver::Sign(kSecret, "1800000001", body));
  EXPECT_NE(good, HookReceiver::Sign("another-secret", "1800000000", body));
  EXPECT_NE(good, HookReceiver::Sign(kSecret, "1800000000", body + " "));

  HookReceiver crm("not-the-secret-herald-has");
  StartService({{"crm", Endpoint(crm.url())}});
  StageInJob(CampaignStateEvent(CampaignId{1}, "c", "running", "draft", "", "ops", clock_.Now()));
  ASSERT_TRUE(crm.WaitForReceived(1));
  EXPECT_FALSE(crm.Received()[0].signature_valid);
  EXPECT_EQ(crm.Received()[0].answered, 401);
}

TEST_F(EventHooksTest, AReceiverFailingTwiceGetsTheEventOnTheThirdAttempt) {
  HookReceiver crm(kSecret);
  crm.SetFailFirst(2);
  StartService({{"crm", Endpoint(crm.url())}});
  StageInJob(CampaignStateEvent(CampaignId{2}, "c", "running", "draft", "", "ops", clock_.Now()));

  ASSERT_TRUE(crm.WaitForAccepted(1));
  const auto received = crm.Received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].answered, 500);
  EXPECT_EQ(received[1].answered, 500);
  EXPECT_EQ(received[2].attempt, "3");
  // The same bytes every attempt (signed anew each time).
  EXPECT_EQ(received[0].body, received[2].body);
  ASSERT_TRUE(Eventually([&] {
    const auto views = Endpoints();
    return views.size() == 1 && views[0].delivered == 1 && views[0].dead == 0 && !views[0].failing;
  }));
  EXPECT_EQ(Endpoints()[0].last_error, "HTTP 500");
  EXPECT_EQ(service_->stats().failed, 2u);
}

TEST_F(EventHooksTest, AnAlwaysFailingReceiverMakesADeadLetterThatAReplayDelivers) {
  HookReceiver crm(kSecret);
  crm.SetAlwaysFail(true);
  StartService({{"crm", Endpoint(crm.url())}});
  StageInJob(MessageBlockedEvent(DeliveryId{11}, CampaignId{4}, ContactId{5}, "+15550001111",
                                 "blocked:word:profanity:darn", clock_.Now()));

  ASSERT_TRUE(Eventually([&] { return Dead("crm").size() == 1; }));
  EXPECT_EQ(crm.Received().size(), 3u) << "max_attempts is 3";
  const HookDeliveryRecord dead = Dead("crm")[0];
  EXPECT_EQ(dead.kind, "message.blocked");
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_EQ(dead.last_error, "HTTP 500");
  EXPECT_TRUE(Dead("other").empty());

  // Replaying what is not dead, or what does not exist, is refused.
  auto missing = Wait<HookDeliveryRecord>(
      [this](Reply<HookDeliveryRecord> reply) { service_->Replay(999, reply); });
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  crm.SetAlwaysFail(false);
  auto replayed = Wait<HookDeliveryRecord>(
      [&](Reply<HookDeliveryRecord> reply) { service_->Replay(dead.id, reply); });
  ASSERT_TRUE(replayed.ok()) << replayed.error().ToString();
  EXPECT_EQ(replayed->state, HookDeliveryState::kPending);
  ASSERT_TRUE(crm.WaitForAccepted(1));
  EXPECT_EQ(json::parse(crm.Accepted()[0].body).at("data").at("reason").as_string(),
            "blocked:word:profanity:darn");
  ASSERT_TRUE(Eventually([&] { return Dead("crm").empty() && Endpoints()[0].delivered == 1; }));

  auto again = Wait<HookDeliveryRecord>(
      [&](Reply<HookDeliveryRecord> reply) { service_->Replay(dead.id, reply); });
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(EventHooksTest, ReplayingAnEndpointSendsEveryDeadLetterOfItAgain) {
  HookReceiver crm(kSecret);
  crm.SetAlwaysFail(true);
  auto endpoint = Endpoint(crm.url());
  endpoint.max_attempts = 1;
  StartService({{"crm", endpoint}});
  for (int i = 1; i <= 3; ++i) {
    StageInJob(CampaignStateEvent(CampaignId{i}, "c", "running", "draft", "", "ops", clock_.Now()));
  }
  ASSERT_TRUE(Eventually([&] { return Dead("crm").size() == 3; }));
  crm.SetAlwaysFail(false);
  auto count =
      Wait<std::size_t>([&](Reply<std::size_t> reply) { service_->ReplayEndpoint("crm", reply); });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3u);
  ASSERT_TRUE(crm.WaitForAccepted(3));
  auto unknown =
      Wait<std::size_t>([&](Reply<std::size_t> reply) { service_->ReplayEndpoint("nope", reply); });
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(EventHooksTest, WhatWasPendingAtAStopIsDeliveredAfterTheRestart) {
  HookReceiver crm(kSecret);
  crm.SetAlwaysFail(true);
  auto endpoint = Endpoint(crm.url());
  endpoint.max_attempts = 1000;
  endpoint.retry_base = milliseconds(10);
  endpoint.retry_max = milliseconds(10);
  StartService({{"crm", endpoint}});
  StageInJob(CampaignStateEvent(CampaignId{1}, "c", "running", "draft", "", "ops", clock_.Now()));
  ASSERT_TRUE(crm.WaitForReceived(1));
  service_->Stop();
  service_.reset();
  // Staged while no service sends: it waits in the outbox too.
  {
    HookService idle(*store_, clock_, {{"crm", endpoint}});
    Status done = store_->SubmitAndWait([&](storage::UnitOfWork& work) {
      return idle.Stage(
          work,
          CampaignStateEvent(CampaignId{2}, "c", "paused", "running", "", "ops", clock_.Now()),
          clock_.Now());
    });
    ASSERT_TRUE(done.ok());
  }
  crm.SetAlwaysFail(false);
  const std::size_t before = crm.Accepted().size();
  EXPECT_EQ(before, 0u);
  StartService({{"crm", endpoint}});
  ASSERT_TRUE(crm.WaitForAccepted(2));
  std::set<std::string> ids;
  for (const auto& hook : crm.Accepted()) ids.insert(hook.event_id);
  EXPECT_EQ(ids.size(), 2u);
}

TEST_F(EventHooksTest, EventsOfARemovedEndpointBecomeDeadLettersAtStart) {
  HookReceiver crm(kSecret);
  {
    HookService before(*store_, clock_, {{"old", Endpoint(crm.url())}});
    Status done = store_->SubmitAndWait([&](storage::UnitOfWork& work) {
      return before.Stage(
          work, CampaignStateEvent(CampaignId{1}, "c", "running", "draft", "", "ops", clock_.Now()),
          clock_.Now());
    });
    ASSERT_TRUE(done.ok());
  }
  StartService({{"crm", Endpoint(crm.url())}});
  const auto dead = Dead("old");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].last_error, "the endpoint is no longer configured");
  auto replay = Wait<HookDeliveryRecord>(
      [&](Reply<HookDeliveryRecord> reply) { service_->Replay(dead[0].id, reply); });
  EXPECT_EQ(replay.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(EventHooksTest, AnEndpointWithoutASecretDoesNotStart) {
  HookService service(*store_, clock_, {{"crm", Endpoint("https://crm.example.com/")}});
  Status started = service.Start({});
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().field, "hooks.crm.secret_file");
}

TEST_F(EventHooksTest, AnEventNobodySubscribesToStoresNothing) {
  HookReceiver crm(kSecret);
  auto endpoint = Endpoint(crm.url());
  endpoint.events = {"campaign.state"};
  StartService({{"crm", endpoint}});
  StageInJob(ContactOptedOutEvent(ContactId{1}, "+15550001111", "webhook", "STOP", clock_.Now()));
  StageInJob(CampaignStateEvent(CampaignId{1}, "c", "running", "draft", "", "ops", clock_.Now()));
  ASSERT_TRUE(crm.WaitForAccepted(1));
  ASSERT_TRUE(Eventually([&] { return Endpoints()[0].delivered == 1; }));
  EXPECT_EQ(Endpoints()[0].pending, 0);
  EXPECT_EQ(crm.Received().size(), 1u);
  EXPECT_EQ(crm.Received()[0].event, "campaign.state");
}

}  // namespace
}  // namespace herald::app
