#include "common/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace herald {
namespace {

// A raw string must not reach a log line: only quoted values and numbers compile.
static_assert(log::detail::LogArgument<log::Quoted>);
static_assert(log::detail::LogArgument<const log::Quoted&>);
static_assert(log::detail::LogArgument<int>);
static_assert(log::detail::LogArgument<std::size_t>);
static_assert(log::detail::LogArgument<double>);
static_assert(!log::detail::LogArgument<std::string>);
static_assert(!log::detail::LogArgument<const std::string&>);
static_assert(!log::detail::LogArgument<std::string_view>);
static_assert(!log::detail::LogArgument<const char*>);
static_assert(!log::detail::LogArgument<const char (&)[4]>);
static_assert(!log::detail::LogArgument<std::filesystem::path>);
static_assert(!log::detail::LogArgument<char>);

TEST(LogQuoteValue, QuotesPlainText) {
  EXPECT_EQ(log::QuoteValue("alice"), "\"alice\"");
  EXPECT_EQ(log::QuoteValue(""), "\"\"");
  EXPECT_EQ(log::QuoteValue("two words"), "\"two words\"");
  EXPECT_EQ(log::QuoteValue("/var/lib/herald/herald.db"), "\"/var/lib/herald/herald.db\"");
}

TEST(LogQuoteValue, EscapesQuotesAndBackslashes) {
  const std::pair<std::string, std::string> cases[] = {
      {"say \"hi\"", R"("say \"hi\"")"},
      {R"(C:\temp)", R"("C:\\temp")"},
      {R"(\")", R"("\\\"")"},
      {"\"", R"("\"")"},
  };
  for (const auto& [value, expected] : cases) EXPECT_EQ(log::QuoteValue(value), expected) << value;
}

TEST(LogQuoteValue, EscapesEveryControlByte) {
  EXPECT_EQ(log::QuoteValue("a\nb"), R"("a\nb")");
  EXPECT_EQ(log::QuoteValue("a\rb"), R"("a\rb")");
  EXPECT_EQ(log::QuoteValue("a\tb"), R"("a\tb")");
  EXPECT_EQ(log::QuoteValue(std::string("a\0b", 3)), R"("a\x00b")");
  EXPECT_EQ(log::QuoteValue("\x1b[31mred"), R"("\x1b[31mred")");
  EXPECT_EQ(log::QuoteValue("\x7f"), R"("\x7f")");
  EXPECT_EQ(log::QuoteValue("\x01\x1f"), R"("\x01\x1f")");
  for (int byte = 0; byte < 0x20; ++byte) {
    const std::string quoted = log::QuoteValue(std::string(1, static_cast<char>(byte)));
    for (char c : quoted) {
      EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "byte " << byte << " left raw";
    }
  }
}

TEST(LogQuoteValue, KeepsUtf8AsItIs) {
  EXPECT_EQ(log::QuoteValue("Jürgen 李"), "\"Jürgen 李\"");
  EXPECT_EQ(log::QuoteValue("\xff\xfe"), "\"\xff\xfe\"");
}

// Splits a logfmt line into its keys, honouring quotes and backslash escapes inside them, as a log
// processor would.
std::vector<std::string> KeysOf(const std::string& line) {
  std::vector<std::string> keys;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t key_start = i;
    while (i < line.size() && line[i] != '=' && line[i] != ' ') ++i;
    keys.push_back(line.substr(key_start, i - key_start));
    if (i < line.size() && line[i] == '=') ++i;
    if (i < line.size() && line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\') ++i;
      }
      ++i;
    } else {
      while (i < line.size() && line[i] != ' ') ++i;
    }
  }
  return keys;
}

class LogLine : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(LogLine, AForgedActorStaysOneFieldOnOneLine) {
  const std::string forged = "evil\" state=completed rows=999 x=\"";
  log::Info("event=import_finished id={} state={} actor={} rows={}", log::Quoted("7"),
            log::Quoted("failed"), log::Quoted(forged), 12);
  const std::string line = out_.str();
  EXPECT_EQ(line,
            "event=import_finished id=\"7\" state=\"failed\" "
            "actor=\"evil\\\" state=completed rows=999 x=\\\"\" rows=12\n");
  EXPECT_EQ(KeysOf(line.substr(0, line.size() - 1)),
            (std::vector<std::string>{"event", "id", "state", "actor", "rows"}));
}

TEST_F(LogLine, ALineBreakInAValueCannotStartANewLine) {
  log::Warn("event=template_invalid name={} error={}", log::Quoted("x\nevent=forged"),
            log::Quoted(std::string("bad\r\n")));
  EXPECT_EQ(out_.str(), "event=template_invalid name=\"x\\nevent=forged\" error=\"bad\\r\\n\"\n");
}

// Every log line goes through common/log.h: a direct spdlog call could interpolate a raw string.
TEST(LogCalls, NoSourceFileCallsSpdlogsLoggingFunctionsDirectly) {
  const char* source = std::getenv("HERALD_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "run through ctest (it sets HERALD_SOURCE_DIR)";
  const std::filesystem::path root(source);
  const std::regex direct_call(
      R"(spdlog::(trace|debug|info|warn|error|critical|log)\s*\(|SPDLOG_(TRACE|DEBUG|INFO|WARN|ERROR|CRITICAL)\s*\(|default_logger\(\)\s*->|spdlog::get\s*\()");
  int files = 0;
  for (const char* folder : {"app", "bench", "campaign", "cli", "common", "compliance", "config",
                             "contacts", "daemon", "http", "storage"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / folder)) {
      const auto extension = entry.path().extension();
      if (extension != ".cc" && extension != ".h") continue;
      if (entry.path() == root / "common" / "log.h") continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        EXPECT_FALSE(std::regex_search(line, direct_call))
            << entry.path().lexically_relative(root).string() << ":" << number << ": " << line
            << "\n  use log::Info/Warn/... from common/log.h, with log::Quoted for strings";
      }
    }
  }
  EXPECT_GT(files, 100) << "the source tree was not found under " << root;
}

}  // namespace
}  // namespace herald
