// The cloud_api provider against the fake Cloud API server on loopback: answers, each platform
// error, server errors, timeouts, dropped connections, nothing listening, many sends at once,
// connection reuse, Stop, and the rules on base URLs and tokens.
#include "provider/cloud_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <set>

#include "tests/provider/provider_test_util.h"
#include "tests/support/fake_cloud_api.h"

namespace herald::provider {
namespace {

using namespace std::chrono_literals;
using herald::testing::FakeCloudApi;
using herald::testing::FakeCloudApiFaults;
using herald::testing::FakeCloudApiLimits;
using herald::testing::FakeCloudApiOptions;
using ::testing::HasSubstr;
using testing::RunUntil;
using testing::TemplateMessage;
using testing::TextMessage;

class CloudApiTest : public ::testing::Test {
 protected:
  FakeCloudApi& StartServer(FakeCloudApiOptions options = {}) {
    server_ = std::make_unique<FakeCloudApi>(std::move(options));
    return *server_;
  }
  CloudApiOptions Options() const {
    CloudApiOptions options;
    options.base_url = server_->base_url();
    options.access_token = server_->token();
    options.max_in_flight = 64;
    options.request_timeout = 10s;
    options.connect_timeout = 2s;
    return options;
  }
  CloudApiProvider& StartProvider(CloudApiOptions options) {
    auto created = CloudApiProvider::Create(io_, std::move(options));
    if (!created) throw std::runtime_error(created.error().ToString());
    provider_ = std::move(created).value();
    return *provider_;
  }
  CloudApiProvider& StartProvider() { return StartProvider(Options()); }

  // Sends every message at once; each result, after checking that each `done` ran exactly once.
  std::vector<SendResult> SendAll(const std::vector<Message>& messages) {
    std::vector<std::optional<SendResult>> results(messages.size());
    std::vector<int> calls(messages.size(), 0);
    bool inside_send = false;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      inside_send = true;
      provider_->Send(messages[i], [&, i](SendResult result) {
        EXPECT_FALSE(inside_send) << "done ran inside Send";
        ++calls[i];
        results[i] = std::move(result);
      });
      inside_send = false;
    }
    const bool finished = RunUntil(io_, [&] {
      return std::all_of(results.begin(), results.end(), [](const auto& r) { return r; });
    });
    EXPECT_TRUE(finished) << "not every send was answered";
    testing::RunFor(io_, 5ms);  // a second call would show now
    std::vector<SendResult> answered;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      EXPECT_EQ(calls[i], 1) << "message " << i;
      answered.push_back(results[i].value_or(SendResult{}));
    }
    return answered;
  }
  SendResult SendOne(const Message& message) { return SendAll({message}).front(); }

  boost::asio::io_context io_;
  std::unique_ptr<FakeCloudApi> server_;
  std::unique_ptr<CloudApiProvider> provider_;
};

TEST_F(CloudApiTest, AnAcceptedTemplateArrivesAsThePlatformsJson) {
  StartServer();
  StartProvider();
  const Message message = TemplateMessage("4915112345678", "delivery:42");
  const SendResult result = SendOne(message);
  ASSERT_EQ(result.outcome, Outcome::kAccepted) << result.detail;
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.message_status, "accepted");
  EXPECT_GT(result.latency.count(), 0);
  const auto received = server_->Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].message_id, result.message_id);
  EXPECT_EQ(received[0].phone_number_id, "1234567890");
  EXPECT_EQ(received[0].to, "4915112345678");
  EXPECT_EQ(received[0].template_name, "spring_sale");
  EXPECT_EQ(received[0].template_language, "de");
  EXPECT_EQ(received[0].callback_data, "delivery:42");
  EXPECT_EQ(received[0].body, ToCloudApiJson(message));
  EXPECT_EQ(provider_->in_flight(), 0u);
}

