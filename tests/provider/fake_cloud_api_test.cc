// The fake Cloud API server itself: its wire format, its limits and their windows, the control
// endpoints, and the fake_cloud_api executable as a process.
#include "tests/support/fake_cloud_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <thread>

#include "tests/support/daemon_process.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string Template(const std::string& to) {
  return R"({"messaging_product":"whatsapp","recipient_type":"individual","to":")" + to +
         R"(","type":"template","template":{"name":"hello","language":{"code":"en"}}})";
}

HttpResult Post(const FakeCloudApi& server, const std::string& body,
                const std::string& number = "111") {
  return HttpRequest(server.port(), "POST", "/v23.0/" + number + "/messages", server.token(), body);
}

std::int64_t ErrorCode(const HttpResult& result) {
  return json::parse(result.body).at("error").at("code").as_int64();
}

TEST(FakeCloudApi, AnswersASendInThePlatformsShape) {
  FakeCloudApi server;
  const HttpResult result = Post(server, Template("4915112345678"));
  ASSERT_EQ(result.status, 200) << result.error;
  const json::value body = json::parse(result.body);
  EXPECT_EQ(body.at("messaging_product"), "whatsapp");
  EXPECT_EQ(body.at("contacts").at(0).at("input"), "4915112345678");
  EXPECT_EQ(body.at("contacts").at(0).at("wa_id"), "4915112345678");
  EXPECT_THAT(std::string(body.at("messages").at(0).at("id").as_string()),
              ::testing::StartsWith("wamid."));
  EXPECT_EQ(body.at("messages").at(0).at("message_status"), "accepted");
}

TEST(FakeCloudApi, RefusesWhatThePlatformRefuses) {
  FakeCloudApi server;
  const HttpResult wrong_token =
      HttpRequest(server.port(), "POST", "/v23.0/111/messages", "wrong", Template("1"));
  EXPECT_EQ(wrong_token.status, 401);
  EXPECT_EQ(ErrorCode(wrong_token), 190);
  for (const std::string& body :
       {std::string("not json"), std::string(R"({"to":"1","type":"text","text":{"body":"x"}})"),
        std::string(R"({"messaging_product":"whatsapp","type":"text","text":{"body":"x"}})"),
        std::string(R"({"messaging_product":"whatsapp","to":"1","type":"image"})"),
        std::string(R"({"messaging_product":"whatsapp","to":"1","type":"template",)"
                    R"("template":{"name":"x","language":{"code":"en"},)"
                    R"("components":[{"type":"body","parameters":[{"text":"no type"}]}]}})")}) {
    SCOPED_TRACE(body);
    const HttpResult result = Post(server, body);
    EXPECT_EQ(result.status, 400);
    EXPECT_EQ(ErrorCode(result), 100);
  }
  EXPECT_EQ(HttpRequest(server.port(), "GET", "/v23.0/111/messages", server.token()).status, 400);
  EXPECT_EQ(HttpRequest(server.port(), "POST", "/v23.0/111/other", server.token(), "{}").status,
            400);
  EXPECT_TRUE(server.Received().empty());
}

TEST(FakeCloudApi, TheTierCountsUniqueTemplateRecipientsPerPortfolioInAMovingWindow) {
  FakeCloudApi server(
      {.portfolios = {{"111", "a"}, {"222", "b"}}, .limits = {.tier_limit = 1, .tier_window = 1s}});
  EXPECT_EQ(Post(server, Template("491"), "111").status, 200);
  EXPECT_EQ(Post(server, Template("491"), "111").status, 200) << "the same recipient";
  const HttpResult refused = Post(server, Template("492"), "111");
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(ErrorCode(refused), 131049);
  EXPECT_EQ(Post(server, Template("492"), "222").status, 200) << "another portfolio";
  EXPECT_EQ(Post(server,
                 R"({"messaging_product":"whatsapp","to":"493","type":"text",)"
                 R"("text":{"body":"hi"}})",
                 "111")
                .status,
            200)
      << "free-form text does not count";
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(Post(server, Template("492"), "111").status, 200) << "the window moved on";
}

TEST(FakeCloudApi, ThePairRateAppliesPerNumberAndRecipient) {
  FakeCloudApi server({.limits = {.pair_interval = 1s}});
  EXPECT_EQ(Post(server, Template("491"), "111").status, 200);
  EXPECT_EQ(ErrorCode(Post(server, Template("491"), "111")), 131056);
  EXPECT_EQ(Post(server, Template("491"), "222").status, 200) << "another business number";
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(Post(server, Template("491"), "111").status, 200);
}

