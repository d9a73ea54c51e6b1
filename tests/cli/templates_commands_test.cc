// `herald templates` end to end: RunCli in-process against a real loopback HTTP server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <iostream>
#include <sstream>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_daemon.h"
#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kComponents[] =
    R"([{"type":"HEADER","format":"TEXT","text":"Hallo"},{"type":"BODY","text":"Hi {{1}}"}])";
constexpr char kTemplates[] =
    R"({"templates":[{"name":"order_update","language":"de","category":"UTILITY",)"
    R"("status":"APPROVED","components":[{"type":"HEADER","format":"TEXT","text":"Hallo"},)"
    R"({"type":"BODY","text":"Hi {{1}}"}],"platform_id":"1234","synced_at":)"
    R"("2024-05-01T12:00:00Z"},)"
    R"({"name":"spring_sale","language":"en_US","category":"MARKETING","status":"PENDING",)"
    R"("components":[{"type":"BODY","text":"Sale!"}],"platform_id":"","synced_at":""}]})";

CliRun Herald(const TestHttpServer& server, std::vector<std::string> args) {
  args.insert(args.begin(), {"--url", server.url()});
  return RunHerald(std::move(args), {{"HERALD_TOKEN", kToken}, {"USER", "alice"}});
}

boost::json::value BodyOf(const TestHttpServer& server) {
  return boost::json::parse(server.requests().at(0).body);
}

boost::json::value ExpectedPutBody(std::string_view platform_id) {
  return boost::json::object{{"category", "UTILITY"},
                             {"status", "APPROVED"},
                             {"components", boost::json::parse(kComponents)},
                             {"platform_id", platform_id}};
}

// Replaces std::cin's buffer for the life of the object.
class StdinFrom {
 public:
  explicit StdinFrom(const std::string& text) : input_(text), saved_(std::cin.rdbuf()) {
    std::cin.rdbuf(input_.rdbuf());
  }
  ~StdinFrom() { std::cin.rdbuf(saved_); }

 private:
  std::istringstream input_;
  std::streambuf* saved_;
};

TEST(TemplatesList, PrintsATableOfTheTemplates) {
  TestHttpServer server(FakeApi({{"GET /v1/templates", {{200, kTemplates}}}}));
  CliRun run = Herald(server, {"templates", "list"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "NAME          LANGUAGE  CATEGORY   STATUS    COMPONENTS    PLATFORM ID  SYNCED\n"
            "order_update  de        UTILITY    APPROVED  HEADER, BODY  1234         "
            "2024-05-01 12:00:00Z\n"
            "spring_sale   en_US     MARKETING  PENDING   BODY          -            -\n");
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(TemplatesList, SaysSoWhenThereAreNoneAndPrintsJsonWithJson) {
  TestHttpServer server(FakeApi({{"GET /v1/templates", {{200, R"({"templates":[]})"}}}}));
  CliRun text = Herald(server, {"templates", "list"});
  CliRun json = Herald(server, {"templates", "list", "--json"});

  EXPECT_EQ(text.out, "no templates\n");
  EXPECT_EQ(boost::json::parse(json.out), boost::json::parse(R"({"templates":[]})"));
}

TEST(TemplatesPut, PutsTheComponentsFromAFile) {
  TestHttpServer server(
      FakeApi({{"PUT /v1/templates/order_update/de", {{201, R"({"outcome":"created"})"}}}}));
  TempDir dir;
  const std::string file = dir.Write("components.json", kComponents);
  CliRun run =
      Herald(server, {"templates", "put", "order_update", "de", "--category", "UTILITY", "--status",
                      "APPROVED", "--components", file, "--platform-id", "1234"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "template order_update (de): created\n");
  EXPECT_EQ(BodyOf(server), ExpectedPutBody("1234"));
  EXPECT_EQ(server.requests().at(0).content_type, "application/json");
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(TemplatesPut, ReadsTheComponentsFromStdinAndPercentEncodesThePath) {
  TestHttpServer server(
      FakeApi({{"PUT /v1/templates/order%20update/pt%2FBR", {{200, R"({"outcome":"updated"})"}}}}));
  CliRun run = [&] {
    StdinFrom stdin_text(kComponents);
    return Herald(server, {"templates", "put", "order update", "pt/BR", "--category", "UTILITY",
                           "--status", "APPROVED", "--components", "-"});
  }();

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "template order update (pt/BR): updated\n");
  EXPECT_EQ(BodyOf(server), ExpectedPutBody(""));
}

TEST(TemplatesPut, TakesTheComponentsAsJsonOnTheCommandLine) {
  TestHttpServer server(
      FakeApi({{"PUT /v1/templates/order_update/de", {{200, R"({"outcome":"unchanged"})"}}}}));
  CliRun run = Herald(server, {"templates", "put", "order_update", "de", "--category", "UTILITY",
                               "--status", "APPROVED", "--components", kComponents, "--json"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(R"({"outcome":"unchanged"})"));
  EXPECT_EQ(BodyOf(server), ExpectedPutBody(""));
}

struct BadComponentsCase {
  std::string name;
  std::string file_contents;
  std::string error;
};

void PrintTo(const BadComponentsCase& c, std::ostream* out) { *out << c.name; }

class TemplatesPutBadComponents : public ::testing::TestWithParam<BadComponentsCase> {};

TEST_P(TemplatesPutBadComponents, ExitOneNamingTheFileAndSendNothing) {
  TestHttpServer server(FakeApi({}));
  TempDir dir;
  const std::string file = dir.Write("c.json", GetParam().file_contents);
  CliRun run = Herald(server, {"templates", "put", "t", "de", "--category", "UTILITY", "--status",
                               "APPROVED", "--components", file});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("herald: error: components: '" + file + "' " + GetParam().error));
  EXPECT_THAT(server.requests(), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TemplatesPutBadComponents,
    ::testing::Values(BadComponentsCase{"NotJson", "[{\"type\":", "is not JSON"},
                      BadComponentsCase{"NotAnArray", R"({"type":"BODY"})",
                                        "is not a JSON array of components"}),
    [](const ::testing::TestParamInfo<BadComponentsCase>& info) { return info.param.name; });

TEST(TemplatesPut, MissingComponentsFileExitsOneNamingIt) {
  TestHttpServer server(FakeApi({}));
  CliRun run = Herald(server, {"templates", "put", "t", "de", "--category", "UTILITY", "--status",
                               "APPROVED", "--components", "/nonexistent/c.json"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "herald: error: cannot read '/nonexistent/c.json': No such file or directory\n");
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(TemplatesPut, NeedsCategoryStatusAndComponents) {
  TestHttpServer server(FakeApi({}));
  CliRun run = Herald(
      server, {"templates", "put", "t", "de", "--status", "APPROVED", "--components", kComponents});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--category"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(TemplatesPut, InvalidTemplateExitsOneWithTheServersMessage) {
  TestHttpServer server(FakeApi(
      {{"PUT /v1/templates/t/de",
        {{400, R"({"error":{"code":"invalid_argument","message":"a BODY component is required",)"
               R"("field":"components"}})"}}}}));
  CliRun run = Herald(server, {"templates", "put", "t", "de", "--category", "UTILITY", "--status",
                               "APPROVED", "--components", "[]"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "herald: error: components: a BODY component is required\n");
}

}  // namespace
}  // namespace herald::cli::testing
