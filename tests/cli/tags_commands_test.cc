// `herald tags` end to end: RunCli in-process against a real loopback HTTP server.
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

constexpr char kApplied[] = R"({"matched":2,"changed":1,"not_found":1})";

CliRun Herald(const TestHttpServer& server, std::vector<std::string> args) {
  args.insert(args.begin(), {"--url", server.url()});
  return RunHerald(std::move(args), {{"HERALD_TOKEN", kToken}, {"USER", "alice"}});
}

boost::json::value BodyOf(const TestHttpServer& server) {
  return boost::json::parse(server.requests().at(0).body);
}

TEST(TagsApply, SendsACommaSeparatedPhoneList) {
  TestHttpServer server(FakeApi({{"POST /v1/tags/apply", {{200, kApplied}}}}));
  CliRun run = Herald(server, {"tags", "apply", "--add", "vip", "--phones",
                               "+4915112345678, +4915112345679,+4915100000000"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "matched 2 contacts, changed 1, not found 1\n");
  EXPECT_EQ(BodyOf(server), boost::json::parse(R"({"add":["vip"],"remove":[],)"
                                               R"("phones":["+4915112345678","+4915112345679",)"
                                               R"("+4915100000000"]})"));
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(TagsApply, ReadsThePhonesFromAFileSkippingCommentsAndBlankLines) {
  TestHttpServer server(FakeApi({{"POST /v1/tags/apply", {{200, kApplied}}}}));
  TempDir dir;
  const std::string file =
      dir.Write("phones.txt", "# from the fair\n+4915112345678\r\n\n  +4915112345679  \n");
  CliRun run = Herald(server, {"tags", "apply", "--remove", "trial", "--phones", file});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(BodyOf(server), boost::json::parse(R"({"add":[],"remove":["trial"],)"
                                               R"("phones":["+4915112345678","+4915112345679"]})"));
}

TEST(TagsApply, SendsTheSegmentExpression) {
  TestHttpServer server(FakeApi({{"POST /v1/tags/apply", {{200, kApplied}}}}));
  CliRun run = Herald(server, {"tags", "apply", "--add", "dach", "--add", "eu", "--segment",
                               "country:DE OR country:AT", "--json"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(kApplied));
  EXPECT_EQ(BodyOf(server), boost::json::parse(R"({"add":["dach","eu"],"remove":[],)"
                                               R"("segment":"country:DE OR country:AT"})"));
}

TEST(TagsApply, PointsAtTheSyntaxErrorInTheSegment) {
  TestHttpServer server(FakeApi(
      {{"POST /v1/tags/apply",
        {{400, R"({"error":{"code":"invalid_argument","message":)"
               R"("position 9: expected a term but found end of input","field":"segment"}})"}}}}));
  CliRun run = Herald(server, {"tags", "apply", "--add", "x", "--segment", "tag:a OR"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "herald: error: segment: position 9: expected a term but found end of input\n"
            "  tag:a OR\n"
            "          ^\n");
}

TEST(TagsApply, NeedsPhonesOrSegmentButNotBoth) {
  TestHttpServer server(FakeApi({}));
  CliRun neither = Herald(server, {"tags", "apply", "--add", "vip"});
  CliRun both = Herald(server, {"tags", "apply", "--add", "vip", "--phones", "+4915112345678",
                                "--segment", "tag:a"});
  CliRun no_tags = Herald(server, {"tags", "apply", "--phones", "+4915112345678"});

  EXPECT_EQ(neither.exit_code, 2);
  EXPECT_THAT(neither.err, HasSubstr("give --phones FILE_OR_LIST or --segment EXPR"));
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(no_tags.exit_code, 2);
  EXPECT_THAT(no_tags.err, HasSubstr("give --add TAG or --remove TAG"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(TagsRename, PercentEncodesTheOldNameAndSendsTheNewOne) {
  TestHttpServer server(
      FakeApi({{"POST /v1/tags/spring%20sale/rename", {{200, R"({"contacts":3})"}}}}));
  CliRun run = Herald(server, {"tags", "rename", "spring sale", "spring-sale"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "renamed tag spring sale to spring-sale on 3 contacts\n");
  EXPECT_EQ(BodyOf(server), boost::json::parse(R"({"to":"spring-sale"})"));
}

TEST(TagsDelete, DeletesTheTag) {
  TestHttpServer server(FakeApi({{"DELETE /v1/tags/vip", {{200, R"({"contacts":5})"}}}}));
  CliRun run = Herald(server, {"tags", "delete", "vip"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "deleted tag vip from 5 contacts\n");
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(TagsDelete, UnknownEndpointOrTagExitsOneWithTheServersMessage) {
  TestHttpServer server(FakeApi({}));
  CliRun run = Herald(server, {"tags", "delete", "vip"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "herald: error: no such endpoint\n");
}

}  // namespace
}  // namespace herald::cli::testing
