// `herald segment` end to end: RunCli in-process against a real loopback HTTP server.
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
using ::testing::IsEmpty;

constexpr char kExpression[] = "tag:vip AND (country:DE OR country:AT)";
constexpr char kCountBody[] =
    R"({"count":1234,"by_country":{"AT":200,"DE":1000,"unknown":34},"sample":[]})";
constexpr char kExportCsv[] =
    "phone,name,tags,country,language,timezone,consent_marketing,consent_utility\n"
    "+4915112345678,Anna Schmidt,vip;newsletter,DE,de,Europe/Berlin,yes,no\n";
constexpr char kSavedBody[] =
    R"json({"name":"vip dach","expression":"tag:vip AND (country:DE OR country:AT)",)json"
    R"("created_by":"alice","created_ms":1714564800000,"updated_ms":1714568400000})";

CliRun Herald(const TestHttpServer& server, std::vector<std::string> args) {
  args.insert(args.begin(), {"--url", server.url()});
  return RunHerald(std::move(args), {{"HERALD_TOKEN", kToken}, {"USER", "alice"}});
}

boost::json::value BodyOf(const TestHttpServer& server) {
  return boost::json::parse(server.requests().at(0).body);
}

TEST(SegmentCount, AsksForNoSampleAndSortsCountriesByCount) {
  TestHttpServer server(FakeApi({{"POST /v1/segments/preview", {{200, kCountBody}}}}));
  CliRun run = Herald(server, {"segment", "count", kExpression});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "1234 contacts\n"
            "  DE       1000\n"
            "  AT        200\n"
            "  unknown    34\n");
  EXPECT_EQ(BodyOf(server), boost::json::parse(R"({"expression":")" + std::string(kExpression) +
                                               R"(","sample":0})"));
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(SegmentPreview, PrintsTheCountAndATableOfTheSample) {
  const std::string preview =
      R"({"count":3,"by_country":{"DE":3},"sample":[)" + std::string(kContactBody) + "]}";
  TestHttpServer server(FakeApi({{"POST /v1/segments/preview", {{200, preview}}}}));
  CliRun run = Herald(server, {"segment", "preview", kExpression, "--sample", "1"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "3 contacts\n"
            "  DE  3\n"
            "\n"
            "sample (1 of 3):\n"
            "PHONE           NAME          COUNTRY  TAGS\n"
            "+4915112345678  Anna Schmidt  DE       vip, newsletter\n");
  EXPECT_EQ(BodyOf(server).at("sample"), boost::json::value(1));
}

TEST(SegmentPreview, SendsTheDefaultSampleAndPrintsJson) {
  TestHttpServer server(FakeApi({{"POST /v1/segments/preview", {{200, kCountBody}}}}));
  CliRun run = Herald(server, {"segment", "preview", kExpression, "--json"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(kCountBody));
  EXPECT_EQ(BodyOf(server).at("sample"), boost::json::value(10));
}

TEST(SegmentPreview, SyntaxErrorPrintsTheMessageAndACaretUnderThePosition) {
  TestHttpServer server(FakeApi(
      {{"POST /v1/segments/preview",
        {{400, R"({"error":{"code":"invalid_argument","message":"position 25: expected )"
               R"(AND, OR or ')' to close the '(' at position 13","field":"expression"}})"}}}}));
  CliRun run = Herald(server, {"segment", "preview", "tag:vip AND (country:DE country:AT)"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "herald: error: expression: position 25: expected AND, OR or ')' to close the '(' at "
            "position 13\n"
            "  tag:vip AND (country:DE country:AT)\n"
            "                          ^\n");
  EXPECT_THAT(run.out, IsEmpty());
}

TEST(SegmentExport, WritesTheCsvToStdoutEvenWithJson) {
  TestHttpServer server(
      FakeApi({{"POST /v1/segments/export", {{200, kExportCsv, "text/csv; charset=utf-8"}}}}));
  CliRun run = Herald(server, {"segment", "export", kExpression, "--json"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, kExportCsv);
  EXPECT_EQ(BodyOf(server),
            boost::json::parse(R"({"expression":")" + std::string(kExpression) + R"("})"));
}

TEST(SegmentExport, WritesTheCsvToTheOutputFile) {
  TestHttpServer server(
      FakeApi({{"POST /v1/segments/export", {{200, kExportCsv, "text/csv; charset=utf-8"}}}}));
  TempDir dir;
  const std::string output = dir.path() + "/vip.csv";
  CliRun run = Herald(server, {"segment", "export", kExpression, "-o", output});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, IsEmpty());
  std::ifstream file(output, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  EXPECT_EQ(contents.str(), kExportCsv);
}

TEST(SegmentSave, PutsTheExpressionUnderThePercentEncodedName) {
  TestHttpServer server(
      FakeApi({{"PUT /v1/segments/vip%20dach%2Fall",
                {{200, R"({"name":"vip dach/all","expression":"tag:vip AND country:DE"})"}}}}));
  CliRun run = Herald(server, {"segment", "save", "vip dach/all", "tag:vip and country:de"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "saved segment vip dach/all: tag:vip AND country:DE\n");
  EXPECT_EQ(BodyOf(server), boost::json::parse(R"({"expression":"tag:vip and country:de"})"));
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(SegmentList, PrintsATableOfTheSavedSegments) {
  TestHttpServer server(FakeApi(
      {{"GET /v1/segments", {{200, R"({"segments":[)" + std::string(kSavedBody) + "]}"}}}}));
  CliRun run = Herald(server, {"segment", "list"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "NAME      UPDATED               BY     EXPRESSION\n"
            "vip dach  2024-05-01 13:00:00Z  alice  tag:vip AND (country:DE OR country:AT)\n");
}

TEST(SegmentList, SaysSoWhenThereAreNone) {
  TestHttpServer server(FakeApi({{"GET /v1/segments", {{200, R"({"segments":[]})"}}}}));
  CliRun run = Herald(server, {"segment", "list"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "no saved segments\n");
}

TEST(SegmentShow, PrintsTheSavedSegment) {
  TestHttpServer server(FakeApi({{"GET /v1/segments/vip%20dach", {{200, kSavedBody}}}}));
  CliRun run = Herald(server, {"segment", "show", "vip dach"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "name        vip dach\n"
            "expression  tag:vip AND (country:DE OR country:AT)\n"
            "created by  alice\n"
            "created     2024-05-01 12:00:00Z\n"
            "updated     2024-05-01 13:00:00Z\n");
}

TEST(SegmentShow, UnknownSegmentExitsOneWithTheServersMessage) {
  TestHttpServer server(FakeApi(
      {{"GET /v1/segments/nope",
        {{404,
          R"({"error":{"code":"not_found","message":"no segment named nope","field":"name"}})"}}}}));
  CliRun run = Herald(server, {"segment", "show", "nope"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "herald: error: name: no segment named nope\n");
}

TEST(SegmentDelete, DeletesTheSavedSegment) {
  TestHttpServer server(
      FakeApi({{"DELETE /v1/segments/vip%20dach", {{200, R"({"deleted":true})"}}}}));
  CliRun run = Herald(server, {"segment", "delete", "vip dach"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "deleted segment vip dach\n");
  EXPECT_EQ(server.requests().at(0).method, "DELETE");
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(SegmentCount, NeedsTheToken) {
  TestHttpServer server(FakeApi({}));
  CliRun run = RunHerald({"--url", server.url(), "segment", "count", "tag:vip"});

  EXPECT_EQ(run.exit_code, 4);
  EXPECT_THAT(run.err, HasSubstr("needs the admin token"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

}  // namespace
}  // namespace herald::cli::testing
