#include "storage/sqlite/import_repository.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/import_repository.h"
#include "tests/storage/fixtures.h"

namespace herald::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

SysTime At(std::int64_t seconds) { return SysTime(std::chrono::seconds(seconds)); }

ImportTally Tally(std::uint64_t base) {
  return {base, base + 1, base + 2, base + 3, base + 4, base + 5};
}

void ExpectTally(const ImportTally& actual, const ImportTally& expected) {
  EXPECT_EQ(actual.rows, expected.rows);
  EXPECT_EQ(actual.created, expected.created);
  EXPECT_EQ(actual.updated, expected.updated);
  EXPECT_EQ(actual.unchanged, expected.unchanged);
  EXPECT_EQ(actual.rejected, expected.rejected);
  EXPECT_EQ(actual.warnings, expected.warnings);
}

class ImportRepositoryTest : public testing::MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    imports_ = std::make_unique<SqliteImportRepository>(*connection_);
  }
  void Reopen() {
    imports_.reset();
    MigratedDatabaseTest::Reopen();
    imports_ = std::make_unique<SqliteImportRepository>(*connection_);
  }

  std::string Create(SysTime started = At(100)) {
    ImportRecord record;
    record.id = "ignored";
    record.actor = "olga";
    record.options_json = R"({"format":"csv","region":"DE"})";
    record.columns = {"phone", "name"};
    record.delimiter = ';';
    record.started = started;
    auto id = imports_->Create(record, "instance-1");
    EXPECT_TRUE(id.ok()) << id.error().ToString();
    return id.ok() ? *id : std::string();
  }

  ImportRecord Find(std::string_view id) {
    auto found = imports_->Find(id);
    EXPECT_TRUE(found.ok()) << found.error().ToString();
    EXPECT_TRUE(found.ok() && found->has_value()) << "no import " << id;
    return found.ok() && found->has_value() ? **found : ImportRecord{};
  }

  std::vector<StoredReject> Rejects(std::string_view id) {
    std::vector<StoredReject> rejects;
    EXPECT_TRUE(
        imports_->ForEachReject(id, [&](StoredReject&& r) { rejects.push_back(std::move(r)); })
            .ok());
    return rejects;
  }

  void Finish(std::string_view id, std::string_view state = "completed") {
    ASSERT_TRUE(imports_->Finish(id, state, {}, "", {}, At(200)).ok());
  }

  std::unique_ptr<ImportRepository> imports_;
};

std::vector<std::string> IdsOf(const std::vector<ImportRecord>& records) {
  std::vector<std::string> ids;
  for (const auto& record : records) ids.push_back(record.id);
  return ids;
}

TEST_F(ImportRepositoryTest, CreateStoresARunningImportUnderTheNextNumber) {
  EXPECT_EQ(Create(At(100)), "imp-1");
  EXPECT_EQ(Create(At(100)), "imp-2");

  const ImportRecord stored = Find("imp-2");
  EXPECT_EQ(stored.id, "imp-2");
  EXPECT_EQ(stored.state, "running");
  EXPECT_EQ(stored.actor, "olga");
  EXPECT_EQ(stored.options_json, R"({"format":"csv","region":"DE"})");
  EXPECT_THAT(stored.columns, ElementsAre("phone", "name"));
  EXPECT_EQ(stored.delimiter, ';');
  ExpectTally(stored.tally, {});
  EXPECT_EQ(stored.started, At(100));
  EXPECT_EQ(stored.updated, At(100));
  EXPECT_FALSE(stored.finished.has_value());
  EXPECT_EQ(stored.error, "");
  EXPECT_EQ(QueryText("SELECT claim_owner FROM imports WHERE id = 'imp-2'"), "instance-1");
}

TEST_F(ImportRepositoryTest, CreateNeverReusesAnIdOfAFinishedImportOrAfterReopening) {
  // Past ten, so that "imp-9" > "imp-10" as text cannot pass for the largest number.
  for (int i = 1; i <= 10; ++i) {
    const std::string id = Create();
    ASSERT_EQ(id, "imp-" + std::to_string(i));
    Finish(id, i % 2 == 0 ? "completed" : "failed");
  }
  Reopen();
  ASSERT_TRUE(imports_->MarkInterrupted(At(300)).ok());
  EXPECT_EQ(Create(), "imp-11");
  Reopen();
  EXPECT_EQ(Create(), "imp-12");
}