TEST(FakeCloudApi, TheControlEndpointChangesSettingsWhileItRuns) {
  FakeCloudApi server;
  const HttpResult changed =
      HttpRequest(server.port(), "POST", "/_control", "",
                  R"({"throughput_per_second":0,"tier_limit":1,"held_rate":1.0})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(json::parse(changed.body).at("tier_limit"), 1);
  EXPECT_EQ(server.limits().tier_limit, 1u);
  EXPECT_EQ(server.faults().held_rate, 1.0);
  const HttpResult unknown =
      HttpRequest(server.port(), "POST", "/_control", "", R"({"tier_limt":1})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr("tier_limt"));
  const HttpResult held = Post(server, Template("491"));
  EXPECT_EQ(json::parse(held.body).at("messages").at(0).at("message_status"),
            "held_for_quality_assessment");
}

// A number's own limit replaces the common one for that number only: here 0 (unlimited) for
// 222 under a common limit of 1 per second, so that what is asserted does not depend on where
// the server's one-second windows fall.
TEST(FakeCloudApi, ANumbersOwnThroughputReplacesTheCommonOne) {
  FakeCloudApi server({.limits = {.throughput_per_second = 1}});
  const HttpResult changed = HttpRequest(server.port(), "POST", "/_control", "",
                                         R"({"throughput_by_number":{"222":0,"333":5}})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(json::parse(changed.body).at("throughput_by_number").at("333"), 5);
  EXPECT_EQ(server.limits().throughput_by_number.at("222"), 0u);
  EXPECT_EQ(server.limits().throughput_per_second, 1u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Post(server, Template("49" + std::to_string(i)), "222").status, 200) << i;
  }
  // Three sends to a number under the common limit span at most two windows when they take
  // under a second, so one of them at least is refused.
  const auto started = std::chrono::steady_clock::now();
  std::size_t refused = 0;
  for (int i = 0; i < 3; ++i) {
    refused += Post(server, Template("48" + std::to_string(i)), "111").status == 400 ? 1 : 0;
  }
  if (std::chrono::steady_clock::now() - started < 1s) {
    EXPECT_GE(refused, 1u);
  }
  EXPECT_EQ(server.Stats().errors.at(130429), refused);
  EXPECT_EQ(
      HttpRequest(server.port(), "POST", "/_control", "", R"({"throughput_by_number":[]})").status,
      400);
  EXPECT_EQ(
      HttpRequest(server.port(), "POST", "/_control", "", R"({"throughput_by_number":{}})").status,
      200);
  EXPECT_TRUE(server.limits().throughput_by_number.empty());
}

// The arrival of each accepted message and of the newest request, in microseconds on the wall
// clock (read through the monotonic clock from the server's start: a slewed wall clock may put
// them a little off, hence the slack).
TEST(FakeCloudApi, TellsWhenMessagesAndRequestsArrived) {
  FakeCloudApi server;
  const auto stats = [&] { return json::parse(HttpRequest(server.port(), "GET", "/_stats").body); };
  EXPECT_EQ(stats().at("last_request_us"), 0);
  const auto us = [](std::chrono::system_clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
  };
  const std::int64_t slack = 1'000'000;
  const std::int64_t before = us(std::chrono::system_clock::now());
  Post(server, Template("491"));
  const std::int64_t after = us(std::chrono::system_clock::now());
  const json::value line = json::parse(HttpRequest(server.port(), "GET", "/_received").body);
  const std::int64_t arrived = line.at("arrived_us").as_int64();
  EXPECT_GE(arrived, before - slack);
  EXPECT_LE(arrived, after + slack);
  EXPECT_EQ(line.at("arrived_ms").as_int64(), arrived / 1000);
  const json::value answer = stats();
  EXPECT_EQ(answer.at("last_request_us").as_int64(), arrived);  // the same instant
  EXPECT_LE(answer.at("window_origin_us").as_int64(), arrived);
}

TEST(FakeCloudApi, RecordsEachAcceptedMessageAndCountsRequestsPerRecipient) {
  FakeCloudApi server({.limits = {.pair_interval = 60s}});
  Post(server, Template("491"));
  Post(server, Template("491"));  // refused (pair rate): counted, not recorded
  Post(server, Template("492"));
  EXPECT_EQ(server.Received().size(), 2u);
  EXPECT_EQ(server.RequestsFor("491"), 2u);
  EXPECT_EQ(server.RequestsFor("492"), 1u);
  const HttpResult received = HttpRequest(server.port(), "GET", "/_received");
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; (end = received.body.find('\n', start)) != std::string::npos;
       start = end + 1) {
    lines.push_back(received.body.substr(start, end - start));
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[0]).at("to"), "491");
  EXPECT_EQ(json::parse(lines[0]).at("template"), "hello");
  const HttpResult recipients = HttpRequest(server.port(), "GET", "/_recipients");
  EXPECT_THAT(recipients.body, HasSubstr(R"({"to":"491","requests":2,"accepted":1})"));
  const HttpResult stats = HttpRequest(server.port(), "GET", "/_stats");
  EXPECT_EQ(json::parse(stats.body).at("errors").at("131056"), 1);
  const json::value refused =
      json::parse(HttpRequest(server.port(), "GET", "/_refused").body);  // one line
  EXPECT_EQ(refused.at("to"), "491");
  EXPECT_EQ(refused.at("phone_number_id"), "111");
  EXPECT_EQ(refused.at("code"), 131056);
  EXPECT_GE(refused.at("arrived_us").as_int64(), json::parse(lines[0]).at("arrived_us").as_int64());
}

// The executable: prints its port, serves, and exits 0 on SIGTERM.
TEST(FakeCloudApiProcess, PrintsItsPortServesAndStopsOnSigterm) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::execl(HERALD_FAKE_CLOUD_API_PATH, "fake_cloud_api", "--port", "0", "--token", "tok",
            "--pair-interval-ms", "60000", nullptr);
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string line;
  char c = 0;
  while (::read(pipe_fds[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(pipe_fds[0]);
  const int port = std::atoi(line.c_str());
  ASSERT_GT(port, 0) << "printed: " << line;
  const std::string body = Template("4915112345678");
  EXPECT_EQ(HttpRequest(port, "POST", "/v23.0/111/messages", "tok", body).status, 200);
  EXPECT_EQ(HttpRequest(port, "POST", "/v23.0/111/messages", "tok", body).status, 400);
  EXPECT_THAT(HttpRequest(port, "GET", "/_received").body, HasSubstr("4915112345678"));
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace herald::testing
