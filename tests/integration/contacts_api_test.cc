// Contacts and segments through the real daemon: import over HTTP, rejects, preview, export that
// imports back unchanged, tags, erasure, and an index that survives a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <thread>

#include "tests/integration/test_config.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr const char* kContacts =
    "phone,name,tags,consent_marketing,plan\n"
    "+49 151 12345678,Anna,vip;newsletter,yes,gold\n"
    "+44 7400 123456,Ben,vip,no,silver\n"
    "+43 664 123456,Cara,newsletter,yes,\n"
    "+49 30 1234567,Office,,,\n";

json::object Json(const HttpResult& result) {
  EXPECT_FALSE(result.body.empty()) << result.error;
  boost::system::error_code ec;
  json::value value = json::parse(result.body, ec);
  EXPECT_FALSE(ec) << result.body;
  return value.is_object() ? value.as_object() : json::object{};
}

class ContactsApi : public ::testing::Test {
 protected:
  void Start() {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), TestConfig(dir_));
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->Log();
  }
  void Stop() {
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << daemon_->Log();
    daemon_.reset();
  }
  void TearDown() override {
    if (daemon_) Stop();
  }
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    return HttpRequest(daemon_->port(), method, target, kToken, body);
  }
  // Posts an import and waits until it is no longer running.
  json::object Import(const std::string& file, const std::string& query = "format=csv") {
    auto started = Call("POST", "/v1/contacts/imports?" + query, file);
    EXPECT_EQ(started.status, 202) << started.body;
    std::string id(Json(started).at("id").as_string());
    for (int i = 0; i < 3000; ++i) {  // up to a minute on a loaded machine
      auto status = Json(Call("GET", "/v1/contacts/imports/" + id));
      if (status.at("state").as_string() != "running") return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "import " << id << " did not finish";
    return {};
  }
  std::int64_t Count(const std::string& expression) {
    json::object body{{"expression", expression}, {"sample", 0}};
    auto preview = Call("POST", "/v1/segments/preview", json::serialize(body));
    EXPECT_EQ(preview.status, 200) << preview.body;
    return Json(preview).at("count").as_int64();
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(ContactsApi, ImportReportsRejectsAndFeedsSegmentsThatSurviveARestart) {
  Start();
  auto result = Import(kContacts);
  EXPECT_EQ(result.at("state").as_string(), "completed");
  EXPECT_EQ(result.at("created").as_int64(), 3);
  EXPECT_EQ(result.at("rejected").as_int64(), 1);
  auto rejects = Call("GET", "/v1/contacts/imports/imp-1/rejects");
  EXPECT_EQ(rejects.status, 200);
  EXPECT_THAT(rejects.body, HasSubstr("not_mobile"));
  EXPECT_THAT(rejects.body, HasSubstr("+49 30 1234567,Office"));

  EXPECT_EQ(Count("tag:vip"), 2);
  EXPECT_EQ(Count("tag:vip AND opted_in:marketing"), 1);
  EXPECT_EQ(Count("tag:newsletter AND NOT country:DE"), 1);
  Stop();

  Start();
  EXPECT_EQ(Count("tag:vip"), 2) << "the index is rebuilt from the database at start";
  EXPECT_EQ(Count("attr.plan = \"gold\""), 1);
}

TEST_F(ContactsApi, ExportImportsBackUnchanged) {
  Start();
  Import(kContacts);
  auto exported =
      Call("POST", "/v1/segments/export", R"({"expression":"tag:vip OR tag:newsletter"})");
  ASSERT_EQ(exported.status, 200) << exported.body;
  auto again = Import(exported.body);
  EXPECT_EQ(again.at("rows").as_int64(), 3);
  EXPECT_EQ(again.at("unchanged").as_int64(), 3) << exported.body;
  EXPECT_EQ(again.at("rejected").as_int64(), 0);
}

TEST_F(ContactsApi, ImportStatusCountsWarningsAndShowsTheirSamples) {
  Start();
  auto result = Import("phone,name\n+4915112345678,Anna\n+49 151 12345678,Anna B.\n");
  EXPECT_EQ(result.at("state").as_string(), "completed");
  EXPECT_EQ(result.at("warnings").as_int64(), 1);
  EXPECT_EQ(result.at("warning_samples"),
            (json::array{"line 3: +4915112345678 also on line 2; the later row was applied"}));
  auto rejects = Call("GET", "/v1/contacts/imports/imp-1/rejects");
  EXPECT_EQ(rejects.body, "line,reason,phone,name\r\n") << "no rejects";
}

TEST_F(ContactsApi, ImportReadsTheEncodingItIsToldAndNamesTheOneAFileProbablyHas) {
  Start();
  const std::string latin = "phone,name,country\n+4915112345678,J\xFCrgen,DE\n";
  auto failed = Import(latin);
  EXPECT_EQ(failed.at("state").as_string(), "failed");
  EXPECT_THAT(std::string(failed.at("error").as_string()),
              HasSubstr("not UTF-8 at line 2, column \"name\", byte 0xFC: the file looks like "
                        "Windows-1252"));
  auto read = Import(latin, "encoding=windows-1252");
  EXPECT_EQ(read.at("state").as_string(), "completed") << json::serialize(read);
  auto contact = Json(Call("GET", "/v1/contacts/%2B4915112345678"));
  EXPECT_EQ(contact.at("name").as_string(), "J\xC3\xBCrgen");

  auto unknown = Call("POST", "/v1/contacts/imports?encoding=utf-16", latin);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Json(unknown).at("error").as_object().at("field").as_string(), "encoding");
}

// A file large enough that the import is still running when the daemon is killed: German mobile
// numbers +49151<8 digits>, one tag each.
std::string ManyContacts(int rows) {
  std::string file = "phone,name,tags\n";
  char line[64];
  for (int i = 0; i < rows; ++i) {
    std::snprintf(line, sizeof line, "+49151%08d,Person %d,bulk\n", i, i);
    file += line;
  }
  return file;
}

TEST_F(ContactsApi, AnImportCutByKillNineIsInterruptedAfterARestartAndRunsAgainSafely) {
  Start();
  const int kRows = 400'000;
  const std::string file = ManyContacts(kRows);
  auto started = Call("POST", "/v1/contacts/imports?format=csv", file);
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string id(Json(started).at("id").as_string());
  // Kill it once some batches are committed, while it still runs.
  bool running_with_rows = false;
  for (int i = 0; i < 500 && !running_with_rows; ++i) {
    auto status = Json(Call("GET", "/v1/contacts/imports/" + id));
    if (status.at("state").as_string() != "running") break;
    running_with_rows = status.at("created").as_int64() > 0;
    if (!running_with_rows) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(running_with_rows) << "the import finished before it could be killed";
  daemon_->Signal(SIGKILL);
  EXPECT_EQ(daemon_->WaitExit(seconds(10)), -SIGKILL);
  daemon_.reset();

  Start();
  auto after = Call("GET", "/v1/contacts/imports/" + id);
  ASSERT_EQ(after.status, 200) << after.body;
  auto interrupted = Json(after);
  EXPECT_EQ(interrupted.at("state").as_string(), "interrupted");
  EXPECT_THAT(std::string(interrupted.at("error").as_string()), HasSubstr("running the same"));
  const std::int64_t committed = interrupted.at("created").as_int64();
  EXPECT_GT(committed, 0);
  EXPECT_LT(committed, kRows);
  // What the status says was committed is what the index (rebuilt from the database) holds.
  EXPECT_EQ(Count("tag:bulk"), committed);
  // The import list shows it too, newest first.
  auto list = Json(Call("GET", "/v1/contacts/imports"));
  ASSERT_FALSE(list.at("imports").as_array().empty());
  EXPECT_EQ(list.at("imports").as_array()[0].as_object().at("id").as_string(), id);

  // Running the same file again creates the rest and changes nothing already stored.
  auto again = Import(file);
  EXPECT_EQ(again.at("state").as_string(), "completed");
  EXPECT_NE(again.at("id").as_string(), id) << "ids never repeat across restarts";
  EXPECT_EQ(again.at("unchanged").as_int64(), committed);
  EXPECT_EQ(again.at("updated").as_int64(), 0);
  EXPECT_EQ(again.at("created").as_int64(), kRows - committed);
  EXPECT_EQ(Count("tag:bulk"), kRows);
}

// Issue 15, item 4: SIGTERM lets an import that fits in the grace finish, instead of cancelling it
// at once.
TEST_F(ContactsApi, SigtermLetsARunningImportFinishWithinTheGrace) {
  Start();
  const int kRows = 20'000;
  auto started = Call("POST", "/v1/contacts/imports?format=csv", ManyContacts(kRows));
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string id(Json(started).at("id").as_string());
  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << daemon_->Log();
  EXPECT_THAT(daemon_->Log(), HasSubstr("event=imports_finishing"));
  daemon_.reset();

  Start();
  auto status = Json(Call("GET", "/v1/contacts/imports/" + id));
  EXPECT_EQ(status.at("state").as_string(), "completed");
  EXPECT_EQ(status.at("created").as_int64(), kRows);
  EXPECT_EQ(Count("tag:bulk"), kRows);
}

// Issue 15, item 4: an import that does not fit in the grace is recorded as interrupted (not
// cancelled), with what it committed, and runs again safely.
TEST_F(ContactsApi, AnImportLongerThanTheGraceIsRecordedAsInterrupted) {
  std::string config = TestConfig(dir_);
  const auto grace = config.find("shutdown_grace = \"5s\"");
  ASSERT_NE(grace, std::string::npos);
  config.replace(grace, std::string("shutdown_grace = \"5s\"").size(),
                 "shutdown_grace = \"100ms\"");
  daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
  ASSERT_TRUE(daemon_->WaitReady()) << daemon_->Log();
  const int kRows = 400'000;
  auto started = Call("POST", "/v1/contacts/imports?format=csv", ManyContacts(kRows));
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string id(Json(started).at("id").as_string());
  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->WaitExit(seconds(15)), 0) << daemon_->Log();
  daemon_.reset();

  Start();
  auto status = Json(Call("GET", "/v1/contacts/imports/" + id));
  ASSERT_EQ(status.at("state").as_string(), "interrupted") << "400,000 rows in 100 ms?";
  EXPECT_THAT(std::string(status.at("error").as_string()), HasSubstr("import the same file again"));
  EXPECT_EQ(Count("tag:bulk"), status.at("created").as_int64()) << "the count is what is stored";
}

TEST_F(ContactsApi, SyntaxErrorNamesThePositionAndTheField) {
  Start();
  auto bad = Call("POST", "/v1/segments/preview", R"({"expression":"tag:vip AND (country:DE"})");
  EXPECT_EQ(bad.status, 400);
  auto error = Json(bad).at("error").as_object();
  EXPECT_EQ(error.at("field").as_string(), "expression");
  EXPECT_THAT(std::string(error.at("message").as_string()), HasSubstr("position"));
}

// Issue 15, item 5: names that a probe got stored are refused with a 400 naming the field, and
// nothing changes.
TEST_F(ContactsApi, InvalidTagAndSegmentNamesAreRefusedNamingTheField) {
  Start();
  Import(kContacts);
  const std::int64_t vip = Count("tag:vip");
  ASSERT_GT(vip, 0);
  auto renamed = Call("POST", "/v1/tags/vip/rename", R"({"to":"new\u0000x"})");
  EXPECT_EQ(renamed.status, 400) << renamed.body;
  EXPECT_EQ(Json(renamed).at("error").at("field").as_string(), "to");
  EXPECT_EQ(Count("tag:vip"), vip) << "tag:vip was not emptied";

  for (const std::string& tag : {std::string(""), std::string("semi;colon"),
                                 std::string("New\\nLine"), std::string(100'000, 'a')}) {
    auto applied =
        Call("POST", "/v1/tags/apply", R"({"add":[")" + tag + R"("],"segment":"tag:vip"})");
    EXPECT_EQ(applied.status, 400) << tag.substr(0, 20) << ": " << applied.body.substr(0, 200);
    EXPECT_EQ(Json(applied).at("error").at("field").as_string(), "add");
  }
  for (const char* name : {"a%00b", "a%ffb", "..%2f..%2fetc"}) {
    auto saved = Call("PUT", std::string("/v1/segments/") + name, R"({"expression":"tag:vip"})");
    EXPECT_EQ(saved.status, 400) << name << ": " << saved.body;
  }
  auto listed = Json(Call("GET", "/v1/segments"));
  EXPECT_TRUE(listed.at("segments").as_array().empty()) << "nothing was stored";
}

TEST_F(ContactsApi, TagsOnASegmentRenameAndEraseKeepTheIndexInStep) {
  Start();
  Import(kContacts);
  auto applied = Call("POST", "/v1/tags/apply", R"({"add":["spring"],"segment":"tag:vip"})");
  ASSERT_EQ(applied.status, 200) << applied.body;
  EXPECT_EQ(Json(applied).at("changed").as_int64(), 2);
  EXPECT_EQ(Count("tag:spring"), 2);

  ASSERT_EQ(Call("POST", "/v1/tags/spring/rename", R"({"to":"summer"})").status, 200);
  EXPECT_EQ(Count("tag:spring"), 0);
  EXPECT_EQ(Count("tag:summer"), 2);

  auto erased = Call("DELETE", "/v1/contacts/%2B447400123456?reason=request-17");
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(Count("tag:summer"), 1);
  EXPECT_EQ(Call("GET", "/v1/contacts/%2B447400123456").status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/contacts/%2B4915112345678").status, 400) << "a reason is required";

  ASSERT_EQ(Call("DELETE", "/v1/tags/summer").status, 200);
  EXPECT_EQ(Count("tag:summer"), 0);
}

TEST_F(ContactsApi, SavedSegmentsAreStoredInCanonicalForm) {
  Start();
  auto saved = Call("PUT", "/v1/segments/Gold%20DE", R"({"expression":"tag:gold and country:de"})");
  ASSERT_EQ(saved.status, 200) << saved.body;
  auto shown = Json(Call("GET", "/v1/segments/gold%20de"));
  EXPECT_EQ(shown.at("expression").as_string(), "tag:gold AND country:DE");
  EXPECT_EQ(Call("DELETE", "/v1/segments/Gold%20DE").status, 200);
  EXPECT_EQ(Call("GET", "/v1/segments/Gold%20DE").status, 404);
}

}  // namespace
}  // namespace herald::testing
