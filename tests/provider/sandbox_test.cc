// The sandbox: the platform's answers and limits, its statuses as the platform's webhook JSON,
// the same outcomes for the same seed, and Stop.
#include "provider/sandbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <malloc.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "provider/factory.h"
#include "tests/provider/provider_test_util.h"
#include "tests/support/fixed_clock.h"

namespace herald::provider {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::RunUntil;
using testing::TemplateMessage;

const SysTime kStart{std::chrono::sys_days{std::chrono::year{2026} / 11 / 6} + 9h};

config::SandboxConfig FastConfig() {
  config::SandboxConfig config;
  config.latency = 1ms;
  config.status_delay = 1ms;
  config.throughput = 100000;
  config.pair_interval = 0ms;
  return config;
}

// A sandbox, its io_context, clock and the webhook bodies it produced.
class SandboxRun {
 public:
  explicit SandboxRun(config::SandboxConfig config, SandboxLimits limits = {})
      : clock_(kStart),
        sandbox_(
            io_, config, [this](std::string body) { webhooks_.push_back(std::move(body)); }, clock_,
            limits) {}

  std::vector<SendResult> SendAll(const std::vector<Message>& messages) {
    std::vector<std::optional<SendResult>> results(messages.size());
    bool inside_send = false;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      inside_send = true;
      sandbox_.Send(messages[i], [&, i](SendResult result) {
        EXPECT_FALSE(inside_send);
        EXPECT_FALSE(results[i].has_value()) << "done ran twice";
        results[i] = std::move(result);
      });
      inside_send = false;
    }
    EXPECT_TRUE(RunUntil(io_, [&] {
      return std::all_of(results.begin(), results.end(), [](const auto& r) { return r; });
    }));
    std::vector<SendResult> answered;
    for (auto& result : results) answered.push_back(result.value_or(SendResult{}));
    return answered;
  }
  // Runs until no webhook came for a while.
  void Settle() {
    std::size_t seen = webhooks_.size();
    for (;;) {
      testing::RunFor(io_, 50ms);
      if (webhooks_.size() == seen) return;
      seen = webhooks_.size();
    }
  }

  boost::asio::io_context io_;
  herald::testing::FixedClock clock_;
  std::vector<std::string> webhooks_;
  SandboxProvider sandbox_;
};

std::vector<Message> Recipients(int count) {
  std::vector<Message> messages;
  for (int i = 0; i < count; ++i) {
    messages.push_back(TemplateMessage("4916" + std::to_string(10000000 + i), std::to_string(i)));
  }
  return messages;
}

// The statuses[0] or messages[0] of a webhook body, after checking the envelope.
json::object Change(const std::string& body) {
  const json::value root = json::parse(body);
  EXPECT_EQ(root.at("object"), "whatsapp_business_account");
  const json::value& entry = root.at("entry").at(0);
  EXPECT_TRUE(entry.at("id").is_string());
  const json::value& change = entry.at("changes").at(0);
  EXPECT_EQ(change.at("field"), "messages");
  const json::object& value = change.at("value").as_object();
  EXPECT_EQ(value.at("messaging_product"), "whatsapp");
  EXPECT_EQ(value.at("metadata").at("phone_number_id"), "1234567890");
  EXPECT_TRUE(value.at("metadata").at("display_phone_number").is_string());
  return value;
}

TEST(Sandbox, TheSameSeedGivesTheSameAnswersAndWebhooks) {
  config::SandboxConfig config = FastConfig();
  config.seed = 7;
  config.transient_error_rate = 0.1;
  config.undeliverable_rate = 0.2;
  config.reply_rate = 0.5;
  SandboxRun first(config);
  SandboxRun second(config);
  const auto a = first.SendAll(Recipients(300));
  const auto b = second.SendAll(Recipients(300));
  first.Settle();
  second.Settle();
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].outcome, b[i].outcome);
    EXPECT_EQ(a[i].message_id, b[i].message_id);
  }
  std::sort(first.webhooks_.begin(), first.webhooks_.end());
  std::sort(second.webhooks_.begin(), second.webhooks_.end());
  EXPECT_EQ(first.webhooks_, second.webhooks_);
  EXPECT_GT(first.webhooks_.size(), 600u);

  config.seed = 8;
  SandboxRun other(config);
  const auto c = other.SendAll(Recipients(300));
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i].message_id == c[i].message_id ? 1 : 0;
  EXPECT_LT(same, 300u);
}

