// `herald prices` end to end: RunCli in-process against a real loopback HTTP server with canned
// answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cli/command_util.h"
#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_daemon.h"
#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kCsv[] = "market,category,rate_usd,effective_from\nDE,marketing,0.15,2027-01-01\n";
constexpr char kVersion[] =
    R"({"version":2,"created_at":"2026-12-04T10:00:00.000Z","actor":"alice","source":"x",)"
    R"("mode":"merge","added":1,"replaced":0,"retired":0,"rows":63,"changed":true})";

CliRun Herald(const TestHttpServer& server, std::vector<std::string> args) {
  args.insert(args.begin(), {"--url", server.url()});
  return RunHerald(std::move(args), {{"HERALD_TOKEN", kToken}, {"USER", "alice"}});
}

TEST(PricesImport, PostsTheFileAsCsvNamedAsGivenAndPrintsTheVersion) {
  TempDir dir;
  const std::string file = dir.Write("card.csv", kCsv);
  TestHttpServer server(FakeApi(
      {{"POST /v1/prices/import?mode=replace&source=" + PercentEncode(file), {{200, kVersion}}}}));
  CliRun run = Herald(server, {"prices", "import", file, "--replace"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "version 2: 1 added, 0 replaced, 0 retired; 63 rows in the table\n");
  EXPECT_EQ(server.requests().at(0).body, kCsv);
  EXPECT_EQ(server.requests().at(0).content_type, "text/csv");
}

TEST(PricesImport, ARefusedFileListsEveryProblemOnItsOwnLine) {
  TempDir dir;
  const std::string file = dir.Write("card.csv", kCsv);
  TestHttpServer server(FakeApi(
      {{"POST /v1/prices/import?mode=merge&source=" + PercentEncode(file),
        {{400, R"({"error":{"code":"invalid_argument","message":")" + file + R"(:2: rate: bad\n)" +
                   file + R"(:3: category: bad","field":"csv"}})"}}}}));
  CliRun run = Herald(server, {"prices", "import", file});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "herald: error: csv: " + file + ":2: rate: bad\n  " + file + ":3: category: bad\n");
  EXPECT_THAT(run.out, IsEmpty());
}

TEST(PricesQuote, SaysTheRateAndWhoseItIs) {
  TestHttpServer server(FakeApi(
      {{"GET /v1/prices/quote?country=BD&category=marketing&at=2026-09-30",
        {{200, R"({"country":"BD","category":"marketing","at":"2026-09-30","market":"OTHER",)"
               R"("rate":"0.0604","rate_micros":60400,"currency":"USD",)"
               R"("effective_from":"2025-07-01","source":"s"})"}}}}));
  CliRun run = Herald(server, {"prices", "quote", "BD", "marketing", "--at", "2026-09-30"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "BD marketing on 2026-09-30: 0.0604 USD (market OTHER, from 2025-07-01)\n");
}

TEST(PricesList, PrintsATableWithTheGroupsMembers) {
  TestHttpServer server(FakeApi(
      {{"GET /v1/prices?at=2026-12-04",
        {{200, R"({"version":1,"currency":"USD","rows":[{"market":"Rest","members":["AT","BE"],)"
               R"("category":"marketing","rate":"0.07","currency":"USD",)"
               R"("effective_from":"2025-07-01","version":1,"source":"card"}]})"}}}}));
  CliRun run = Herald(server, {"prices", "list", "--at", "2026-12-04"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("Rest (AT, BE)  marketing  0.07"));
}

TEST(PricesRules, SetSendsEveryFieldAndDeleteCarriesTheReason) {
  TestHttpServer server(FakeApi(
      {{"PUT /v1/pricing-rules/2027-04-01", {{200, R"({"effective_from":"2027-04-01"})"}}},
       {"DELETE /v1/pricing-rules/2025-07-01?reason=old", {{200, R"({"deleted":true})"}}}}));
  CliRun set =
      Herald(server, {"prices", "rules", "set", "2027-04-01", "--utility-free-in-window", "false",
                      "--service-free", "false", "--free-service-per-number-month", "250"});
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(boost::json::parse(server.requests().at(0).body),
            boost::json::parse(R"({"utility_free_in_window":false,"service_free":false,)"
                               R"("free_service_per_number_month":250,)"
                               R"("service_rate_category":"utility","entry_point_free":true,)"
                               R"("source":"","reason":""})"));
  CliRun removed = Herald(server, {"prices", "rules", "delete", "2025-07-01", "--reason", "old"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.out, "pricing rules from 2025-07-01 deleted\n");
}

}  // namespace
}  // namespace herald::cli::testing