TEST_F(CloudApiTest, AnAcceptedTextMessage) {
  StartServer();
  StartProvider();
  const SendResult result = SendOne(TextMessage("4915112345678", "Hallo 👋"));
  ASSERT_EQ(result.outcome, Outcome::kAccepted) << result.detail;
  EXPECT_EQ(server_->Received().at(0).text, "Hallo 👋");
}

TEST_F(CloudApiTest, HeldForQualityAssessmentIsAcceptedWithItsStatus) {
  StartServer({.faults = {.held_rate = 1.0}});
  StartProvider();
  const SendResult result = SendOne(TemplateMessage("4915112345678"));
  EXPECT_EQ(result.outcome, Outcome::kAccepted);
  EXPECT_EQ(result.message_status, "held_for_quality_assessment");
}

TEST_F(CloudApiTest, AWrongTokenIsRejectedWith190) {
  StartServer();
  CloudApiOptions options = Options();
  options.access_token = "not-the-token";
  StartProvider(options);
  const SendResult result = SendOne(TemplateMessage("4915112345678"));
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_EQ(result.http_status, 401);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, 190);
  EXPECT_THAT(result.detail, ::testing::Not(HasSubstr("not-the-token")));
}

TEST_F(CloudApiTest, ThroughputAbovePerNumberLimitIs130429WithRetryAfter) {
  StartServer({.limits = {.throughput_per_second = 3}});
  StartProvider();
  std::vector<Message> messages;
  for (int i = 0; i < 10; ++i)
    messages.push_back(TemplateMessage("49151000000" + std::to_string(i)));
  std::size_t accepted = 0;
  std::size_t throttled = 0;
  for (const SendResult& result : SendAll(messages)) {
    if (result.outcome == Outcome::kAccepted) ++accepted;
    if (result.error && result.error->code == 130429) {
      ++throttled;
      EXPECT_EQ(result.http_status, 400);
      EXPECT_EQ(result.retry_after, std::chrono::milliseconds(1s));
      EXPECT_EQ(result.error->details, "Cloud API message throughput has been reached.");
    }
  }
  EXPECT_LE(accepted, 6u) << "at most two one-second windows of 3";
  EXPECT_EQ(accepted + throttled, 10u);
}

TEST_F(CloudApiTest, ASecondMessageToTheSameRecipientIsPairRateLimited) {
  StartServer({.limits = {.pair_interval = 60s}});
  StartProvider();
  EXPECT_EQ(SendOne(TemplateMessage("4915112345678")).outcome, Outcome::kAccepted);
  const SendResult second = SendOne(TemplateMessage("4915112345678"));
  EXPECT_EQ(second.outcome, Outcome::kRejected);
  ASSERT_TRUE(second.error);
  EXPECT_EQ(second.error->code, 131056);
  EXPECT_EQ(SendOne(TemplateMessage("4915112345679")).outcome, Outcome::kAccepted)
      << "another recipient is not limited";
}

TEST_F(CloudApiTest, NewRecipientsBeyondThePortfoliosTierAreRefused) {
  StartServer({.limits = {.tier_limit = 2}});
  StartProvider();
  EXPECT_EQ(SendOne(TemplateMessage("491510000001")).outcome, Outcome::kAccepted);
  EXPECT_EQ(SendOne(TemplateMessage("491510000002")).outcome, Outcome::kAccepted);
  const SendResult third = SendOne(TemplateMessage("491510000003"));
  EXPECT_EQ(third.outcome, Outcome::kRejected);
  ASSERT_TRUE(third.error);
  EXPECT_EQ(third.error->code, 131049);
  EXPECT_EQ(SendOne(TemplateMessage("491510000001")).outcome, Outcome::kAccepted)
      << "a recipient already counted in the window is not a new one";
}

TEST_F(CloudApiTest, ALimitChangedMidRunAppliesToTheNextRequests) {
  StartServer();
  StartProvider();
  std::vector<Message> messages;
  for (int i = 0; i < 20; ++i)
    messages.push_back(TemplateMessage("4915200000" + std::to_string(i)));
  for (const SendResult& result : SendAll(messages)) EXPECT_EQ(result.outcome, Outcome::kAccepted);
  server_->SetLimits({.throughput_per_second = 1});
  std::size_t throttled = 0;
  for (const SendResult& result : SendAll(messages)) {
    throttled += result.error && result.error->code == 130429 ? 1 : 0;
  }
  EXPECT_GE(throttled, 17u);
}

