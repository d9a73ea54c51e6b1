// `herald contacts` end to end: RunCli in-process against a real loopback HTTP server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "cli/command_util.h"
#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_daemon.h"
#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kCsv[] = "phone,name\n+4915112345678,Anna\nnot-a-number,Bob\n";
constexpr char kRejectsCsv[] = "line,reason,phone,name\n3,not a phone number,not-a-number,Bob\n";

std::string ImportJson(std::string_view state, int rows, std::string_view extra = "") {
  return R"({"id":"imp-1","state":")" + std::string(state) + R"(","actor":"alice","rows":)" +
         std::to_string(rows) + R"(,"created":1,"updated":0,"unchanged":0,"rejected":)" +
         (rows == 2 ? "1" : "0") + R"(,"started_ms":1700000000000)" + std::string(extra) + "}";
}

CliRun Herald(const TestHttpServer& server, std::vector<std::string> args,
              std::map<std::string, std::string> env = {{"USER", "alice"}}) {
  args.insert(args.begin(), {"--url", server.url()});
  env.emplace("HERALD_TOKEN", kToken);
  return RunHerald(std::move(args), std::move(env));
}

std::string ReadAll(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

TEST(ContactsImport, UploadsTheFileWaitsForTheImportAndWritesTheRejects) {
  TestHttpServer server(FakeApi({
      {"POST /v1/contacts/imports?format=csv&default_region=DE&replace_tags=true&"
       "consent_source=web%20form%20%232",
       {{202, ImportJson("running", 0)}}},
      {"GET /v1/contacts/imports/imp-1",
       {{200, ImportJson("running", 1)},
        {200, ImportJson("completed", 2, R"(,"finished_ms":1700000000400)")}}},
      {"GET /v1/contacts/imports/imp-1/rejects", {{200, kRejectsCsv, "text/csv; charset=utf-8"}}},
  }));
  TempDir dir;
  const std::string file = dir.Write("contacts.csv", kCsv);
  const std::string rejects = dir.path() + "/rejects.csv";
  CliRun run =
      Herald(server, {"contacts", "import", file, "--format", "csv", "--default-region", "DE",
                      "--replace-tags", "--consent-source", "web form #2", "--rejects", rejects});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "import imp-1 completed: 2 rows, 1 created, 0 updated, 0 unchanged, 1 rejected\n"
            "1 row was rejected: see " +
                rejects +
                "\n"
                "  line 3: not a phone number\n");
  EXPECT_THAT(run.err, IsEmpty());  // no progress line: err is not a terminal
  EXPECT_EQ(ReadAll(rejects), kRejectsCsv);
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].content_type, "text/csv");
  EXPECT_EQ(requests[0].body, kCsv);
  EXPECT_EQ(requests[1].target, "/v1/contacts/imports/imp-1");
  EXPECT_EQ(requests[2].target, "/v1/contacts/imports/imp-1");
  EXPECT_EQ(requests[3].target, "/v1/contacts/imports/imp-1/rejects");
  for (const RecordedRequest& request : requests) EXPECT_EQ(request.actor, "alice");
}

TEST(ContactsImport, SaysWhereTheRejectsAreWithoutRejectsFile) {
  TestHttpServer server(FakeApi({
      {"POST /v1/contacts/imports", {{202, ImportJson("completed", 2)}}},
  }));
  TempDir dir;
  CliRun run = Herald(server, {"contacts", "import", dir.Write("c.csv", kCsv)});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("1 row was rejected: GET /v1/contacts/imports/imp-1/rejects"));
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);  // finished already: no polling, only the rejects to show
  EXPECT_EQ(requests[1].target, "/v1/contacts/imports/imp-1/rejects");
  EXPECT_THAT(run.out, HasSubstr("  (not shown: ")) << "this fake daemon has no rejects";
}

// A daemon's rejects CSV with `count` rejects, lines 2, 3, …, in a ';'-delimited file.
std::string ManyRejects(int count) {
  std::string csv = "line;reason;phone;name\r\n";
  for (int i = 0; i < count; ++i) {
    csv += std::to_string(i + 2) + ";\"column \"\"phone\"\": \"\"x" + std::to_string(i) +
           "\"\": not_a_number; not a phone number\";x" + std::to_string(i) + ";n\r\n";
  }
  return csv;
}

std::string RejectedJson(int rejected, std::string_view extra = "") {
  return R"({"id":"imp-1","state":"completed","actor":"alice","rows":)" +
         std::to_string(rejected + 1) + R"(,"created":1,"updated":0,"unchanged":0,"rejected":)" +
         std::to_string(rejected) + R"(,"started_ms":1700000000000)" + std::string(extra) + "}";
}

