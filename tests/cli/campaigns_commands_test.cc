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

TEST(CampaignsCreate, TextWithEveryOtherOptionAndNoStartUnlessAsked) {
  TestHttpServer server(FakeApi({{"POST /v1/campaigns", {{201, Campaign("draft", 0, 0)}}}}));
  CliRun run = Herald(server, {"campaigns",
                               "create",
                               "Note",
                               "--segment",
                               "tag:open",
                               "--text",
                               "Hi {{name}}",
                               "--purpose",
                               "service",
                               "--sender",
                               "1001",
                               "--sender",
                               "1002",
                               "--start-at",
                               "2026-12-05T09:00:00Z",
                               "--local-time",
                               "09:30",
                               "--end-by",
                               "2026-12-06T20:00:00Z",
                               "--spend-cap",
                               "12.5",
                               "--currency",
                               "EUR"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests().at(0).target, "/v1/campaigns");
  EXPECT_EQ(Body(server),
            boost::json::parse(R"({"text":"Hi {{name}}","purpose":"service","name":"Note",)"
                               R"("segment":"tag:open","senders":["1001","1002"],)"
                               R"("start_at":"2026-12-05T09:00:00Z","local_time":"09:30",)"
                               R"("end_by":"2026-12-06T20:00:00Z","spend_cap":12.5,)"
                               R"("currency":"EUR"})"));
  EXPECT_THAT(run.out, HasSubstr("campaign    7 Autumn\nstate       draft\n"));
  EXPECT_EQ(Herald(server, {"campaigns", "create", "X", "--segment", "tag:x", "--template", "t",
                            "--text", "Hi"})
                .exit_code,
            2)
      << "--template and --text exclude each other";
}

TEST(CampaignsCreate, TheDaemonsFieldErrorsAreShownAsElsewhere) {
  TestHttpServer server(FakeApi(
      {{"POST /v1/campaigns",
        {{400, R"({"error":{"code":"invalid_argument","message":)"
               R"("position 9: expected a term but found end of input","field":"segment"}})"},
         {400, R"({"error":{"code":"invalid_argument","message":"expected an amount above 0",)"
               R"("field":"spend_cap"}})"}}}}));
  CliRun syntax =
      Herald(server, {"campaigns", "create", "A", "--segment", "tag:a OR", "--text", "Hi"});
  EXPECT_EQ(syntax.exit_code, 1);
  EXPECT_EQ(syntax.err,
            "herald: error: segment: position 9: expected a term but found end of input\n"
            "  tag:a OR\n"
            "          ^\n");
  CliRun cap = Herald(server, {"campaigns", "create", "A", "--segment", "tag:a", "--text", "Hi",
                               "--spend-cap", "0", "--start"});
  EXPECT_EQ(cap.exit_code, 1);
  EXPECT_EQ(cap.err, "herald: error: spend_cap: expected an amount above 0\n");
  EXPECT_EQ(server.requests().size(), 2u) << "no start after a refused create";
}

TEST(CampaignsList, FiltersByStateAndPrintsATable) {
  const std::string answer = R"({"campaigns":[)" + Campaign("running", 4, 5) + "]}";
  TestHttpServer server(FakeApi({{"GET /v1/campaigns?state=running", {{200, answer}}}}));
  CliRun run = Herald(server, {"campaigns", "list", "--state", "running"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "ID  NAME    STATE    SENT  TOTAL  CREATED\n"
            "7   Autumn  running  5     10     2026-12-04T10:00:00.000Z\n");
  CliRun json = Herald(server, {"--json", "campaigns", "list", "--state", "running"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(boost::json::parse(json.out), boost::json::parse(answer));
}

TEST(CampaignsShow, SummarisesStateAudienceCountsRateAndEta) {
  TestHttpServer server(FakeApi(
      {{"GET /v1/campaigns/7",
        {{200, R"({"id":7,"name":"Autumn","state":"paused","state_reason":"spend cap reached",)"
               R"("segment":"tag:vip","deliveries":{"queued":4,"sending":0,"sent":5,)"
               R"("failed":0,"skipped":1,"total":10},"audience":{"size":10,"complete":false},)"
               R"("rate":{"current":12.5,"allowed":80},"eta":"2026-12-04T12:00:00.000Z"})"}}}}));
  CliRun run = Herald(server, {"campaigns", "show", "7"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "campaign    7 Autumn\n"
            "state       paused (spend cap reached)\n"
            "segment     tag:vip\n"
            "audience    10 (being written)\n"
            "deliveries  queued 4, sent 5, skipped 1\n"
            "rate        12.5 msg/s (allowed 80)\n"
            "eta         2026-12-04T12:00:00.000Z\n");
  CliRun missing = Herald(server, {"campaigns", "show", "8"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("herald: error: no such endpoint"));
}

TEST(CampaignsActions, ResumeAndCancelWithAndWithoutAReason) {
  TestHttpServer server(
      FakeApi({{"POST /v1/campaigns/7/resume", {{200, Campaign("running", 4, 5)}}},
               {"POST /v1/campaigns/7/cancel", {{200, Campaign("cancelled", 4, 5)}}}}));
  EXPECT_EQ(Herald(server, {"campaigns", "resume", "7"}).exit_code, 0);
  CliRun cancel = Herald(server, {"campaigns", "cancel", "7", "--reason", "wrong list"});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests().at(0).target, "/v1/campaigns/7/resume");
  EXPECT_EQ(Body(server, 0), boost::json::parse("{}"));
  EXPECT_EQ(server.requests().at(1).target, "/v1/campaigns/7/cancel");
  EXPECT_EQ(Body(server, 1), boost::json::parse(R"({"reason":"wrong list"})"));
  EXPECT_THAT(cancel.out, HasSubstr("state       cancelled\n"));
}

TEST(CampaignsWatch, AnExpiredCampaignExitsWithOneAndJsonPrintsOnlyTheLastAnswer) {
  TestHttpServer server(
      FakeApi({{"GET /v1/campaigns/7",
                {{200, Campaign("running", 9, 0)}, {200, Campaign("expired", 4, 5)}}}}));
  CliRun run = Herald(server, {"--json", "campaigns", "watch", "7", "--interval-ms", "50"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(Campaign("expired", 4, 5)));
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(CampaignsDeliveries, JsonlGoesToStdoutAsItIsAndErrorsAreShown) {
  const std::string jsonl = "{\"delivery_id\":1,\"state\":\"skipped\"}\n";
  TestHttpServer server(FakeApi(
      {{"GET /v1/campaigns/7/deliveries?format=jsonl", {{200, jsonl, "application/x-ndjson"}}},
       {"GET /v1/campaigns/7/deliveries?format=csv&state=lost",
        {{400, R"({"error":{"code":"invalid_argument","message":"unknown delivery state )"
               R"(\"lost\"","field":"state"}})"}}}}));
  CliRun run = Herald(server, {"campaigns", "deliveries", "7", "--format", "jsonl"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, jsonl);
  CliRun refused = Herald(server, {"campaigns", "deliveries", "7", "--state", "lost"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, "herald: error: state: unknown delivery state \"lost\"\n");
  EXPECT_EQ(Herald(server, {"campaigns", "deliveries", "7", "--format", "xml"}).exit_code, 2);
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

TEST(CampaignsCreate, AStartThatFailsAfterTheCreateNamesTheNewCampaign) {
  TestHttpServer server(FakeApi(
      {{"POST /v1/campaigns", {{201, Campaign("draft", 0, 0)}}},
       {"POST /v1/campaigns/7/start",
        {{503, R"({"error":{"code":"unavailable","message":"storage is busy","field":""}})"}}}}));
  CliRun run =
      Herald(server, {"campaigns", "create", "A", "--segment", "tag:x", "--text", "Hi", "--start"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("campaign 7 was created as a draft"));
  EXPECT_THAT(run.err, HasSubstr("herald campaigns start 7"));
}

}  // namespace
}  // namespace herald::cli::testing