TEST(Sandbox, StatusesAreThePlatformsWebhookJsonInOrder) {
  config::SandboxConfig config = FastConfig();
  config.undeliverable_rate = 0;
  config.read_rate = 1;
  config.reply_rate = 1;
  config.stop_rate = 1;
  SandboxRun run(config);
  const auto results = run.SendAll({TemplateMessage("4915112345678", "delivery:42")});
  ASSERT_EQ(results[0].outcome, Outcome::kAccepted);
  EXPECT_THAT(results[0].message_id, ::testing::StartsWith("wamid."));
  run.Settle();
  ASSERT_EQ(run.webhooks_.size(), 4u);
  std::vector<std::string> statuses;
  for (int i = 0; i < 3; ++i) {
    const json::object value = Change(run.webhooks_[i]);
    const json::value& status = value.at("statuses").at(0);
    statuses.emplace_back(status.at("status").as_string());
    EXPECT_EQ(status.at("id"), results[0].message_id.c_str());
    EXPECT_EQ(status.at("recipient_id"), "4915112345678");
    EXPECT_EQ(status.at("biz_opaque_callback_data"), "delivery:42");
    EXPECT_EQ(status.at("timestamp"), "1793955600") << "unix seconds of the clock, as a string";
    EXPECT_EQ(status.at("pricing").at("pricing_model"), "PMP");
    EXPECT_EQ(status.at("pricing").at("category"), "marketing");
    EXPECT_EQ(status.at("pricing").at("billable"), true);
  }
  EXPECT_THAT(statuses, ElementsAre("sent", "delivered", "read"));
  const json::object reply = Change(run.webhooks_[3]);
  EXPECT_EQ(reply.at("contacts").at(0).at("wa_id"), "4915112345678");
  const json::value& inbound = reply.at("messages").at(0);
  EXPECT_EQ(inbound.at("from"), "4915112345678");
  EXPECT_EQ(inbound.at("type"), "text");
  EXPECT_EQ(inbound.at("text").at("body"), "STOP");
  EXPECT_EQ(inbound.at("context").at("id"), results[0].message_id.c_str());
}

TEST(Sandbox, AnUndeliverableMessageFailsWith131026) {
  config::SandboxConfig config = FastConfig();
  config.undeliverable_rate = 1;
  SandboxRun run(config);
  ASSERT_EQ(run.SendAll({TemplateMessage("4915112345678")})[0].outcome, Outcome::kAccepted);
  run.Settle();
  ASSERT_EQ(run.webhooks_.size(), 2u);
  const json::object value = Change(run.webhooks_[1]);
  const json::value& failed = value.at("statuses").at(0);
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_FALSE(failed.as_object().contains("pricing")) << "a failed message is not billed";
  EXPECT_EQ(failed.at("errors").at(0).at("code"), 131026);
  EXPECT_TRUE(failed.at("errors").at(0).at("error_data").at("details").is_string());
}

TEST(Sandbox, FreeFormTextIsPricedAsFreeService) {
  SandboxRun run(FastConfig());
  ASSERT_EQ(run.SendAll({testing::TextMessage("4915112345678", "hi")})[0].outcome,
            Outcome::kAccepted);
  run.Settle();
  const json::object value = Change(run.webhooks_.at(0));
  const json::value& sent = value.at("statuses").at(0);
  EXPECT_EQ(sent.at("pricing").at("billable"), false);
  EXPECT_EQ(sent.at("pricing").at("type"), "free_customer_service");
  EXPECT_FALSE(sent.as_object().contains("biz_opaque_callback_data")) << "none was given";
}

TEST(Sandbox, MoreThanThroughputPerSecondIsThrottledWith130429) {
  config::SandboxConfig config = FastConfig();
  config.throughput = 3;
  SandboxRun run(config);
  auto results = run.SendAll(Recipients(5));
  std::vector<Outcome> outcomes;
  for (const auto& result : results) outcomes.push_back(result.outcome);
  EXPECT_THAT(outcomes, ElementsAre(Outcome::kAccepted, Outcome::kAccepted, Outcome::kAccepted,
                                    Outcome::kRejected, Outcome::kRejected));
  EXPECT_EQ(results[3].error->code, 130429);
  EXPECT_EQ(results[3].http_status, 400);
  run.clock_.Set(kStart + 1s);
  EXPECT_EQ(run.SendAll(Recipients(1))[0].outcome, Outcome::kAccepted) << "a new second";
}

TEST(Sandbox, ASecondMessageToOneRecipientWithinThePairIntervalIs131056) {
  config::SandboxConfig config = FastConfig();
  config.pair_interval = 6s;
  SandboxRun run(config);
  EXPECT_EQ(run.SendAll({TemplateMessage("4915112345678")})[0].outcome, Outcome::kAccepted);
  run.clock_.Set(kStart + 5s);
  const auto second = run.SendAll({TemplateMessage("4915112345678")})[0];
  EXPECT_EQ(second.outcome, Outcome::kRejected);
  EXPECT_EQ(second.error->code, 131056);
  run.clock_.Set(kStart + 6s);
  EXPECT_EQ(run.SendAll({TemplateMessage("4915112345678")})[0].outcome, Outcome::kAccepted);
}