TEST_F(CloudApiTest, AServerErrorWithoutABodyIsRejectedWithItsStatus) {
  StartServer({.faults = {.server_error_rate = 1.0, .server_error_status = 503}});
  StartProvider();
  const SendResult result = SendOne(TemplateMessage("4915112345678"));
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_EQ(result.http_status, 503);
  EXPECT_FALSE(result.error.has_value());
}

TEST_F(CloudApiTest, AServerErrorWithTheErrorObjectIsRejectedWithItsCode) {
  StartServer(
      {.faults = {
           .server_error_rate = 1.0, .server_error_status = 500, .server_error_body = true}});
  StartProvider();
  const SendResult result = SendOne(TemplateMessage("4915112345678"));
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_EQ(result.http_status, 500);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, 1);
}

TEST_F(CloudApiTest, ATimeoutAfterTheRequestLeftIsUncertain) {
  StartServer({.faults = {.timeout_rate = 1.0}});
  CloudApiOptions options = Options();
  options.request_timeout = 1s;
  StartProvider(options);
  const SendResult result = SendOne(TemplateMessage("4915112345678"));
  EXPECT_EQ(result.outcome, Outcome::kUncertain) << result.detail;
  EXPECT_EQ(result.http_status, 0);
  EXPECT_THAT(result.detail, HasSubstr("curl"));
  EXPECT_GE(result.latency, 1s);
  EXPECT_EQ(server_->RequestsFor("4915112345678"), 1u);
}

TEST_F(CloudApiTest, ADroppedConnectionIsUncertain) {
  StartServer({.faults = {.drop_rate = 1.0}});
  StartProvider();
  const SendResult result = SendOne(TemplateMessage("4915112345678"));
  EXPECT_EQ(result.outcome, Outcome::kUncertain) << result.detail;
  EXPECT_EQ(server_->RequestsFor("4915112345678"), 1u);
}

// libcurl re-sends a request by itself when a reused connection dies before any answer; the
// platform may have taken the first one, so that must not happen (cloud_api.h, "At most once").
TEST_F(CloudApiTest, ARequestOnAReusedConnectionIsNeverSentTwice) {
  StartServer();
  CloudApiOptions options = Options();
  options.max_in_flight = 1;
  StartProvider(options);
  ASSERT_EQ(SendOne(TemplateMessage("491510000001")).outcome, Outcome::kAccepted);
  server_->SetFaults({.drop_rate = 1.0});
  const SendResult dropped = SendOne(TemplateMessage("491510000002"));
  EXPECT_EQ(dropped.outcome, Outcome::kUncertain) << dropped.detail;
  // libcurl did try again on a new connection, and was stopped before it sent anything.
  EXPECT_THAT(dropped.detail, HasSubstr("pre-request callback"));
  server_->SetFaults({});
  ASSERT_EQ(SendOne(TemplateMessage("491510000003")).outcome, Outcome::kAccepted);
  EXPECT_EQ(server_->RequestsFor("491510000002"), 1u);
  EXPECT_EQ(server_->Stats().requests, 3u);
}

TEST_F(CloudApiTest, AnAnswerLostAfterTheMessageWasTakenIsUncertainAndNotSentAgain) {
  StartServer({.faults = {.lost_answer_rate = 1.0}});
  CloudApiOptions options = Options();
  options.max_in_flight = 1;
  StartProvider(options);
  server_->SetFaults({});
  ASSERT_EQ(SendOne(TemplateMessage("491510000001")).outcome, Outcome::kAccepted);
  server_->SetFaults({.lost_answer_rate = 1.0});
  const SendResult lost = SendOne(TemplateMessage("491510000002"));
  EXPECT_EQ(lost.outcome, Outcome::kUncertain) << lost.detail;
  EXPECT_EQ(server_->RequestsFor("491510000002"), 1u);
  EXPECT_EQ(server_->Received().size(), 2u) << "the platform took it: only a webhook can tell";
}

