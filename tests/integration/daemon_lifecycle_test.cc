// heraldd as a real process: readiness over the sd_notify protocol, reloads, stops, the watchdog.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <fstream>

#include "tests/integration/test_config.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(DaemonLifecycle, SignalsReadyThenServesHealthAndGuardsTheApi) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), TestConfig(dir));
  ASSERT_TRUE(daemon.WaitReady()) << daemon.Log();

  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/healthz").status, 200);
  auto ready = HttpRequest(daemon.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_NE(ready.body.find("\"ready\""), std::string::npos);

  auto anonymous = HttpRequest(daemon.port(), "GET", "/v1/status");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_NE(anonymous.body.find("\"code\":\"unauthenticated\""), std::string::npos);
  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/v1/status", "wrong-token-wrong-token").status, 401);
  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/v1/nothing-here").status, 401)
      << "unknown /v1 paths must not be probeable without a token";

  auto status = HttpRequest(daemon.port(), "GET", "/v1/status", kToken);
  EXPECT_EQ(status.status, 200);
  EXPECT_NE(status.body.find("\"schema_version\""), std::string::npos);
  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/v1/nothing-here", kToken).status, 404);
  EXPECT_EQ(HttpRequest(daemon.port(), "POST", "/healthz").status, 405);

  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.WaitExit(seconds(10)), 0);
}

TEST(DaemonLifecycle, SighupWithBrokenConfigKeepsServingWithTheOldOne) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), TestConfig(dir));
  ASSERT_TRUE(daemon.WaitReady()) << daemon.Log();

  std::ofstream(daemon.config_path()) << "[server]\nlisten = \"nowhere\"\nlistn = 1\n";
  daemon.Signal(SIGHUP);
  ASSERT_TRUE(daemon.notify().WaitFor("RELOADING=1", seconds(5))) << daemon.Log();
  auto after = daemon.notify().WaitFor("READY=1", seconds(5));
  ASSERT_TRUE(after) << daemon.Log();
  EXPECT_NE(after->find("reload failed"), std::string::npos) << *after;

  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/v1/status", kToken).status, 200)
      << "the old config (and its token) must stay in force";
  std::string log = daemon.Log();
  EXPECT_NE(log.find("server.listen"), std::string::npos) << log;
  EXPECT_NE(log.find("did you mean"), std::string::npos) << log;

  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.WaitExit(seconds(10)), 0);
}

TEST(DaemonLifecycle, SighupAppliesAValidConfigAndRotatesTheToken) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), TestConfig(dir));
  ASSERT_TRUE(daemon.WaitReady()) << daemon.Log();

  const std::string rotated = "rotated-token-abcdefghijklmnop";
  std::ofstream(daemon.config_path()) << TestConfig(dir, "max_body_size = \"2KiB\"", rotated);
  daemon.Signal(SIGHUP);
  ASSERT_TRUE(daemon.notify().WaitFor("RELOADING=1", seconds(5)));
  auto after = daemon.notify().WaitFor("READY=1", seconds(5));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->find("reload failed"), std::string::npos) << *after;

  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/v1/status", kToken).status, 401);
  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/v1/status", rotated).status, 200);
  EXPECT_EQ(
      HttpRequest(daemon.port(), "POST", "/v1/status", rotated, std::string(4096, 'x')).status, 413)
      << "the new body limit applies";
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.WaitExit(seconds(10)), 0);
}

TEST(DaemonLifecycle, SigtermSendsStoppingAndExitsZero) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), TestConfig(dir));
  ASSERT_TRUE(daemon.WaitReady()) << daemon.Log();
  daemon.Signal(SIGTERM);
  EXPECT_TRUE(daemon.notify().WaitFor("STOPPING=1", seconds(5))) << daemon.Log();
  EXPECT_EQ(daemon.WaitExit(seconds(10)), 0) << daemon.Log();
}

TEST(DaemonLifecycle, SigtermWaitsForIdleKeepAliveConnectionsNoLongerThanItTakesToCloseThem) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), TestConfig(dir));
  ASSERT_TRUE(daemon.WaitReady()) << daemon.Log();
  // An idle client must not hold up the stop until the grace period (5 s here) runs out.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket idle(io);
  idle.connect(
      {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(daemon.port())});
  daemon.Signal(SIGTERM);
  auto code = daemon.WaitExit(seconds(4));
  EXPECT_EQ(code, 0) << daemon.Log();
}

TEST(DaemonLifecycle, PingsTheWatchdogWhenSystemdAsks) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), TestConfig(dir),
                       {{"WATCHDOG_USEC", "200000"}, {"WATCHDOG_PID", "$PID"}});
  ASSERT_TRUE(daemon.WaitReady()) << daemon.Log();
  EXPECT_TRUE(daemon.notify().WaitFor("WATCHDOG=1", seconds(2)));
  EXPECT_TRUE(daemon.notify().WaitFor("WATCHDOG=1", seconds(2))) << "pings must repeat";
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.WaitExit(seconds(10)), 0);
}

TEST(DaemonLifecycle, InvalidConfigAtStartExitsOneNamingTheKey) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), "[server]\nmax_connections = 0\n");
  EXPECT_EQ(daemon.WaitExit(seconds(10)), 1);
  EXPECT_NE(daemon.Log().find("server.max_connections"), std::string::npos) << daemon.Log();
}

