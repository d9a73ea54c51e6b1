// X-Herald-Actor through the real daemon: a value built to forge log fields stays one quoted field
// of one line, and an actor the daemon cannot record (control characters, too long, not UTF-8) is
// a 400 that names the header and the rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/daemon_fixture.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr const char* kForgedActor = "evil\" state=completed rows=999 x=\"";

// The key=value fields of a log line's message (from "event=" on), as a log processor reads them:
// a value in quotes runs to the closing quote, and a backslash escapes the next character.
std::vector<std::pair<std::string, std::string>> Fields(const std::string& line) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t i = line.find("event=");
  while (i != std::string::npos && i < line.size()) {
    const std::size_t equals = line.find('=', i);
    if (equals == std::string::npos) break;
    std::string key = line.substr(i, equals - i);
    std::string value;
    i = equals + 1;
    if (i < line.size() && line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        value += line[i];
      }
      ++i;  // the closing quote
    } else {
      while (i < line.size() && line[i] != ' ') value += line[i++];
    }
    fields.emplace_back(std::move(key), std::move(value));
    while (i < line.size() && line[i] == ' ') ++i;
  }
  return fields;
}

// The first line of `log` that holds `event`, or "".
std::string LineWith(const std::string& log, const std::string& event) {
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(event) != std::string::npos) return line;
  }
  return "";
}

class ActorHeader : public StartedDaemon {
 protected:
  HttpResult CallAs(const std::string& actor, const std::string& method, const std::string& target,
                    const std::string& body = {}) {
    return HttpRequest(port(), method, target, kToken, body, std::chrono::seconds(10),
                       {{"X-Herald-Actor", actor}});
  }
  // Waits up to `timeout` for the daemon's log to hold a line with `event`.
  std::string WaitForLogLine(const std::string& event, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::string line = LineWith(daemon_->Log(), event);
      if (!line.empty() || std::chrono::steady_clock::now() > deadline) return line;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
};

TEST_F(ActorHeader, AForgedActorCannotAddFieldsToTheImportLogLine) {
  auto started = CallAs(kForgedActor, "POST", "/v1/contacts/imports?format=csv",
                        "phone,name\n+49 151 12345678,Anna\n");
  ASSERT_EQ(started.status, 202) << started.body;

  const std::string line = WaitForLogLine("event=import_finished", std::chrono::seconds(60));
  ASSERT_FALSE(line.empty()) << daemon_->Log();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto fields = Fields(line);
  std::vector<std::string> keys;
  for (const auto& field : fields) keys.push_back(field.first);
  EXPECT_THAT(keys, ElementsAre("event", "id", "state", "actor", "rows", "created", "updated",
                                "unchanged", "rejected"))
      << line;
  EXPECT_THAT(fields, ::testing::Contains(Pair("actor", kForgedActor))) << line;
  EXPECT_THAT(fields, ::testing::Contains(Pair("rows", "1"))) << line;
}

TEST_F(ActorHeader, AnActorWithAControlCharacterOver200BytesOrNotUtf8Is400NamingTheRule) {
  // Beast itself refuses most control characters in a header (400 bad_request); a tab it lets
  // through, and the daemon must refuse it.
  for (const std::string& actor :
       {std::string("ali\tce"), std::string(201, 'a'), std::string("J\xfcrgen")}) {
    auto refused = CallAs(actor, "PUT", "/v1/segments/vip", R"({"expression":"tag:vip"})");
    EXPECT_EQ(refused.status, 400) << refused.body;
    json::value body = json::parse(refused.body);
    const json::object& error = body.at("error").as_object();
    EXPECT_EQ(error.at("code").as_string(), "invalid_argument");
    EXPECT_EQ(error.at("field").as_string(), "X-Herald-Actor");
    EXPECT_THAT(std::string(error.at("message").as_string()),
                HasSubstr("X-Herald-Actor must be at most 200 bytes of UTF-8 without control "
                          "characters"));
  }
  EXPECT_EQ(HttpRequest(port(), "GET", "/v1/segments/vip", kToken).status, 404)
      << "a refused change must not be made";

  auto accepted =
      CallAs(std::string(200, 'a'), "PUT", "/v1/segments/vip", R"({"expression":"tag:vip"})");
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(CallAs(kForgedActor, "GET", "/v1/segments/vip").status, 200)
      << "quotes and spaces are fine: the log escapes them";
}

}  // namespace
}  // namespace herald::testing