TEST_F(CloudApiTest, NothingListeningIsNotSent) {
  boost::asio::io_context scratch;
  boost::asio::ip::tcp::acceptor closed(scratch, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = closed.local_endpoint().port();
  closed.close();  // a port nobody listens on
  StartServer();
  CloudApiOptions options = Options();
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  StartProvider(options);
  const SendResult result = SendOne(TemplateMessage("4915112345678"));
  EXPECT_EQ(result.outcome, Outcome::kNotSent) << result.detail;
  EXPECT_THAT(result.detail, HasSubstr("curl"));
}

TEST_F(CloudApiTest, AFailedTlsHandshakeIsNotSent) {
  StartServer();
  CloudApiOptions options = Options();
  options.base_url = "https://127.0.0.1:" + std::to_string(server_->port());  // it speaks http
  StartProvider(options);
  const SendResult result = SendOne(TemplateMessage("4915112345678"));
  EXPECT_EQ(result.outcome, Outcome::kNotSent) << result.detail;
  EXPECT_EQ(server_->Stats().requests, 0u);
}

TEST_F(CloudApiTest, ManyConcurrentSendsAreEachAnsweredOnceOverFewConnections) {
  StartServer();
  StartProvider();  // max_in_flight 64
  std::vector<Message> messages;
  for (int i = 0; i < 2000; ++i) {
    messages.push_back(TemplateMessage("49170" + std::to_string(1000000 + i), std::to_string(i)));
  }
  const std::vector<SendResult> results = SendAll(messages);
  std::set<std::string> ids;
  for (const SendResult& result : results) {
    ASSERT_EQ(result.outcome, Outcome::kAccepted) << result.detail;
    ids.insert(result.message_id);
  }
  EXPECT_EQ(ids.size(), 2000u);
  EXPECT_EQ(server_->Received().size(), 2000u);
  for (const auto& [to, requests] : server_->RequestsByRecipient()) EXPECT_EQ(requests, 1u) << to;
  EXPECT_LE(server_->Stats().connections, 64u);
  EXPECT_EQ(provider_->in_flight(), 0u);
}

TEST_F(CloudApiTest, SequentialSendsReuseOneKeptAliveConnection) {
  StartServer();
  StartProvider();
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(SendOne(TemplateMessage("4915300" + std::to_string(i))).outcome, Outcome::kAccepted);
  }
  EXPECT_EQ(server_->Stats().connections, 1u);
}

TEST_F(CloudApiTest, SendsBeyondMaxInFlightWaitForASlot) {
  StartServer({.faults = {.latency = 50ms}});
  CloudApiOptions options = Options();
  options.max_in_flight = 4;
  StartProvider(options);
  std::vector<Message> messages;
  for (int i = 0; i < 12; ++i) messages.push_back(TemplateMessage("4915400" + std::to_string(i)));
  std::size_t answered = 0;
  for (const Message& message : messages) provider_->Send(message, [&](SendResult) { ++answered; });
  EXPECT_EQ(provider_->in_flight(), 12u);
  EXPECT_EQ(provider_->transfers(), 4u);
  EXPECT_EQ(provider_->waiting(), 8u);
  ASSERT_TRUE(RunUntil(io_, [&] { return answered == 12; }));
  EXPECT_LE(server_->Stats().connections, 4u);
}

TEST_F(CloudApiTest, ASendWhoseTimeoutPassesWhileWaitingForASlotIsNotSent) {
  StartServer({.faults = {.timeout_rate = 1.0}});
  CloudApiOptions options = Options();
  options.max_in_flight = 1;
  options.request_timeout = 1s;
  StartProvider(options);
  const auto results = SendAll({TemplateMessage("491510000001"), TemplateMessage("491510000002")});
  EXPECT_EQ(results[0].outcome, Outcome::kUncertain);
  EXPECT_EQ(results[1].outcome, Outcome::kNotSent) << results[1].detail;
  EXPECT_EQ(server_->RequestsFor("491510000002"), 0u);
}

