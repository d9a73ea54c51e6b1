// Test fixtures with heraldd started before each test (test config, free port) and stopped with
// SIGTERM after it, which must end in a clean exit; and the JSON body of an answer.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tests/integration/test_config.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {

class StartedDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), TestConfig(dir_));
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->Log();
  }
  void TearDown() override {
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->WaitExit(std::chrono::seconds(15)), 0) << daemon_->Log();
  }
  int port() const { return daemon_->port(); }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

// The body of an answer as a JSON object; a test failure (and an empty object) when it is not one.
inline boost::json::object JsonOf(const HttpResult& result) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(result.body, ec);
  EXPECT_FALSE(ec) << result.status << " " << result.body << result.error;
  return value.is_object() ? value.as_object() : boost::json::object{};
}

// A daemon a test may stop and start again on the same directory (a restart), with an admin
// client.
class RestartableDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }
  void TearDown() override { Stop(); }
  // The config the daemon starts with; a test adds to it.
  virtual std::string Config() { return TestConfig(dir_); }
  void Start() {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), Config());
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->Log();
  }
  void Stop() {
    if (!daemon_) return;
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->WaitExit(std::chrono::seconds(15)), 0) << daemon_->Log();
    daemon_.reset();
  }
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    return HttpRequest(daemon_->port(), method, target, kToken, body);
  }
  // Imports `csv` (POST /v1/contacts/imports) and waits until it is no longer running.
  void ImportCsv(const std::string& csv) {
    auto started = Call("POST", "/v1/contacts/imports?format=csv", csv);
    ASSERT_EQ(started.status, 202) << started.body;
    const std::string import(JsonOf(started).at("id").as_string());
    for (int i = 0; i < 3000; ++i) {
      if (JsonOf(Call("GET", "/v1/contacts/imports/" + import)).at("state") != "running") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "import " << import << " did not finish";
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace herald::testing