TEST(Sandbox, TransientErrorsAre131000WithHttp500) {
  config::SandboxConfig config = FastConfig();
  config.transient_error_rate = 1;
  SandboxRun run(config);
  const auto result = run.SendAll({TemplateMessage("4915112345678")})[0];
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_EQ(result.http_status, 500);
  EXPECT_EQ(result.error->code, 131000);
}

TEST(Sandbox, StopAnswersOpenSendsAsUncertainAndEndsTheWebhooks) {
  config::SandboxConfig config = FastConfig();
  config.latency = 10s;
  SandboxRun run(config);
  std::vector<Outcome> outcomes;
  for (const Message& message : Recipients(3)) {
    run.sandbox_.Send(message, [&](SendResult result) { outcomes.push_back(result.outcome); });
  }
  EXPECT_EQ(run.sandbox_.in_flight(), 3u);
  run.sandbox_.Stop();
  EXPECT_EQ(run.sandbox_.in_flight(), 0u);
  ASSERT_TRUE(RunUntil(run.io_, [&] { return outcomes.size() == 3; }));
  EXPECT_THAT(outcomes, ElementsAre(Outcome::kUncertain, Outcome::kUncertain, Outcome::kUncertain));
  EXPECT_EQ(run.SendAll(Recipients(1))[0].outcome, Outcome::kNotSent);
  testing::RunFor(run.io_, 50ms);
  EXPECT_TRUE(run.webhooks_.empty());
}

// A campaign's messages with statuses an hour away: the sandbox holds each one's statuses until
// then, so what it keeps per message bounds the daemon's memory (it held about 1 KB per message:
// a copy of the message, a closure and a wamid string per status).
TEST(Sandbox, PendingStatusesCostUnder320BytesPerMessage) {
  config::SandboxConfig config = FastConfig();
  config.status_delay = 1h;
  config.read_rate = 1;
  config.reply_rate = 1;  // four statuses each
  SandboxRun run(config);
  const std::vector<Message> messages = Recipients(20000);
  std::size_t answered = 0;
  const std::size_t heap_before = mallinfo2().uordblks;
  for (const Message& message : messages) {
    run.sandbox_.Send(message, [&](SendResult result) {
      EXPECT_EQ(result.outcome, Outcome::kAccepted);
      ++answered;
    });
  }
  ASSERT_TRUE(RunUntil(run.io_, [&] { return answered == messages.size(); }));
  const std::size_t heap_after = mallinfo2().uordblks;
  EXPECT_TRUE(run.webhooks_.empty()) << "the statuses are an hour away";
  const double per_message =
      static_cast<double>(heap_after - heap_before) / static_cast<double>(messages.size());
  EXPECT_LT(per_message, 320.0);
}

TEST(Sandbox, StatusesBeyondTheCapAreShedButEveryMessageIsAnswered) {
  config::SandboxConfig config = FastConfig();
  config.undeliverable_rate = 0;
  config.read_rate = 0;  // two statuses each: sent, delivered
  SandboxRun run(config, SandboxLimits{.max_pending_statuses = 3});
  for (const SendResult& result : run.SendAll(Recipients(5))) {
    EXPECT_EQ(result.outcome, Outcome::kAccepted);
  }
  EXPECT_EQ(run.sandbox_.shed_statuses(), 2u);
  run.Settle();
  EXPECT_EQ(run.webhooks_.size(), 6u) << "the statuses of the first three messages";
  EXPECT_EQ(run.sandbox_.pending_statuses(), 0u);
  // Their slots are free again.
  run.SendAll(Recipients(2));
  run.Settle();
  EXPECT_EQ(run.webhooks_.size(), 10u);
  EXPECT_EQ(run.sandbox_.shed_statuses(), 2u);
}

TEST(MakeProvider, BuildsTheKindTheConfigNames) {
  boost::asio::io_context io;
  herald::testing::FixedClock clock(kStart);
  config::ProviderConfig config;
  auto sandbox = MakeProvider(
      config, io, "", [](std::string) {}, clock);
  ASSERT_TRUE(sandbox.ok());
  EXPECT_EQ((*sandbox)->kind(), "sandbox");

  config.kind = config::ProviderKind::kCloudApi;
  auto cloud = MakeProvider(
      config, io, "a-token", [](std::string) {}, clock);
  ASSERT_TRUE(cloud.ok()) << cloud.error().ToString();
  EXPECT_EQ((*cloud)->kind(), "cloud_api");

  config.cloud_api.base_url = "http://example.com";
  auto refused = MakeProvider(
      config, io, "a-token", [](std::string) {}, clock);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "provider.cloud_api.base_url");
}

}  // namespace
}  // namespace herald::provider
