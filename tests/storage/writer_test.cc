#include "storage/sqlite/writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"
#include "tests/storage/fixtures.h"

namespace herald::storage {
namespace {

Writer::Job InsertTag(std::string name) {
  return [name](Connection& connection) -> Status {
    auto insert = connection.Prepare("INSERT INTO tags (name, created_at) VALUES (?1, 0)");
    if (!insert.ok()) return insert.error();
    insert->Bind(1, std::string_view(name));
    return insert->Run();
  };
}

std::int64_t CountTags(const std::filesystem::path& path) {
  auto connection = Connection::Open({path});
  auto count = (*connection)->Prepare("SELECT count(*) FROM tags");
  EXPECT_TRUE(*count->Step());
  return count->ColumnInt(0);
}

using WriterTest = herald::testing::SqliteStoreTest;

TEST_F(WriterTest, CommitsEveryJobAndGroupsThemIntoBatches) {
  constexpr int kJobs = 2000;
  std::atomic<int> done_ok{0};
  std::promise<void> all_done;
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE(store_->sqlite_writer()
                    .Submit(InsertTag("tag" + std::to_string(i)),
                            [&](Status status) {
                              if (status.ok() && ++done_ok == kJobs) all_done.set_value();
                            })
                    .ok());
  }
  all_done.get_future().wait();
  auto stats = store_->sqlite_writer().stats();
  EXPECT_EQ(stats.jobs_committed, static_cast<std::uint64_t>(kJobs));
  EXPECT_LT(stats.batches_committed, static_cast<std::uint64_t>(kJobs))
      << "jobs queued together must share commits";
  store_->Stop();
  EXPECT_EQ(CountTags(dir_ / "herald.db"), kJobs);
}

TEST_F(WriterTest, FailingJobRollsBackAloneAndOthersInItsBatchCommit) {
  std::vector<std::future<Status>> results;
  auto submit = [&](Writer::Job job) {
    auto promise = std::make_shared<std::promise<Status>>();
    results.push_back(promise->get_future());
    ASSERT_TRUE(store_->sqlite_writer()
                    .Submit(std::move(job), [promise](Status s) { promise->set_value(s); })
                    .ok());
  };
  submit(InsertTag("first"));
  submit([](Connection& connection) -> Status {
    // Writes something, then fails: the write must be undone.
    if (Status s = InsertTag("half")(connection); !s.ok()) return s;
    return MakeError(ErrorCode::kInvalidArgument, "rejected by the job");
  });
  submit(InsertTag("first"));  // UNIQUE violation
  submit(InsertTag("last"));
  EXPECT_TRUE(results[0].get().ok());
  Status rejected = results[1].get();
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().message, "rejected by the job");
  Status duplicate = results[2].get();
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(results[3].get().ok());
  store_->Stop();
  EXPECT_EQ(CountTags(dir_ / "herald.db"), 2);
}

TEST_F(WriterTest, CountsJobsThatRefuseTheirInputApartFromStorageFailures) {
  auto failing = [](ErrorCode code) {
    return [code](Connection&) -> Status { return MakeError(code, "from the job"); };
  };
  Writer& writer = store_->sqlite_writer();
  EXPECT_TRUE(writer.SubmitAndWait(InsertTag("a")).ok());
  EXPECT_FALSE(writer.SubmitAndWait(InsertTag("A")).ok());  // duplicate: the caller's input
  EXPECT_FALSE(writer.SubmitAndWait(failing(ErrorCode::kInvalidArgument)).ok());
  EXPECT_FALSE(writer.SubmitAndWait(failing(ErrorCode::kNotFound)).ok());
  EXPECT_FALSE(writer.SubmitAndWait(failing(ErrorCode::kFailedPrecondition)).ok());
  EXPECT_FALSE(writer.SubmitAndWait(failing(ErrorCode::kIoError)).ok());  // storage failed
  EXPECT_FALSE(writer.SubmitAndWait(failing(ErrorCode::kCorruption)).ok());
  Writer::Stats stats = writer.stats();
  EXPECT_EQ(stats.jobs_committed, 1u);
  EXPECT_EQ(stats.jobs_rejected, 4u);
  EXPECT_EQ(stats.jobs_failed, 2u);
  EXPECT_EQ(stats.commits_failed, 0u);
}