TEST(DaemonLifecycle, RefusesADatabaseFromANewerVersion) {
  TempDir dir;
  {
    DaemonProcess first(dir.path(), TestConfig(dir));
    ASSERT_TRUE(first.WaitReady()) << first.Log();
    first.Signal(SIGTERM);
    ASSERT_EQ(first.WaitExit(seconds(10)), 0);
  }
  auto bumped =
      RunCommand({"/usr/bin/sqlite3", (dir / "herald.db").string(), "PRAGMA user_version=999"});
  ASSERT_EQ(bumped.exit_code, 0) << bumped.output;
  DaemonProcess second(dir.path(), TestConfig(dir));
  EXPECT_EQ(second.WaitExit(seconds(10)), 1);
  EXPECT_NE(second.Log().find("newer than this heraldd supports"), std::string::npos)
      << second.Log();
}

TEST(CheckConfig, ExitsZeroForAValidFileAndOneNamingLineAndKeyOtherwise) {
  TempDir dir;
  std::ofstream(dir / "good.toml") << TestConfig(dir);
  auto good = RunCommand({HeralddPath().string(), "--check-config", (dir / "good.toml").string()});
  EXPECT_EQ(good.exit_code, 0) << good.output;

  std::ofstream(dir / "region.toml") << TestConfig(dir) << "[contacts]\ndefault_region = \"XX\"\n";
  auto region =
      RunCommand({HeralddPath().string(), "--check-config", (dir / "region.toml").string()});
  EXPECT_EQ(region.exit_code, 1);
  EXPECT_NE(region.output.find("contacts.default_region"), std::string::npos) << region.output;

  std::ofstream(dir / "bad.toml") << "[server]\n\nheader_timeout = \"ten seconds\"\n";
  auto bad = RunCommand({HeralddPath().string(), "--check-config", (dir / "bad.toml").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("bad.toml:3"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("server.header_timeout"), std::string::npos) << bad.output;
}

TEST(CheckConfig, WarnsAboutAWorldReadableTokenFileNamingItItsModeAndTheFix) {
  TempDir dir;
  std::ofstream(dir / "herald.toml") << TestConfig(dir);
  const std::string token_file = (dir / "admin.token").string();
  ASSERT_EQ(::chmod(token_file.c_str(), 0644), 0);
  auto open =
      RunCommand({HeralddPath().string(), "--check-config", (dir / "herald.toml").string()});
  EXPECT_EQ(open.exit_code, 0) << "a warning, not an error: " << open.output;
  EXPECT_NE(
      open.output.find("warning: server.admin_token_file: " + token_file +
                       " can be read by other users (mode 0644); fix: chmod 600 " + token_file),
      std::string::npos)
      << open.output;

  ASSERT_EQ(::chmod(token_file.c_str(), 0600), 0);
  auto closed =
      RunCommand({HeralddPath().string(), "--check-config", (dir / "herald.toml").string()});
  EXPECT_EQ(closed.exit_code, 0) << closed.output;
  EXPECT_EQ(closed.output.find("warning"), std::string::npos) << closed.output;
}

TEST(CheckConfig, WarnsAboutAWorldReadableGeneratedTokenItWouldUse) {
  TempDir dir;
  std::ofstream(dir / "herald.toml")
      << "[storage]\npath = \"" << (dir / "herald.db").string() << "\"\n";
  std::ofstream(dir / "admin.token") << kToken << "\n";
  ASSERT_EQ(::chmod((dir / "admin.token").c_str(), 0604), 0);
  auto checked =
      RunCommand({HeralddPath().string(), "--check-config", (dir / "herald.toml").string()},
                 {{"HERALD_ADMIN_TOKEN", ""}, {"CREDENTIALS_DIRECTORY", ""}});
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_NE(checked.output.find("generated admin token: " + (dir / "admin.token").string() +
                                " can be read by other users (mode 0604)"),
            std::string::npos)
      << checked.output;
}

TEST(DaemonLifecycle, LogsAWarningAtStartWhenTheTokenFileIsWorldReadable) {
  TempDir dir;
  const std::string config = TestConfig(dir);
  ASSERT_EQ(::chmod((dir / "admin.token").c_str(), 0644), 0);
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.WaitReady()) << daemon.Log();
  const std::string log = daemon.Log();
  EXPECT_NE(
      log.find("warning event=secret_file_insecure source=\"server.admin_token_file\" path=\"" +
               (dir / "admin.token").string() + "\" mode=\"0644\" fix=\"chmod 600 "),
      std::string::npos)
      << log;
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.WaitExit(seconds(10)), 0);
}

TEST(DaemonLifecycle, LogsNoSecretWarningForAPrivateTokenFile) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), TestConfig(dir));
  ASSERT_TRUE(daemon.WaitReady()) << daemon.Log();
  EXPECT_EQ(daemon.Log().find("secret_file_insecure"), std::string::npos) << daemon.Log();
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.WaitExit(seconds(10)), 0);
}

TEST(HeralddCommandLine, HelpPrintsTheUsageOptionsConfigAndEnvironment) {
  auto help = RunCommand({HeralddPath().string(), "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.output;
  for (const char* expected :
       {"Usage:", "--config FILE", "--check-config FILE", "--version", "herald.example.toml",
        "admin_token_file", "HERALD_ADMIN_TOKEN", "CREDENTIALS_DIRECTORY", "NOTIFY_SOCKET",
        "JOURNAL_STREAM", "TMPDIR", "docs/operations.md"}) {
    EXPECT_NE(help.output.find(expected), std::string::npos) << expected << "\n" << help.output;
  }
}

TEST(HeralddCommandLine, VersionPrintsOnlyTheVersion) {
  auto version = RunCommand({HeralddPath().string(), "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("heraldd ", 0), 0u) << version.output;
  EXPECT_EQ(version.output.find("Usage"), std::string::npos) << version.output;
  EXPECT_EQ(std::count(version.output.begin(), version.output.end(), '\n'), 1) << version.output;
}

}  // namespace
}  // namespace herald::testing
