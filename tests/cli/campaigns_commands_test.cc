// `herald campaigns` and `herald messages` end to end: RunCli in-process against a real loopback
// HTTP server with canned answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_daemon.h"
#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {
namespace {

using ::testing::HasSubstr;

std::string Campaign(const char* state, int queued, int sent) {
  return std::string(R"({"id":7,"name":"Autumn","state":")") + state +
         R"(","state_reason":"","segment":"tag:vip","deliveries":{"queued":)" +
         std::to_string(queued) + R"(,"sending":0,"sent":)" + std::to_string(sent) +
         R"(,"skipped":1,"total":)" + std::to_string(queued + sent + 1) +
         R"(},"audience":{"size":)" + std::to_string(queued + sent + 1) +
         R"(,"complete":true},"rate":{"current":80,"allowed":80},"eta":null,)"
         R"("created_at":"2026-12-04T10:00:00.000Z"})";
}

CliRun Herald(const TestHttpServer& server, std::vector<std::string> args) {
  args.insert(args.begin(), {"--url", server.url()});
  return RunHerald(std::move(args), {{"HERALD_TOKEN", kToken}, {"USER", "alice"}});
}

boost::json::value Body(const TestHttpServer& server, std::size_t i = 0) {
  return boost::json::parse(server.requests().at(i).body);
}

TEST(CampaignsCreate, SendsTheIssuesFieldsAndStartsWhenAsked) {
  TestHttpServer server(
      FakeApi({{"POST /v1/campaigns", {{201, Campaign("draft", 0, 0)}}},
               {"POST /v1/campaigns/7/start", {{200, Campaign("running", 9, 0)}}}}));
  CliRun run = Herald(server, {"campaigns",
                               "create",
                               "Autumn",
                               "--segment",
                               "tag:vip",
                               "--template",
                               "promo",
                               "--language",
                               "de",
                               "--param",
                               "{{name}}",
                               "--param",
                               "{{attr.code|WELCOME}}",
                               "--header-param",
                               "Hi",
                               "--sender",
                               "1001",
                               "--start-at",
                               "2026-12-05T10:00:00",
                               "--timezone",
                               "Europe/Berlin",
                               "--end-by",
                               "2026-12-06T20:00:00Z",
                               "--spend-cap",
                               "150",
                               "--start"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Body(server),
            boost::json::parse(
                R"({"template":{"name":"promo","language":"de","parameters":{"body":["{{name}}",)"
                R"("{{attr.code|WELCOME}}"],"header":["Hi"]}},"name":"Autumn","segment":"tag:vip",)"
                R"("senders":["1001"],"start_at":"2026-12-05T10:00:00","timezone":"Europe/Berlin",)"
                R"("end_by":"2026-12-06T20:00:00Z","spend_cap":150.0})"));
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests().at(1).target, "/v1/campaigns/7/start");
  EXPECT_THAT(run.out, HasSubstr("state       running"));
}

TEST(CampaignsCreate, NamedParametersAndTextAndTheirMistakes) {
  TestHttpServer server(FakeApi({{"POST /v1/campaigns", {{201, Campaign("draft", 0, 0)}}}}));
  EXPECT_EQ(Herald(server, {"campaigns", "create", "A", "--segment", "tag:x", "--template", "t",
                            "--named-param", "first_name={{name}}"})
                .exit_code,
            0);
  EXPECT_EQ(Body(server).at("template").at("parameters"),
            boost::json::parse(R"({"body":{"first_name":"{{name}}"}})"));
  EXPECT_EQ(
      Herald(server, {"campaigns", "create", "B", "--segment", "tag:x", "--text", "Hi"}).exit_code,
      0);
  EXPECT_EQ(Body(server, 1).at("text"), "Hi");
  EXPECT_EQ(Herald(server, {"campaigns", "create", "C", "--segment", "tag:x"}).exit_code, 2);
  EXPECT_EQ(Herald(server, {"campaigns", "create", "D", "--segment", "tag:x", "--template", "t",
                            "--named-param", "novalue"})
                .exit_code,
            2);
}

TEST(CampaignsWatch, FollowsUntilCompletedWithOneLinePerChange) {
  TestHttpServer server(FakeApi({{"GET /v1/campaigns/7",
                                  {{200, Campaign("running", 9, 0)},
                                   {200, Campaign("running", 9, 0)},
                                   {200, Campaign("running", 4, 5)},
                                   {200, Campaign("completed", 0, 9)}}}}));
  CliRun run = Herald(server, {"campaigns", "watch", "7", "--interval-ms", "50"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(run.out);
  std::vector<std::string> seen;
  for (std::string line; std::getline(lines, line);) seen.push_back(line);
  ASSERT_EQ(seen.size(), 3u) << run.out;
  EXPECT_THAT(seen[0], HasSubstr("10% running: queued 9, skipped 1"));
  EXPECT_THAT(seen[2], HasSubstr("[####################] 100% completed"));
}

TEST(CampaignsWatch, ACancelledCampaignExitsWithOne) {
  TestHttpServer server(FakeApi({{"GET /v1/campaigns/7", {{200, Campaign("cancelled", 0, 3)}}}}));
  EXPECT_EQ(Herald(server, {"campaigns", "watch", "7"}).exit_code, 1);
}

TEST(CampaignsDeliveries, WritesTheExportToAFile) {
  const std::string csv = "delivery_id,phone,state\r\n1,+4915112345678,sent\r\n";
  TestHttpServer server(
      FakeApi({{"GET /v1/campaigns/7/deliveries?format=csv&state=sent", {{200, csv}}}}));
  TempDir dir;
  const std::string file = dir.path() + "/out.csv";
  CliRun run =
      Herald(server, {"campaigns", "deliveries", "7", "--state", "sent", "--output", file});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(file, std::ios::binary);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), csv);
}

TEST(CampaignsActions, PauseSendsTheReasonAndErrorsAreShown) {
  TestHttpServer server(FakeApi(
      {{"POST /v1/campaigns/7/pause", {{200, Campaign("paused", 4, 5)}}},
       {"POST /v1/campaigns/8/start",
        {{409, R"({"error":{"code":"failed_precondition","message":"campaign 8 is running; )"
               R"(cannot become running","field":"state"}})"}}}}));
  EXPECT_EQ(Herald(server, {"campaigns", "pause", "7", "--reason", "check"}).exit_code, 0);
  EXPECT_EQ(Body(server), boost::json::parse(R"({"reason":"check"})"));
  CliRun refused = Herald(server, {"campaigns", "start", "8"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("campaign 8 is running"));
  EXPECT_EQ(Herald(server, {"campaigns", "resend-uncertain", "7"}).exit_code, 2) << "needs --yes";
}

TEST(MessagesCheck, AsksForADryRunAndPrintsEveryCheck) {
  TestHttpServer server(FakeApi(
      {{"POST /v1/messages",
        {{200,
          R"({"sender":"1001","decision":{"allowed":false,"reason":"skipped:quiet_hours",)"
          R"("checks":[{"check":"consent","passed":true,"detail":"marketing message allowed"},)"
          R"({"check":"quiet_hours","passed":false,"detail":"22:10 local",)"
          R"("until":"2026-12-05T07:00:00.000Z"}]}})"}}}}));
  CliRun run = Herald(
      server, {"messages", "check", "+4915112345678", "--template", "promo", "--param", "x"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Body(server), boost::json::parse(R"({"template":{"name":"promo","parameters":)"
                                             R"({"body":["x"]}},"to":"+4915112345678",)"
                                             R"("dry_run":true})"));
  EXPECT_THAT(run.out, HasSubstr("refused: skipped:quiet_hours"));
  EXPECT_THAT(run.out, HasSubstr("NO  quiet_hours: 22:10 local (until 2026-12-05T07:00:00.000Z)"));
}

}  // namespace
}  // namespace herald::cli::testing