TEST_F(CloudApiTest, StopEndsOpenRequestsAsUncertainAndWaitingOnesAsNotSent) {
  StartServer({.faults = {.timeout_rate = 1.0}});
  CloudApiOptions options = Options();
  options.max_in_flight = 2;
  StartProvider(options);
  std::vector<std::optional<SendResult>> results(5);
  for (int i = 0; i < 5; ++i) {
    provider_->Send(TemplateMessage("4915500" + std::to_string(i)),
                    [&results, i](SendResult result) { results[i] = std::move(result); });
  }
  ASSERT_TRUE(RunUntil(io_, [&] { return server_->Stats().requests == 2; }));
  provider_->Stop();
  EXPECT_EQ(provider_->in_flight(), 0u);
  ASSERT_TRUE(RunUntil(io_, [&] {
    return std::all_of(results.begin(), results.end(), [](const auto& r) { return r; });
  }));
  EXPECT_EQ(results[0]->outcome, Outcome::kUncertain);
  EXPECT_EQ(results[1]->outcome, Outcome::kUncertain);
  for (int i = 2; i < 5; ++i) EXPECT_EQ(results[i]->outcome, Outcome::kNotSent);

  std::optional<SendResult> after;
  provider_->Send(TemplateMessage("491550000099"), [&](SendResult r) { after = std::move(r); });
  ASSERT_TRUE(RunUntil(io_, [&] { return after.has_value(); }));
  EXPECT_EQ(after->outcome, Outcome::kNotSent);
  provider_->Stop();  // idempotent
}

TEST_F(CloudApiTest, DestroyingTheProviderWithOpenRequestsIsSafe) {
  StartServer({.faults = {.timeout_rate = 1.0}});
  StartProvider();
  int answered = 0;
  for (int i = 0; i < 10; ++i) {
    provider_->Send(TemplateMessage("4915600" + std::to_string(i)),
                    [&](SendResult) { ++answered; });
  }
  ASSERT_TRUE(RunUntil(io_, [&] { return server_->Stats().requests == 10; }));
  provider_.reset();
  ASSERT_TRUE(RunUntil(io_, [&] { return answered == 10; }));
  testing::RunFor(io_, 50ms);
}

TEST_F(CloudApiTest, PlainHttpToAHostThatIsNotLoopbackIsRefused) {
  for (const char* url : {"http://graph.facebook.com", "http://10.1.2.3:8080", "ftp://127.0.0.1"}) {
    CloudApiOptions options;
    options.base_url = url;
    options.access_token = "token";
    const auto created = CloudApiProvider::Create(io_, options);
    ASSERT_FALSE(created.ok()) << url;
    EXPECT_EQ(created.error().field, "provider.cloud_api.base_url");
  }
  CloudApiOptions options;
  options.access_token = "token";
  EXPECT_TRUE(CloudApiProvider::Create(io_, options).ok()) << "https://graph.facebook.com";
}

TEST_F(CloudApiTest, AnEmptyOrMultiLineTokenIsRefused) {
  for (const char* token : {"", "two words", "line\r\nX-Injected: 1"}) {
    CloudApiOptions options;
    options.access_token = token;
    const auto created = CloudApiProvider::Create(io_, options);
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().field, "provider.cloud_api.access_token_file");
  }
}

TEST_F(CloudApiTest, AnInvalidPhoneNumberIdIsNotSent) {
  StartServer();
  StartProvider();
  Message message = TemplateMessage("4915112345678");
  message.phone_number_id = "123/../../me";
  EXPECT_EQ(SendOne(message).outcome, Outcome::kNotSent);
  EXPECT_EQ(server_->Stats().requests, 0u);
}

}  // namespace
}  // namespace herald::provider
