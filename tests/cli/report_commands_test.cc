// `herald report` end to end: RunCli in-process against a real loopback HTTP server with canned
// answers: readable tables, CSV passed through, the chart written to a file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_daemon.h"
#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {
namespace {

using ::testing::HasSubstr;

CliRun Herald(const TestHttpServer& server, std::vector<std::string> args) {
  args.insert(args.begin(), {"--url", server.url()});
  return RunHerald(std::move(args), {{"HERALD_TOKEN", kToken}, {"USER", "alice"}});
}

constexpr char kFunnel[] =
    R"({"campaign":7,"currency":"USD","audience":10,"skipped":2,"blocked":0,"cancelled":0,)"
    R"("expired":0,"waiting":0,"uncertain":0,"sent":8,"delivered":8,"read":4,"replied":2,)"
    R"("failed":0,"opted_out_after":1,"skipped_by_reason":[{"reason":"skipped:opted_out",)"
    R"("count":2}],"blocked_by_reason":[],"failed_by_error":[],"rates":{"delivered":1,)"
    R"("read":0.5,"replied":0.25,"opted_out":0.125,"failed":0},"estimate":"1.092",)"
    R"("spend":"1.092","spend_micros":1092000,"spend_unknown":0,"cost_per_delivered":"0.1365",)"
    R"("cost_per_read":"0.273","cost_per_reply":"0.546","days":[{"day":"2026-12-04","sent":8,)"
    R"("delivered":8,"read":4,"replied":2,"failed":0,"opted_out":1,"spend":"1.092",)"
    R"("spend_micros":1092000}],"chart":"/v1/campaigns/7/report/chart.svg"})";

TEST(ReportCampaign, PrintsTheFunnelWithRatesCostsAndDaysAndWritesTheChart) {
  TempDir dir;
  TestHttpServer server(FakeApi({{"GET /v1/campaigns/7/report", {{200, kFunnel}}},
                                 {"GET /v1/campaigns/7/report/chart.svg", {{200, "<svg/>"}}}}));
  const std::string chart = dir.path() + "/days.svg";
  CliRun run = Herald(server, {"report", "campaign", "7", "--chart", chart});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("replied          2      25.00 % of delivered"));
  EXPECT_THAT(run.out, HasSubstr("skipped:opted_out  2"));
  EXPECT_THAT(run.out, HasSubstr("cost per reply      0.546 USD"));
  EXPECT_THAT(run.out, HasSubstr("2026-12-04"));
  std::ifstream written(chart);
  std::stringstream body;
  body << written.rdbuf();
  EXPECT_EQ(body.str(), "<svg/>");
}

TEST(ReportCosts, ExplainsEachCause) {
  TestHttpServer server(FakeApi(
      {{"GET /v1/campaigns/7/costs",
        {{200, R"({"campaign":7,"currency":"USD","deliveries":3,"estimate":"0.40",)"
               R"("estimate_micros":400000,"actual":"0.20","actual_micros":200000,)"
               R"("actual_unknown":0,"difference":"-0.20","difference_micros":-200000,)"
               R"("matched":1,"causes":[{"cause":"window_opened","count":1,"estimate":"0.20",)"
               R"("actual":"0.00","difference":"-0.20","difference_micros":-200000,)"
               R"("example_delivery":12}]})"}}}}));
  CliRun run = Herald(server, {"report", "costs", "7"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("matched     1 of 3 deliveries cost what was estimated"));
  EXPECT_THAT(run.out, HasSubstr("window_opened  1"));
  EXPECT_THAT(run.out, HasSubstr("#12"));
  EXPECT_THAT(run.out, HasSubstr("free in the service window"));
}

TEST(ReportMonth, PassesCsvThrough) {
  TestHttpServer server(
      FakeApi({{"GET /v1/reports/monthly?month=2026-11&format=csv", {{200, "month,campaign\n"}}}}));
  CliRun run = Herald(server, {"report", "month", "2026-11", "--csv"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "month,campaign\n");
}

}  // namespace
}  // namespace herald::cli::testing
