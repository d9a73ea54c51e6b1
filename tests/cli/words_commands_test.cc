// `herald words` end to end: RunCli in-process against a real loopback HTTP server.
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
using ::testing::Not;

constexpr char kLists[] = R"({"lists":[{"name":"global","language":"","version":1,"terms":12},)"
                          R"({"name":"de","language":"de","version":3,"terms":41}]})";
constexpr char kDeList[] =
    R"({"name":"de","language":"de","version":2,"terms":[)"
    R"({"term":"kostenlos","match":"word","severity":"block","note":"spam trigger"},)"
    R"({"term":"krypto","match":"prefix","severity":"review","note":""}]})";
constexpr char kChange[] =
    R"({"name":"de","changed":true,"version":4,"previous_version":3,"added":2,"updated":1,)"
    R"("removed":0,"terms":43})";
constexpr char kNoChange[] =
    R"({"name":"de","changed":false,"version":3,"previous_version":3,"added":0,"updated":0,)"
    R"("removed":0,"terms":1})";
constexpr char kCsv[] = "term,match,severity,note\nkostenlos,word,block,spam trigger\n";

CliRun Herald(const TestHttpServer& server, std::vector<std::string> args) {
  args.insert(args.begin(), {"--url", server.url()});
  return RunHerald(std::move(args), {{"HERALD_TOKEN", kToken}, {"USER", "alice"}});
}

boost::json::value BodyOf(const TestHttpServer& server) {
  return boost::json::parse(server.requests().at(0).body);
}