TEST(ContactsImport, PrintsTheFirstTenRejectsAndWhereTheRestAre) {
  TestHttpServer server(FakeApi({
      {"POST /v1/contacts/imports", {{202, RejectedJson(12)}}},
      {"GET /v1/contacts/imports/imp-1/rejects", {{200, ManyRejects(12), "text/csv"}}},
  }));
  TempDir dir;
  const std::string rejects = dir.path() + "/rejects.csv";
  CliRun run =
      Herald(server, {"contacts", "import", dir.Write("c.csv", kCsv), "--rejects", rejects});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::string expected =
      "import imp-1 completed: 13 rows, 1 created, 0 updated, 0 unchanged, 12 rejected\n"
      "12 rows were rejected: see " +
      rejects + "\n";
  for (int i = 0; i < 10; ++i) {
    expected += "  line " + std::to_string(i + 2) + ": column \"phone\": \"x" + std::to_string(i) +
                "\": not_a_number; not a phone number\n";
  }
  expected += "  \u2026 and 2 more: see " + rejects + "\n";
  EXPECT_EQ(run.out, expected);
  EXPECT_EQ(ReadAll(rejects), ManyRejects(12));
}

TEST(ContactsImport, WithoutRejectsFileSaysHowToGetTheRest) {
  TestHttpServer server(FakeApi({
      {"POST /v1/contacts/imports", {{202, RejectedJson(11)}}},
      {"GET /v1/contacts/imports/imp-1/rejects", {{200, ManyRejects(11), "text/csv"}}},
  }));
  TempDir dir;
  CliRun run = Herald(server, {"contacts", "import", dir.Write("c.csv", kCsv)});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("  line 11: column \"phone\": \"x9\": not_a_number"));
  EXPECT_THAT(run.out, Not(HasSubstr("line 12:")));
  EXPECT_THAT(run.out,
              HasSubstr("  \u2026 and 1 more: GET /v1/contacts/imports/imp-1/rejects lists "
                        "them (or import with --rejects FILE)\n"));
}

TEST(ContactsImport, PrintsTheWarningsAndTheirCount) {
  std::string samples;
  for (int i = 0; i < 12; ++i) {
    samples += std::string(i == 0 ? "" : ",") + "\"line " + std::to_string(i + 3) +
               ": +4915112345678 also on line 2; the later row was applied\"";
  }
  TestHttpServer server(FakeApi({
      {"POST /v1/contacts/imports",
       {{202, RejectedJson(0, R"(,"warnings":1500,"warning_samples":[)" + samples + "]")}}},
  }));
  TempDir dir;
  CliRun run = Herald(server, {"contacts", "import", dir.Write("c.csv", kCsv)});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::string expected =
      "import imp-1 completed: 1 rows, 1 created, 0 updated, 0 unchanged, 0 rejected, 1500 "
      "warnings\n"
      "1500 warnings:\n";
  for (int i = 0; i < 10; ++i) {
    expected += "  line " + std::to_string(i + 3) +
                ": +4915112345678 also on line 2; the later row was applied\n";
  }
  expected +=
      "  \u2026 and 1490 more: GET /v1/contacts/imports/imp-1 lists the first 100 "
      "(warning_samples)\n";
  EXPECT_EQ(run.out, expected);
  EXPECT_EQ(server.requests().size(), 1u) << "no rejects to fetch";
}

TEST(ContactsImport, EncodingGoesToTheQuery) {
  TestHttpServer server(FakeApi({
      {"POST /v1/contacts/imports?encoding=windows-1252", {{202, ImportJson("completed", 1)}}},
  }));
  TempDir dir;
  CliRun run = Herald(server, {"contacts", "import", dir.Write("c.csv", "phone,name\n+1,J\xFC\n"),
                               "--encoding", "windows-1252"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(server.requests().at(0).body, "phone,name\n+1,J\xFC\n") << "sent as it is";
}

TEST(ContactsImport, UnknownEncodingIsAUsageError) {
  TestHttpServer server(FakeApi({}));
  TempDir dir;
  CliRun run =
      Herald(server, {"contacts", "import", dir.Write("c.csv", kCsv), "--encoding", "ebcdic"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--encoding"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(ContactsImport, FailedImportExitsOneWithTheDaemonsReason) {
  TestHttpServer server(FakeApi({
      {"POST /v1/contacts/imports", {{202, ImportJson("running", 0)}}},
      {"GET /v1/contacts/imports/imp-1",
       {{200, ImportJson("failed", 1, R"(,"error":"disk full")")}}},
  }));
  TempDir dir;
  CliRun run = Herald(server, {"contacts", "import", dir.Write("c.csv", kCsv)});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr("import imp-1 failed: 1 rows"));
  EXPECT_EQ(run.err, "herald: error: import imp-1 failed: disk full\n");
}

TEST(ContactsImport, NoWaitSendsJsonLinesAndPrintsTheServersJson) {
  TestHttpServer server(FakeApi({
      {"POST /v1/contacts/imports", {{202, ImportJson("running", 0)}}},
  }));
  TempDir dir;
  const std::string file = dir.Write("c.jsonl", "{\"phone\":\"+4915112345678\"}\n");
  CliRun run = Herald(server, {"contacts", "import", file, "--no-wait", "--json"}, {});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(ImportJson("running", 0)));
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].content_type, "application/x-ndjson");
  EXPECT_EQ(requests[0].actor, "cli");  // neither --actor nor USER
}

