// `herald senders` end to end: RunCli in-process against a real loopback HTTP server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_daemon.h"
#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSender[] =
    R"({"phone_number_id":"1065","display_phone_number":"+49 30 1234","portfolio":"acme",)"
    R"("messaging_limit_tier":"TIER_2K","throughput":80.0,"quality":"GREEN","state":"paused",)"
    R"("state_reason":"review","pacing":{"level_per_s":80,"allowed_per_s":40,)"
    R"("backlog":12,"slowed_by":"backoff:130429","slowed_until":"2026-12-04T10:00:05.000Z"}})";

CliRun Herald(const TestHttpServer& server, std::vector<std::string> args) {
  args.insert(args.begin(), {"--url", server.url()});
  return RunHerald(std::move(args), {{"HERALD_TOKEN", kToken}, {"USER", "alice"}});
}

TEST(SendersAdd, PostsTheIssuesFieldNames) {
  TestHttpServer server(FakeApi({{"POST /v1/senders", {{201, kSender}}}}));
  CliRun run = Herald(server, {"senders", "add", "1065", "--display", "+49 30 1234", "--portfolio",
                               "acme", "--tier", "TIER_2K", "--throughput", "80", "--warmup"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(boost::json::parse(server.requests().at(0).body),
            boost::json::parse(R"({"phone_number_id":"1065","display_phone_number":"+49 30 1234",)"
                               R"("portfolio":"acme","messaging_limit_tier":"TIER_2K",)"
                               R"("throughput":80.0,"warmup":true})"));
  EXPECT_THAT(run.out, HasSubstr("sender      1065 (+49 30 1234)"));
}

TEST(SendersShow, SaysWhyTheNumberIsSlowed) {
  TestHttpServer server(FakeApi({{"GET /v1/senders/1065", {{200, kSender}}}}));
  CliRun run = Herald(server, {"senders", "show", "1065"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("state       paused (review)"));
  EXPECT_THAT(run.out, HasSubstr("pacing      40 of 80 msg/s, backlog 12, slowed by "
                                 "backoff:130429 until 2026-12-04T10:00:05.000Z"));
}

TEST(SendersList, PrintsATable) {
  TestHttpServer server(
      FakeApi({{"GET /v1/senders", {{200, std::string(R"({"senders":[)") + kSender + "]}"}}}}));
  CliRun run = Herald(server, {"senders", "list"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("PHONE_NUMBER_ID"));
  EXPECT_THAT(run.out, HasSubstr("TIER_2K"));
}

TEST(SendersPauseResume, PatchTheStateWithTheReason) {
  TestHttpServer server(FakeApi({{"PATCH /v1/senders/1065", {{200, kSender}, {200, kSender}}}}));
  EXPECT_EQ(Herald(server, {"senders", "pause", "1065", "--reason", "review"}).exit_code, 0);
  EXPECT_EQ(Herald(server, {"senders", "resume", "1065"}).exit_code, 0);
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(boost::json::parse(server.requests().at(0).body),
            boost::json::parse(R"({"state":"paused","reason":"review"})"));
  EXPECT_EQ(boost::json::parse(server.requests().at(1).body),
            boost::json::parse(R"({"state":"active"})"));
}

TEST(SendersShow, AnUnknownNumberFailsWithTheDaemonsMessage) {
  TestHttpServer server(FakeApi(
      {{"GET /v1/senders/9",
        {{404, R"({"error":{"code":"not_found","message":"no sender with phone_number_id 9",)"
               R"("field":"phone_number_id"}})"}}}}));
  CliRun run = Herald(server, {"senders", "show", "9"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("no sender with phone_number_id 9"));
}

}  // namespace
}  // namespace herald::cli::testing
