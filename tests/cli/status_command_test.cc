// `herald status` end to end: RunCli in-process against a real loopback HTTP server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_daemon.h"
#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(StatusCommand, PrintsVersionStorageAndUptimeWhenReadyWithToken) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "status"}, {{"HERALD_TOKEN", kToken}});

  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "heraldd 0.1.0 at " + server.url() +
                         ": ready\n"
                         "  storage   ok (schema 4, /var/lib/herald/herald.db)\n"
                         "  uptime    12s\n");
  EXPECT_THAT(run.err, IsEmpty());
}

TEST(StatusCommand, SendsTheBearerTokenInTheAuthorizationHeader) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "status"}, {{"HERALD_TOKEN", kToken}});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/readyz");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].target, "/v1/status");
  EXPECT_EQ(requests[1].authorization, "Bearer s3cret-token");
}

TEST(StatusCommand, ReportsReadinessWithoutTokenAndSaysDetailsNeedOne) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "status"});

  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("heraldd at " + server.url() + ": ready\n"));
  EXPECT_THAT(run.out, HasSubstr("  storage   ok\n"));
  EXPECT_THAT(run.out, HasSubstr("details   need the admin token"));
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/readyz");
  EXPECT_THAT(requests[0].authorization, IsEmpty());
}

TEST(StatusCommand, ExitsOneWhenTheDaemonIsNotReady) {
  TestHttpServer server(FakeDaemon(/*ready=*/false));
  CliRun run = RunHerald({"--url", server.url(), "status"}, {{"HERALD_TOKEN", kToken}});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr(": not ready\n"));
  EXPECT_THAT(run.out, HasSubstr("  storage   database is locked"));
}

TEST(StatusCommand, ExitsFourWithTheServersMessageWhenTheTokenIsRejected) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "status"}, {{"HERALD_TOKEN", "wrong-token"}});

  EXPECT_EQ(run.exit_code, 4);
  EXPECT_THAT(run.err, HasSubstr("herald: error: missing or invalid bearer token\n"));
  EXPECT_THAT(run.err, HasSubstr("HERALD_TOKEN"));
  EXPECT_THAT(run.out, IsEmpty());
}

TEST(StatusCommand, ExitsThreeNamingTheUrlWhenNothingListens) {
  const std::string url = UnusedLoopbackUrl();
  CliRun run = RunHerald({"--url", url, "status"});

  EXPECT_EQ(run.exit_code, 3);
  EXPECT_THAT(run.err, HasSubstr("herald: error: cannot reach heraldd at " + url + "/readyz"));
  EXPECT_THAT(run.out, IsEmpty());
}

TEST(StatusCommand, JsonOutputIsValidJsonCombiningReadinessAndStatus) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "--json", "status"}, {{"HERALD_TOKEN", kToken}});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(run.out, ec);
  ASSERT_FALSE(ec) << run.out;
  EXPECT_EQ(json.at("url"), boost::json::value(server.url()));
  EXPECT_EQ(json.at("ready"), boost::json::value(true));
  EXPECT_EQ(json.at("readiness"), boost::json::parse(kReadyBody));
  EXPECT_EQ(json.at("status"), boost::json::parse(kStatusBody));
}

TEST(StatusCommand, JsonOutputWithoutTokenHasNullStatus) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "--json", "status"});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  boost::json::value json = boost::json::parse(run.out);
  EXPECT_TRUE(json.at("status").is_null());
  EXPECT_EQ(json.at("ready"), boost::json::value(true));
}

TEST(StatusCommand, JsonOutputStillExitsOneWhenNotReady) {
  TestHttpServer server(FakeDaemon(/*ready=*/false));
  CliRun run = RunHerald({"--url", server.url(), "status", "--json"});

  EXPECT_EQ(run.exit_code, 1);
  boost::json::value json = boost::json::parse(run.out);
  EXPECT_EQ(json.at("ready"), boost::json::value(false));
  EXPECT_EQ(json.at("readiness"), boost::json::parse(kNotReadyBody));
}

TEST(StatusCommand, AcceptsGlobalOptionsAfterTheSubcommand) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"status", "--url", server.url(), "--json"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\"ready\": true"));
}

TEST(StatusCommand, FailsWithoutPrintingAnythingWhenTheAnswerIsNotJson) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, "<html>hello</html>", "text/html"};
  });
  CliRun run = RunHerald({"--url", server.url(), "status"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("is not JSON"));
  EXPECT_THAT(run.out, Not(HasSubstr("ready")));
}

}  // namespace
}  // namespace herald::cli::testing