TEST(ContactsImport, WaitingWithJsonPrintsTheFinalState) {
  TestHttpServer server(FakeApi({
      {"POST /v1/contacts/imports", {{202, ImportJson("running", 0)}}},
      {"GET /v1/contacts/imports/imp-1", {{200, ImportJson("completed", 1)}}},
  }));
  TempDir dir;
  CliRun run = Herald(server, {"--json", "contacts", "import", dir.Write("c.csv", kCsv)});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(ImportJson("completed", 1)));
}

TEST(ContactsImport, UnreadableFileExitsOneNamingItAndSendsNothing) {
  TestHttpServer server(FakeApi({}));
  TempDir dir;
  const std::string missing = dir.path() + "/missing.csv";
  CliRun run = Herald(server, {"contacts", "import", missing});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("cannot read '" + missing + "': No such file or directory"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(ContactsShow, PercentEncodesThePhoneAndPrintsTheContact) {
  TestHttpServer server(FakeApi({{"GET /v1/contacts/%2B4915112345678", {{200, kContactBody}}}}));
  CliRun run = Herald(server, {"contacts", "show", "+4915112345678", "--actor", "bob"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "+4915112345678  Anna Schmidt\n"
            "  id          42\n"
            "  country     DE\n"
            "  language    de\n"
            "  timezone    Europe/Berlin\n"
            "  tags        vip, newsletter\n"
            "  opted out   no\n"
            "  consent     marketing yes, utility no\n"
            "  attributes  city=Berlin, plan=pro\n");
  EXPECT_EQ(server.requests().at(0).actor, "bob");  // --actor wins over USER
}

TEST(ContactsShow, JsonPrintsTheServersJson) {
  TestHttpServer server(FakeApi({{"GET /v1/contacts/%2B4915112345678", {{200, kContactBody}}}}));
  CliRun run = Herald(server, {"contacts", "show", "+4915112345678", "--json"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(boost::json::parse(run.out), boost::json::parse(kContactBody));
}

TEST(ContactsShow, UnknownContactExitsOneWithTheServersMessage) {
  TestHttpServer server(FakeApi({{"GET /v1/contacts/%2B4915199999999",
                                  {{404, R"({"error":{"code":"not_found","message":)"
                                         R"("no contact +4915199999999","field":"phone"}})"}}}}));
  CliRun run = Herald(server, {"contacts", "show", "+4915199999999"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "herald: error: phone: no contact +4915199999999\n");
  EXPECT_THAT(run.out, IsEmpty());
}

TEST(ContactsErase, SendsTheReasonInTheQuery) {
  TestHttpServer server(FakeApi({{"DELETE /v1/contacts/%2B4915112345678?reason=ticket%20%23123",
                                  {{200, R"({"erased":true,"id":42})"}}}}));
  CliRun run = Herald(server, {"contacts", "erase", "+4915112345678", "--reason", "ticket #123"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "erased +4915112345678 (contact 42)\n");
  EXPECT_EQ(server.requests().at(0).actor, "alice");
}

TEST(ContactsErase, WithoutReasonIsAUsageErrorAndSendsNothing) {
  TestHttpServer server(FakeApi({}));
  CliRun run = Herald(server, {"contacts", "erase", "+4915112345678"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--reason is required"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(ContactsTag, PostsTheTagsToAddAndRemove) {
  TestHttpServer server(
      FakeApi({{"POST /v1/contacts/%2B4915112345678/tags", {{200, kContactBody}}}}));
  CliRun run = Herald(server, {"contacts", "tag", "--add", "vip", "+4915112345678", "--add",
                               "newsletter", "--remove", "trial"});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "+4915112345678: tags now vip, newsletter\n");
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].content_type, "application/json");
  EXPECT_EQ(boost::json::parse(requests[0].body),
            boost::json::parse(R"({"add":["vip","newsletter"],"remove":["trial"]})"));
}

TEST(ContactsTag, WithoutAddOrRemoveIsAUsageError) {
  TestHttpServer server(FakeApi({}));
  CliRun run = Herald(server, {"contacts", "tag", "+4915112345678"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("give --add TAG or --remove TAG"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("+4915112345678"), "%2B4915112345678");
  EXPECT_EQ(PercentEncode("vip dach/all?#%"), "vip%20dach%2Fall%3F%23%25");
  EXPECT_EQ(PercentEncode("a-b.c_d~e"), "a-b.c_d~e");
  EXPECT_EQ(PercentEncode("K\xc3\xb6ln"), "K%C3%B6ln");
}

}  // namespace
}  // namespace herald::cli::testing
