#include "storage/sqlite/unit_of_work.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "storage/contact_repository.h"
#include "storage/store.h"
#include "tests/storage/fixtures.h"

namespace herald::storage {
namespace {

SysTime At(std::int64_t seconds) { return SysTime(std::chrono::seconds(seconds)); }

void ExpectEachRepositoryMadeOnce(UnitOfWork& work) {
  EXPECT_EQ(&work.contacts(), &work.contacts());
  EXPECT_EQ(&work.deliveries(), &work.deliveries());
  EXPECT_EQ(&work.imports(), &work.imports());
  EXPECT_EQ(&work.segments(), &work.segments());
  EXPECT_EQ(&work.templates(), &work.templates());
  EXPECT_EQ(&work.word_lists(), &work.word_lists());
}

class UnitOfWorkTest : public testing::SqliteStoreTest {
 protected:
  // Upserts Anna in a write job that then answers `outcome`; returns what Submit's `done` got.
  Status UpsertAnnaThen(Status outcome) {
    std::promise<Status> done;
    Status queued = store_->Submit(
        [outcome](UnitOfWork& work) -> Status {
          ContactUpsert anna;
          anna.phone_e164 = "+4915112345678";
          anna.name = "Anna";
          anna.tags = {"vip"};
          auto upserted = work.contacts().Upsert(anna, At(100), "tester");
          if (!upserted.ok()) return upserted.error();
          return outcome;
        },
        [&done](Status status) { done.set_value(status); });
    EXPECT_TRUE(queued.ok());
    return done.get_future().get();
  }

  bool AnnaIsStored() {
    auto reader = store_->OpenReader();
    EXPECT_TRUE(reader.ok());
    if (!reader.ok()) return false;
    auto found = (*reader)->contacts().FindByPhone("+4915112345678");
    EXPECT_TRUE(found.ok());
    return found.ok() && found->has_value();
  }
};

TEST_F(UnitOfWorkTest, WriteJobGetsTheSameRepositoryEachTimeItAsks) {
  ASSERT_TRUE(store_
                  ->SubmitAndWait([](UnitOfWork& work) {
                    ExpectEachRepositoryMadeOnce(work);
                    return Status::Ok();
                  })
                  .ok());
}

TEST_F(UnitOfWorkTest, ReadSessionGetsTheSameRepositoryEachTimeItAsks) {
  auto reader = store_->OpenReader();
  ASSERT_TRUE(reader.ok()) << reader.error().ToString();
  ExpectEachRepositoryMadeOnce(**reader);
}

TEST_F(UnitOfWorkTest, JobThatFailsAfterWritingLeavesNothingStored) {
  Status failed = UpsertAnnaThen(MakeError(ErrorCode::kFailedPrecondition, "changed my mind"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "changed my mind");
  EXPECT_FALSE(AnnaIsStored());

  // The same job answering Ok stores her: the rollback above was the job's error, not the upsert.
  ASSERT_TRUE(UpsertAnnaThen(Status::Ok()).ok());
  EXPECT_TRUE(AnnaIsStored());
}

TEST_F(UnitOfWorkTest, FailedJobLeavesNoTagOrAuditRowBehind) {
  ASSERT_FALSE(UpsertAnnaThen(MakeError(ErrorCode::kInvalidArgument, "no")).ok());
  store_->Stop();
  auto connection = Connection::Open({dir_ / "herald.db"});
  ASSERT_TRUE(connection.ok());
  for (const char* table : {"contacts", "tags", "contact_tags", "audit_log"}) {
    auto count = (*connection)->Prepare(std::string("SELECT count(*) FROM ") + table);
    ASSERT_TRUE(count.ok());
    ASSERT_TRUE(*count->Step());
    EXPECT_EQ(count->ColumnInt(0), 0) << table;
  }
}

}  // namespace
}  // namespace herald::storage