TEST_F(ImportRepositoryTest, CheckpointStoresTheTallyAndAppendsRejectsOnce) {
  const std::string id = Create();
  ASSERT_TRUE(imports_
                  ->Checkpoint(id, Tally(10),
                               {{7, "not a phone number", {"+49 abc", "Jo, \"the\" one"}},
                                {3, "empty phone", {"", "Ann"}}},
                               At(150))
                  .ok());
  ASSERT_TRUE(imports_
                  ->Checkpoint(id, Tally(20),
                               {{5, "bad country", {"+4915112345678", "Zoë"}},
                                {7, "reported again", {"changed"}}},
                               At(160))
                  .ok());

  const ImportRecord stored = Find(id);
  ExpectTally(stored.tally, Tally(20));
  EXPECT_EQ(stored.updated, At(160));
  EXPECT_EQ(stored.state, "running");

  const std::vector<StoredReject> rejects = Rejects(id);
  ASSERT_EQ(rejects.size(), 3u);
  EXPECT_EQ(rejects[0].line, 3);
  EXPECT_EQ(rejects[0].reason, "empty phone");
  EXPECT_THAT(rejects[0].fields, ElementsAre("", "Ann"));
  EXPECT_EQ(rejects[1].line, 5);
  EXPECT_THAT(rejects[1].fields, ElementsAre("+4915112345678", "Zoë"));
  EXPECT_EQ(rejects[2].line, 7);
  EXPECT_EQ(rejects[2].reason, "not a phone number");
  EXPECT_THAT(rejects[2].fields, ElementsAre("+49 abc", "Jo, \"the\" one"));
}

TEST_F(ImportRepositoryTest, RejectsBelongToTheirOwnImport) {
  const std::string first = Create();
  const std::string second = Create();
  ASSERT_TRUE(imports_->Checkpoint(first, Tally(1), {{2, "first's", {"a"}}}, At(150)).ok());
  ASSERT_TRUE(imports_->Checkpoint(second, Tally(1), {{2, "second's", {"b"}}}, At(150)).ok());
  ASSERT_EQ(Rejects(second).size(), 1u);
  EXPECT_EQ(Rejects(second)[0].reason, "second's");
  EXPECT_THAT(Rejects("imp-99"), IsEmpty());
}

TEST_F(ImportRepositoryTest, UnknownIdIsNotFoundForEveryWrite) {
  Create();
  auto expect_not_found = [](const Status& status, std::string_view what) {
    ASSERT_FALSE(status.ok()) << what;
    EXPECT_EQ(status.error().code, ErrorCode::kNotFound) << what;
  };
  expect_not_found(imports_->Checkpoint("imp-9", Tally(1), {{1, "x", {}}}, At(150)), "Checkpoint");
  expect_not_found(imports_->Finish("imp-9", "completed", Tally(1), "", {}, At(150)), "Finish");
  expect_not_found(imports_->SetSource("imp-9", {"phone"}, ','), "SetSource");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM import_rejects"), 0);

  auto missing = imports_->Find("imp-9");
  ASSERT_TRUE(missing.ok()) << missing.error().ToString();
  EXPECT_FALSE(missing->has_value());
}

TEST_F(ImportRepositoryTest, FinishStoresStateErrorAndWarningSamples) {
  const std::string failed = Create();
  ASSERT_TRUE(imports_
                  ->Finish(failed, "failed", Tally(30), "disk full",
                           {"line 4: duplicate of line 2", "line 9: \"odd\" name"}, At(250))
                  .ok());
  const ImportRecord stored = Find(failed);
  EXPECT_EQ(stored.state, "failed");
  EXPECT_EQ(stored.error, "disk full");
  EXPECT_THAT(stored.warning_samples,
              ElementsAre("line 4: duplicate of line 2", "line 9: \"odd\" name"));
  ExpectTally(stored.tally, Tally(30));
  EXPECT_EQ(stored.finished, At(250));
  EXPECT_EQ(stored.updated, At(250));
  EXPECT_TRUE(QueryText("SELECT claim_owner FROM imports WHERE id = 'imp-1'").empty());

  for (const char* state : {"completed", "cancelled", "interrupted"}) {
    const std::string id = Create();
    ASSERT_TRUE(imports_->Finish(id, state, Tally(1), "", {}, At(250)).ok()) << state;
    EXPECT_EQ(Find(id).state, state);
    EXPECT_EQ(Find(id).error, "");
    EXPECT_THAT(Find(id).warning_samples, IsEmpty());
  }
}

