// A test fixture with heraldd started before each test (test config, free port) and stopped with
// SIGTERM after it, which must end in a clean exit.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>

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

}  // namespace herald::testing