TEST_F(WriterTest, StopRunsEverythingQueuedThenRefusesNewJobs) {
  constexpr int kJobs = 500;
  std::atomic<int> completed{0};
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE(store_->sqlite_writer()
                    .Submit(InsertTag("t" + std::to_string(i)), [&](Status) { ++completed; })
                    .ok());
  }
  store_->Stop();
  EXPECT_EQ(completed.load(), kJobs);
  Status late = store_->sqlite_writer().Submit(InsertTag("late"), nullptr);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(store_->CheckReady().ok());
  EXPECT_EQ(CountTags(dir_ / "herald.db"), kJobs);
}

// The daemon's herald_storage_commit_duration_seconds and herald_storage_jobs_queued come from
// here: one observation per committed batch, and the jobs waiting behind the running batch.
TEST_F(WriterTest, ReportsEachCommitsDurationAndTheJobsWaitingForABatch) {
  std::mutex mutex;
  std::vector<std::chrono::steady_clock::duration> commits;
  storage::StoreOptions options{dir_ / "observed.db", std::chrono::seconds(1), 64};
  options.on_commit = [&](std::chrono::steady_clock::duration took) {
    std::lock_guard lock(mutex);
    commits.push_back(took);
  };
  auto store = storage::SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  Writer& writer = (*store)->sqlite_writer();
  const std::size_t after_open = [&] {
    std::lock_guard lock(mutex);
    return commits.size();
  }();

  // A job that holds the writer until released, so that the next ones queue behind it.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> running;
  ASSERT_TRUE(writer
                  .Submit(
                      [&running, released](Connection&) {
                        running.set_value();
                        released.wait();
                        return Status::Ok();
                      },
                      nullptr)
                  .ok());
  running.get_future().wait();
  constexpr int kJobs = 10;
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE(writer.Submit(InsertTag("q" + std::to_string(i)), nullptr).ok());
  }
  EXPECT_EQ(writer.stats().jobs_queued, static_cast<std::uint64_t>(kJobs));
  release.set_value();
  ASSERT_TRUE(writer.SubmitAndWait(InsertTag("last")).ok());
  EXPECT_EQ(writer.stats().jobs_queued, 0u);

  std::lock_guard lock(mutex);
  EXPECT_EQ(commits.size() - after_open, writer.stats().batches_committed);
  EXPECT_GE(commits.size() - after_open, 2u) << "the holding job's batch, then the queued ones";
  for (auto took : commits) EXPECT_GT(took.count(), 0);
}

TEST_F(WriterTest, HeartbeatAdvancesWhileIdle) {
  auto before = store_->sqlite_writer().LastHeartbeat();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_GT(store_->sqlite_writer().LastHeartbeat(), before);
}

TEST_F(WriterTest, SubmitAndWaitReturnsTheJobsStatus) {
  EXPECT_TRUE(store_->sqlite_writer().SubmitAndWait(InsertTag("x")).ok());
  EXPECT_FALSE(store_->sqlite_writer().SubmitAndWait(InsertTag("X")).ok())
      << "tag names are NOCASE";
}

// Issue 15, item 7: a full database is a storage fault with its own code (507 over HTTP); the
// writer says why it is not ready and becomes ready again by itself, with no caller's write.
TEST_F(WriterTest, AFullDatabaseMakesItUnhealthyWithTheCauseUntilAProbeWriteSucceeds) {
  Writer& writer = store_->sqlite_writer();
  // No page may be added: the next insert that needs one fails with SQLITE_FULL.
  ASSERT_TRUE(writer
                  .SubmitAndWait([](Connection& connection) -> Status {
                    auto pages = connection.PragmaInteger("page_count");
                    if (!pages.ok()) return pages.error();
                    return connection.Execute("PRAGMA max_page_count=" + std::to_string(*pages));
                  })
                  .ok());
  Status full = Status::Ok();
  for (int i = 0; i < 10'000 && full.ok(); ++i) {
    full = writer.SubmitAndWait(InsertTag("tag-" + std::to_string(i) + std::string(200, 'x')));
  }
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kStorageFull) << full.error().ToString();
  EXPECT_FALSE(writer.healthy());
  EXPECT_NE(writer.failure().find("full"), std::string::npos) << writer.failure();
  const Status ready = store_->CheckReady();
  ASSERT_FALSE(ready.ok());
  EXPECT_NE(ready.error().message.find("full"), std::string::npos) << ready.error().message;
  // The probe rewrites the first page in place, which a page limit allows: the writer is ready
  // again within a couple of its one-second idle wake-ups, without any job.
  for (int i = 0; i < 50 && !writer.healthy(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(writer.healthy());
  EXPECT_TRUE(store_->CheckReady().ok());
}

}  // namespace
}  // namespace herald::storage