std::string ReadAll(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

TEST(WordsList, PrintsATableWithGlobalForTheListWithoutLanguage) {
  TestHttpServer server(FakeApi({{"GET /v1/wordlists", {{200, kLists}}}}));
  CliRun run = Herald(server, {"words", "list"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "NAME    LANGUAGE  VERSION  TERMS\n"
            "global  (global)  1        12\n"
            "de      de        3        41\n");
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(WordsList, SaysSoWhenThereAreNoneAndPrintsJsonWithJson) {
  TestHttpServer server(FakeApi({{"GET /v1/wordlists", {{200, R"({"lists":[]})"}}}}));
  CliRun text = Herald(server, {"words", "list"});
  CliRun json = Herald(server, {"words", "list", "--json"});

  EXPECT_EQ(text.out, "no word lists\n");
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(boost::json::parse(json.out), boost::json::parse(R"({"lists":[]})"));
}

TEST(WordsCreate, PostsTheNameLanguageAndReason) {
  TestHttpServer server(
      FakeApi({{"POST /v1/wordlists",
                {{201, R"({"name":"de-promo","language":"de","version":1,"terms":0})"}}}}));
  CliRun run =
      Herald(server, {"words", "create", "de-promo", "--language", "de", "--reason", "TICKET-7"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "created word list de-promo for language de, version 1\n");
  EXPECT_EQ(BodyOf(server),
            boost::json::parse(R"({"name":"de-promo","language":"de","reason":"TICKET-7"})"));
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(WordsCreate, WithoutLanguageCreatesAGlobalList) {
  TestHttpServer server(
      FakeApi({{"POST /v1/wordlists",
                {{201, R"({"name":"promo","language":"","version":1,"terms":0})"}}}}));
  CliRun run = Herald(server, {"words", "create", "promo", "--reason", "new"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "created word list promo for all languages, version 1\n");
  EXPECT_EQ(BodyOf(server).at("language"), boost::json::value(""));
}

// The daemon answers a create with the change (docs/openapi.yaml), which has no language.
TEST(WordsCreate, NamesTheLanguageAskedForWhenTheAnswerHasNone) {
  TestHttpServer server(
      FakeApi({{"POST /v1/wordlists",
                {{201, R"({"name":"promo-fr","changed":true,"version":1,"previous_version":0,)"
                       R"("added":0,"updated":0,"removed":0,"terms":0})"}}}}));
  CliRun run = Herald(server, {"words", "create", "promo-fr", "--language", "fr", "--reason", "r"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "created word list promo-fr for language fr, version 1\n");
}

// Every change needs a reason: without one the CLI stops before sending anything.
class WordsChangeWithoutReason : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(WordsChangeWithoutReason, IsAUsageErrorNamingReasonAndSendsNothing) {
  TestHttpServer server(FakeApi({}));
  TempDir dir;
  std::vector<std::string> args = GetParam();
  for (std::string& arg : args) {
    if (arg == "FILE") arg = dir.Write("de.csv", kCsv);
  }
  CliRun run = Herald(server, args);

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--reason"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    EveryChange, WordsChangeWithoutReason,
    ::testing::Values(std::vector<std::string>{"words", "create", "de-promo"},
                      std::vector<std::string>{"words", "add", "de", "gratis"},
                      std::vector<std::string>{"words", "remove", "de", "gratis"},
                      std::vector<std::string>{"words", "import", "de", "FILE"},
                      std::vector<std::string>{"words", "add", "de", "gratis", "--reason", " "}));

TEST(WordsShow, AsksForTheVersionAndPrintsTheTerms) {
  TestHttpServer server(FakeApi({{"GET /v1/wordlists/de?version=2", {{200, kDeList}}}}));
  CliRun run = Herald(server, {"words", "show", "de", "--version", "2"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "word list de for language de, version 2, 2 terms\n"
            "TERM       MATCH   SEVERITY  NOTE\n"
            "kostenlos  word    block     spam trigger\n"
            "krypto     prefix  review\n");
}

TEST(WordsShow, PercentEncodesTheListName) {
  TestHttpServer server(
      FakeApi({{"GET /v1/wordlists/my%20list%2Fx",
                {{200, R"({"name":"my list/x","language":"","version":1,"terms":[]})"}}}}));
  CliRun run = Herald(server, {"words", "show", "my list/x"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "word list my list/x for all languages, version 1, 0 terms\n");
}

TEST(WordsShow, RefusesAVersionBelowOne) {
  TestHttpServer server(FakeApi({}));
  CliRun run = Herald(server, {"words", "show", "de", "--version", "0"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--version: must be a version number (1 or more)"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(WordsShow, UnknownListExitsOneWithTheServersMessage) {
  TestHttpServer server(FakeApi(
      {{"GET /v1/wordlists/nope",
        {{404,
          R"({"error":{"code":"not_found","message":"no word list nope","field":"name"}})"}}}}));
  CliRun run = Herald(server, {"words", "show", "nope"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "herald: error: name: no word list nope\n");
  EXPECT_THAT(run.out, IsEmpty());
}

TEST(WordsHistory, PrintsTheVersionsWithTimesAsTheOtherCommandsDo) {
  TestHttpServer server(
      FakeApi({{"GET /v1/wordlists/de/versions",
                {{200, R"({"name":"de","versions":[)"
                       R"({"version":2,"actor":"bob","reason":"TICKET-9\nmore","created_at":)"
                       R"("2024-05-01T13:00:00.250Z","terms":2},)"
                       R"({"version":1,"actor":"alice","reason":"created","created_at":)"
                       R"("2024-05-01T12:00:00Z","terms":0}]})"}}}}));
  CliRun run = Herald(server, {"words", "history", "de"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "VERSION  CREATED               BY     TERMS  REASON\n"
            "2        2024-05-01 13:00:00Z  bob    2      TICKET-9 more\n"
            "1        2024-05-01 12:00:00Z  alice  0      created\n");
}

TEST(WordsAdd, PostsEveryTermWithTheGivenOptionsAndPrintsTheChange) {
  TestHttpServer server(FakeApi({{"POST /v1/wordlists/de/terms", {{200, kChange}}}}));
  CliRun run =
      Herald(server, {"words", "add", "de", "krypto", "sie haben gewonnen", "--match", "prefix",
                      "--severity", "review", "--note", "scam", "--reason", "TICKET-8"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "word list de: version 3 -> 4: 2 added, 1 updated, 0 removed; 43 terms\n");
  EXPECT_EQ(
      BodyOf(server),
      boost::json::parse(R"({"terms":[)"
                         R"({"term":"krypto","match":"prefix","severity":"review","note":"scam"},)"
                         R"({"term":"sie haben gewonnen","match":"prefix","severity":"review",)"
                         R"("note":"scam"}],"reason":"TICKET-8"})"));
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(WordsAdd, DefaultsToBlockingWholeWords) {
  TestHttpServer server(FakeApi({{"POST /v1/wordlists/de/terms", {{200, kChange}}}}));
  CliRun run = Herald(server, {"words", "add", "de", "gratis", "--reason", "r"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(BodyOf(server), boost::json::parse(R"({"terms":[{"term":"gratis","match":"word",)"
                                               R"("severity":"block","note":""}],"reason":"r"})"));
}

TEST(WordsAdd, TakesTermsStartingWithADashAfterTheDoubleDash) {
  TestHttpServer server(FakeApi({{"POST /v1/wordlists/de/terms", {{200, kChange}}}}));
  CliRun run = Herald(server, {"words", "add", "de", "--match", "phrase", "--reason", "r", "--",
                               "-50% rabatt", "--gratis"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(BodyOf(server).at("terms").at(0).at("term"), boost::json::value("-50% rabatt"));
  EXPECT_EQ(BodyOf(server).at("terms").at(1).at("term"), boost::json::value("--gratis"));
}

TEST(WordsAdd, RefusesAnUnknownMatchKind) {
  TestHttpServer server(FakeApi({}));
  CliRun run = Herald(server, {"words", "add", "de", "gratis", "--match", "wrd", "--reason", "r"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--match"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(WordsRemove, PostsTheTermsAndTheirMatchKindAndSaysWhenNothingChanged) {
  TestHttpServer server(FakeApi({{"POST /v1/wordlists/de/terms/remove", {{200, kNoChange}}}}));
  CliRun run = Herald(server, {"words", "remove", "de", "gratis", "krypto", "--match", "prefix",
                               "--reason", "false positive"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "word list de: no change (version 3, 1 term)\n");
  EXPECT_EQ(
      BodyOf(server),
      boost::json::parse(R"({"terms":[{"term":"gratis","match":"prefix"},)"
                         R"({"term":"krypto","match":"prefix"}],"reason":"false positive"})"));
}

TEST(WordsImport, PutsTheFileAsCsvMergingWithTheReasonInTheQuery) {
  TestHttpServer server(FakeApi(
      {{"PUT /v1/wordlists/de/csv?mode=merge&reason=ticket%20%2342%20%C3%BC", {{200, kChange}}}}));
  TempDir dir;
  CliRun run = Herald(server, {"words", "import", "de", dir.Write("de.csv", kCsv), "--reason",
                               "ticket #42 \xC3\xBC"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "word list de: version 3 -> 4: 2 added, 1 updated, 0 removed; 43 terms\n");
  const RecordedRequest request = server.requests().at(0);
  EXPECT_EQ(request.body, kCsv);
  EXPECT_EQ(request.content_type, "text/csv");
  EXPECT_EQ(request.actor, "alice");
}

TEST(WordsImport, ReplaceAsksForReplaceModeAndJsonPrintsTheChange) {
  TestHttpServer server(
      FakeApi({{"PUT /v1/wordlists/de/csv?mode=replace&reason=r", {{200, kChange}}}}));
  TempDir dir;
  CliRun run = Herald(server, {"words", "import", "de", dir.Write("de.csv", kCsv), "--replace",
                               "--reason", "r", "--json"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(kChange));
}

TEST(WordsImport, RefusedFileListsEveryProblemOnItsOwnIndentedLine) {
  TestHttpServer server(
      FakeApi({{"PUT /v1/wordlists/de/csv?mode=merge&reason=r",
                {{400, R"({"error":{"code":"invalid_argument","message":)"
                       R"("de.csv:3: match: unknown match kind \"wrd\"; did you mean \"word\"?\n)"
                       R"(de.csv:5: term: the term is empty\n","field":"csv"}})"}}}}));
  TempDir dir;
  const std::string file = dir.Write("de.csv", kCsv);
  CliRun run = Herald(server, {"words", "import", "de", file, "--reason", "r"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "herald: error: csv: " + file +
                         ":3: match: unknown match kind \"wrd\"; did you mean "
                         "\"word\"?\n"
                         "  " +
                         file + ":5: term: the term is empty\n");
  EXPECT_THAT(run.out, IsEmpty());
}

// The daemon calls the file "<list>.csv"; the user gave another name.
TEST(WordsImport, ErrorsNameTheFileGivenOnTheCommandLine) {
  TestHttpServer server(
      FakeApi({{"PUT /v1/wordlists/en/csv?mode=merge&reason=r",
                {{400, R"({"error":{"code":"invalid_argument","message":)"
                       R"("en.csv:2: term: the term is empty\n)"
                       R"(en.csv:4: match: unknown match kind \"x\"\n)"
                       R"(en.csv: more than 100 problems\n","field":"csv"}})"}}}}));
  TempDir dir;
  const std::string file = dir.Write("bad.csv", kCsv);
  CliRun run = Herald(server, {"words", "import", "en", file, "--reason", "r"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "herald: error: csv: " + file + ":2: term: the term is empty\n  " + file +
                         ":4: match: unknown match kind \"x\"\n  " + file +
                         ": more than 100 problems\n");
  EXPECT_THAT(run.err, Not(HasSubstr("en.csv")));
}

TEST(WordsImport, OtherErrorsAreLeftAsTheDaemonSentThem) {
  TestHttpServer server(
      FakeApi({{"PUT /v1/wordlists/en/csv?mode=merge&reason=r",
                {{404, R"({"error":{"code":"not_found","message":"en.csv: no word list named )"
                       R"(\"en\"","field":"list"}})"}}}}));
  TempDir dir;
  CliRun run =
      Herald(server, {"words", "import", "en", dir.Write("bad.csv", kCsv), "--reason", "r"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "herald: error: list: en.csv: no word list named \"en\"\n");
}

TEST(WordsImport, UnreadableFileExitsOneNamingItAndSendsNothing) {
  TestHttpServer server(FakeApi({}));
  TempDir dir;
  const std::string missing = dir.path() + "/missing.csv";
  CliRun run = Herald(server, {"words", "import", "de", missing, "--reason", "r"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "herald: error: cannot read '" + missing + "': No such file or directory\n");
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(WordsExport, WritesTheRawCsvOfTheVersionToStdoutEvenWithJson) {
  TestHttpServer server(
      FakeApi({{"GET /v1/wordlists/de/csv?version=3", {{200, kCsv, "text/csv; charset=utf-8"}}}}));
  CliRun run = Herald(server, {"words", "export", "de", "--version", "3", "--json"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, kCsv);
}

TEST(WordsExport, WritesTheCsvToTheOutputFile) {
  TestHttpServer server(
      FakeApi({{"GET /v1/wordlists/de/csv", {{200, kCsv, "text/csv; charset=utf-8"}}}}));
  TempDir dir;
  const std::string output = dir.path() + "/de.csv";
  CliRun run = Herald(server, {"words", "export", "de", "--output", output});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_EQ(ReadAll(output), kCsv);
}

constexpr char kBlockedText[] = "Jetzt kostenlos testen! Krypto-Gewinne sicher";
constexpr char kBlockedAnswer[] =
    R"({"blocked":true,"matches":[)"
    R"({"list":"de","version":3,"term":"kostenlos","match":"word","severity":"block",)"
    R"("note":"spam trigger","begin":6,"end":15,"excerpt":"kostenlos"},)"
    R"({"list":"global","version":1,"term":"krypto","match":"prefix","severity":"review",)"
    R"("note":"","begin":24,"end":30,"excerpt":"Krypto"}]})";

TEST(WordsTest, BlockedTextExitsOneAndMarksEachMatch) {
  TestHttpServer server(FakeApi({{"POST /v1/wordlists/test", {{200, kBlockedAnswer}}}}));
  CliRun run = Herald(server, {"words", "test", kBlockedText, "--language", "de"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out,
            "would be blocked: 1 blocking match, 1 for review\n"
            "block   \"kostenlos\" (word) in list de v3: spam trigger\n"
            "  Jetzt kostenlos testen! Krypto-Gewinne sicher\n"
            "        ^^^^^^^^^\n"
            "review  \"krypto\" (prefix) in list global v1\n"
            "  Jetzt kostenlos testen! Krypto-Gewinne sicher\n"
            "                          ^^^^^^\n");
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(BodyOf(server), boost::json::parse(std::string(R"({"text":")") + kBlockedText +
                                               R"(","language":"de"})"));
}

TEST(WordsTest, BlockedTextExitsOneWithJsonToo) {
  TestHttpServer server(FakeApi({{"POST /v1/wordlists/test", {{200, kBlockedAnswer}}}}));
  CliRun run = Herald(server, {"--json", "words", "test", kBlockedText});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(kBlockedAnswer));
  EXPECT_EQ(BodyOf(server).at("language"), boost::json::value(""));
}

TEST(WordsTest, ReviewOnlyMatchesExitZero) {
  TestHttpServer server(FakeApi(
      {{"POST /v1/wordlists/test",
        {{200, R"({"blocked":false,"matches":[{"list":"global","version":1,"term":"krypto",)"
               R"("match":"prefix","severity":"review","note":"","begin":0,"end":6,)"
               R"("excerpt":"Krypto"}]})"}}}}));
  CliRun run = Herald(server, {"words", "test", "Krypto heute"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "would not be blocked: 1 match for review\n"
            "review  \"krypto\" (prefix) in list global v1\n"
            "  Krypto heute\n"
            "  ^^^^^^\n");
}

TEST(WordsTest, CleanTextExitsZero) {
  TestHttpServer server(
      FakeApi({{"POST /v1/wordlists/test", {{200, R"({"blocked":false,"matches":[]})"}}}}));
  CliRun run = Herald(server, {"words", "test", "Hallo"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "would not be blocked: no matches\n");
}

// Without --language the daemon checks every list (WordFilter::Scan), as docs/cli.md says.
TEST(WordsTest, HelpSaysEveryListIsCheckedWithoutALanguage) {
  CliRun run = RunHerald({"words", "test", "--help"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("default: every list"));
  EXPECT_THAT(run.out, Not(HasSubstr("global lists only")));
}

TEST(WordsTest, MultiLineTextShowsTheLineOfTheMatch) {
  TestHttpServer server(
      FakeApi({{"POST /v1/wordlists/test",
                {{200, R"({"blocked":true,"matches":[{"list":"de","version":3,"term":"kostenlos",)"
                       R"("match":"word","severity":"block","note":"","begin":12,"end":21,)"
                       R"("excerpt":"kostenlos"}]})"}}}}));
  CliRun run = Herald(server, {"words", "test", "Hallo\nJetzt kostenlos\nTschuess"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out,
            "would be blocked: 1 blocking match\n"
            "block   \"kostenlos\" (word) in list de v3\n"
            "  line 2: Jetzt kostenlos\n"
            "                ^^^^^^^^^\n");
}

TEST(WordsTest, OffsetsOutsideTheTextFallBackToTheExcerpt) {
  TestHttpServer server(
      FakeApi({{"POST /v1/wordlists/test",
                {{200, R"({"blocked":true,"matches":[{"list":"de","version":3,"term":"kostenlos",)"
                       R"("match":"word","severity":"block","note":"","begin":40,"end":49,)"
                       R"("excerpt":"kostenlos"}]})"}}}}));
  CliRun run = Herald(server, {"words", "test", "short"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr("  \"kostenlos\" at bytes 40-49\n"));
}

TEST(WordsList, NeedsTheToken) {
  TestHttpServer server(FakeApi({}));
  CliRun run = RunHerald({"--url", server.url(), "words", "list"});

  EXPECT_EQ(run.exit_code, 4);
  EXPECT_THAT(run.err, HasSubstr("needs the admin token"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(WordsTest, UnreachableDaemonExitsThree) {
  CliRun run = RunHerald({"--url", UnusedLoopbackUrl(), "words", "test", "Hallo"},
                         {{"HERALD_TOKEN", kToken}});

  EXPECT_EQ(run.exit_code, 3);
}

}  // namespace
}  // namespace herald::cli::testing
