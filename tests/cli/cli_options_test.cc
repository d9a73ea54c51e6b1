// Global options, token resolution and usage errors of the `herald` CLI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_daemon.h"
#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// The Authorization header of the /v1/status request of one `herald status` run.
std::string AuthorizationSent(const TestHttpServer& server) {
  for (const RecordedRequest& request : server.requests()) {
    if (request.target == "/v1/status") return request.authorization;
  }
  return "<no /v1/status request>";
}

TEST(CliToken, TokenFileWinsOverHeraldToken) {
  TestHttpServer server(FakeDaemon());
  TempDir dir;
  const std::string token_file = dir.Write("token", kToken);
  CliRun run = RunHerald({"--url", server.url(), "--token-file", token_file, "status"},
                         {{"HERALD_TOKEN", "token-from-env"}});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(AuthorizationSent(server), "Bearer s3cret-token");
}

TEST(CliToken, HeraldTokenIsUsedWhenNoTokenFileIsGiven) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "status"}, {{"HERALD_TOKEN", "token-from-env"}});

  EXPECT_EQ(run.exit_code, 4);
  EXPECT_EQ(AuthorizationSent(server), "Bearer token-from-env");
}

TEST(CliToken, TrailingWhitespaceIsStrippedFromTheTokenFile) {
  TestHttpServer server(FakeDaemon());
  TempDir dir;
  const std::string token_file = dir.Write("token", std::string(kToken) + " \r\n\n");
  CliRun run = RunHerald({"--url", server.url(), "--token-file", token_file, "status"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(AuthorizationSent(server), "Bearer s3cret-token");
}

TEST(CliToken, MissingTokenFileIsAnErrorNamingTheFileAndNothingIsSent) {
  TestHttpServer server(FakeDaemon());
  TempDir dir;
  const std::string missing = dir.path() + "/no-such-token";
  CliRun run = RunHerald({"--url", server.url(), "--token-file", missing, "status"},
                         {{"HERALD_TOKEN", kToken}});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, StartsWith("herald: error: cannot read token file '" + missing + "'"));
  EXPECT_THAT(run.err, HasSubstr("No such file or directory"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(CliToken, DirectoryAsTokenFileIsAnErrorNamingIt) {
  TempDir dir;
  CliRun run = RunHerald({"--url", UnusedLoopbackUrl(), "--token-file", dir.path(), "status"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("cannot read token file '" + dir.path() + "'"));
}

TEST(CliToken, EmptyTokenFileIsAnError) {
  TempDir dir;
  const std::string token_file = dir.Write("token", " \n");
  CliRun run = RunHerald({"--url", UnusedLoopbackUrl(), "--token-file", token_file, "status"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("token file '" + token_file + "' is empty"));
}

TEST(CliToken, TokenFileWithMoreThanOneLineIsRejected) {
  TempDir dir;
  const std::string token_file = dir.Write("token", "first\nX-Injected: yes\n");
  CliRun run = RunHerald({"--url", UnusedLoopbackUrl(), "--token-file", token_file, "status"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("does not hold a single token"));
}

TEST(CliOptions, TokenValueOnTheCommandLineIsRefusedAsAUsageError) {
  CliRun run = RunHerald({"--token", "abc", "status"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("never accepted on the command line"));
  EXPECT_THAT(run.err, HasSubstr("--token-file"));
}

TEST(CliOptions, HelpListsExitCodesAndExplainsWhereTheTokenComesFrom) {
  CliRun run = RunHerald({"--help"});

  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("Exit codes:"));
  EXPECT_THAT(run.out, HasSubstr("3  cannot reach the daemon"));
  EXPECT_THAT(run.out, HasSubstr("4  authentication failed"));
  EXPECT_THAT(run.out, HasSubstr("never accepted as a command-line value"));
  EXPECT_THAT(run.out, HasSubstr("--token-file FILE"));
  EXPECT_THAT(run.out, HasSubstr("HERALD_TOKEN"));
  EXPECT_THAT(run.out, HasSubstr("HERALD_URL"));
  EXPECT_THAT(run.out, HasSubstr("status"));
  EXPECT_THAT(run.out, Not(HasSubstr("--token TEXT")));  // the refusing --token stays hidden
}

TEST(CliOptions, UnknownOptionIsAUsageError) {
  CliRun run = RunHerald({"--frobnicate", "status"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, StartsWith("herald: error: "));
  EXPECT_THAT(run.out, IsEmpty());
}

TEST(CliOptions, MissingSubcommandIsAUsageError) {
  CliRun run = RunHerald({});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, StartsWith("herald: error: "));
}

TEST(CliOptions, TimeoutMustBePositive) {
  CliRun run = RunHerald({"--timeout", "0", "status"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--timeout"));
}

TEST(CliOptions, HeraldUrlFromTheEnvironmentIsUsedWithoutUrlOption) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"status"}, {{"HERALD_URL", server.url()}});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr(server.url()));
}

TEST(CliOptions, UrlOptionWinsOverHeraldUrl) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "status"}, {{"HERALD_URL", UnusedLoopbackUrl()}});

  EXPECT_EQ(run.exit_code, 0) << run.err;
}

TEST(CliOptions, UrlWithoutHttpSchemeIsRejectedBeforeAnyRequest) {
  CliRun run = RunHerald({"--url", "127.0.0.1:8420", "status"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("url: '127.0.0.1:8420' is not an http:// or https:// URL"));
}

TEST(CliOptions, VersionFlagPrintsTheVersion) {
  CliRun run = RunHerald({"--version"});

  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, StartsWith("herald "));
}

// The X-Herald-Actor header of the requests of one `herald status` run (all must agree).
std::string ActorSent(const TestHttpServer& server) {
  std::string actor = "<no request>";
  for (const RecordedRequest& request : server.requests()) {
    if (actor != "<no request>" && request.actor != actor) return "<differs between requests>";
    actor = request.actor;
  }
  return actor;
}

TEST(CliActor, ActorOptionWinsOverUser) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "--actor", "ops-bot", "status"},
                         {{"HERALD_TOKEN", kToken}, {"USER", "alice"}});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ActorSent(server), "ops-bot");
}

TEST(CliActor, UserIsTheActorWithoutActorOption) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "status"}, {{"USER", "alice"}});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ActorSent(server), "alice");
}

TEST(CliActor, CliIsTheActorWithoutActorOptionOrUsableUser) {
  TestHttpServer server(FakeDaemon());
  CliRun run = RunHerald({"--url", server.url(), "status"}, {{"USER", "bad\nuser"}});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ActorSent(server), "cli");
}

TEST(CliActor, ActorWithControlCharactersIsAUsageError) {
  CliRun run = RunHerald({"--url", UnusedLoopbackUrl(), "--actor", "a\r\nX-Evil: 1", "status"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--actor"));
}

// The daemon refuses an actor that is not UTF-8 (http::CheckActor): the CLI says so first.
TEST(CliActor, ActorThatIsNotUtf8IsAUsageErrorAndAUserThatIsNotIsLeftOut) {
  CliRun run = RunHerald({"--url", UnusedLoopbackUrl(), "--actor", "J\xfcrgen", "status"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--actor"));
  EXPECT_THAT(run.err, HasSubstr("UTF-8"));

  TestHttpServer server(FakeDaemon());
  CliRun user = RunHerald({"--url", server.url(), "status"}, {{"USER", "J\xfcrgen"}});
  EXPECT_EQ(user.exit_code, 0) << user.err;
  EXPECT_EQ(ActorSent(server), "cli");
}

}  // namespace
}  // namespace herald::cli::testing