TEST_F(ImportRepositoryTest, FinishRefusesAStateThatIsNotFinalAndChangesNothing) {
  const std::string id = Create();
  for (const char* state : {"running", "done", "", "Completed"}) {
    Status refused = imports_->Finish(id, state, Tally(5), "oops", {"w"}, At(250));
    ASSERT_FALSE(refused.ok()) << state;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << state;
    EXPECT_EQ(refused.error().field, "state") << state;
  }
  const ImportRecord stored = Find(id);
  EXPECT_EQ(stored.state, "running");
  ExpectTally(stored.tally, {});
  EXPECT_FALSE(stored.finished.has_value());
}

TEST_F(ImportRepositoryTest, MarkInterruptedEndsRunningImportsAndLeavesFinishedOnes) {
  const std::string running = Create();
  ASSERT_TRUE(imports_->Checkpoint(running, Tally(40), {}, At(150)).ok());
  const std::string also_running = Create();
  const std::string completed = Create();
  ASSERT_TRUE(imports_->Finish(completed, "completed", Tally(50), "", {"kept"}, At(160)).ok());

  auto marked = imports_->MarkInterrupted(At(300));
  ASSERT_TRUE(marked.ok()) << marked.error().ToString();
  EXPECT_EQ(*marked, 2u);

  const ImportRecord interrupted = Find(running);
  EXPECT_EQ(interrupted.state, "interrupted");
  ExpectTally(interrupted.tally, Tally(40));
  EXPECT_EQ(interrupted.finished, At(300));
  EXPECT_FALSE(interrupted.error.empty());
  EXPECT_EQ(Find(also_running).state, "interrupted");

  const ImportRecord untouched = Find(completed);
  EXPECT_EQ(untouched.state, "completed");
  EXPECT_EQ(untouched.finished, At(160));
  EXPECT_EQ(untouched.error, "");
  EXPECT_THAT(untouched.warning_samples, ElementsAre("kept"));

  auto again = imports_->MarkInterrupted(At(400));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  EXPECT_EQ(Find(running).finished, At(300));
}

TEST_F(ImportRepositoryTest, ListIsNewestFirstAndHonoursTheLimit) {
  const std::string oldest = Create(At(10));
  const std::string newest = Create(At(30));
  const std::string middle = Create(At(20));
  const std::string same_start_later = Create(At(20));

  auto all = imports_->List(10);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_THAT(IdsOf(*all), ElementsAre(newest, same_start_later, middle, oldest));

  auto two = imports_->List(2);
  ASSERT_TRUE(two.ok());
  EXPECT_THAT(IdsOf(*two), ElementsAre(newest, same_start_later));

  auto none = imports_->List(0);
  ASSERT_TRUE(none.ok()) << none.error().ToString();
  EXPECT_THAT(*none, IsEmpty());
}

TEST_F(ImportRepositoryTest, SetSourceRoundTripsColumnsAndDelimiter) {
  const std::string id = Create();
  for (char delimiter : {'\t', '|', ','}) {
    const std::vector<std::string> columns = {"phone", "Name, full", "tags\"", "städt", ""};
    ASSERT_TRUE(imports_->SetSource(id, columns, delimiter).ok());
    const ImportRecord stored = Find(id);
    EXPECT_EQ(stored.columns, columns);
    EXPECT_EQ(stored.delimiter, delimiter);
  }
}

}  // namespace
// Issue 15, item 8: the audit log records each import's end, with its actor, outcome and counts,
// whether it finished or a restart found it cut short.
TEST_F(ImportRepositoryTest, TheAuditLogRecordsHowEachImportEnded) {
  const std::string finished = Create();
  ASSERT_TRUE(
      imports_->Finish(finished, "failed", Tally(10), "not UTF-8 at line 4", {}, At(200)).ok());
  const std::string cut = Create();
  ASSERT_TRUE(imports_->MarkInterrupted(At(300)).ok());
  auto rows = connection_->Prepare(
      "SELECT object_id, action, actor, reason, detail FROM audit_log WHERE object_type = "
      "'import' ORDER BY id");
  ASSERT_TRUE(rows.ok());
  std::vector<std::string> seen;
  for (;;) {
    auto step = rows->Step();
    ASSERT_TRUE(step.ok());
    if (!*step) break;
    seen.push_back(rows->ColumnText(0) + " " + rows->ColumnText(1) + " " + rows->ColumnText(2) +
                   " | " + rows->ColumnText(3) + " | " + rows->ColumnText(4));
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], finished +
                         " contact.import.failed olga | not UTF-8 at line 4 | "
                         R"({"state":"failed","rows":10,"created":11,"updated":12,)"
                         R"("unchanged":13,"rejected":14,"warnings":15})");
  EXPECT_THAT(seen[1],
              ::testing::StartsWith(cut + " contact.import.interrupted olga | the daemon"));
}

}  // namespace herald::storage
