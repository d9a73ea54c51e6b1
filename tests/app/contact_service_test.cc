// The contact service keeps its segment index in step with storage whichever path changes a
// contact: an import, a tag edit on one contact, a bulk tag change, a tag rename or deletion, and
// an erasure. The oracle is a second service started on the same database, whose index is
// rebuilt from what is stored: after every change both must count every expression alike.
#include "app/contact_service.h"

#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "storage/store.h"
#include "tests/support/fixed_clock.h"
#include "tests/support/temp_dir.h"

namespace herald::app {
namespace {

using herald::testing::FixedClock;
using herald::testing::TempDir;

constexpr SysTime kNow{std::chrono::milliseconds(1'700'000'000'000)};

// Expressions over every fact a change can touch.
const char* const kExpressions[] = {
    "tag:vip",
    "tag:newsletter",
    "tag:premium",
    "tag:bulk",
    "tag:vip AND country:DE",
    "NOT tag:vip",
    "opted_in:marketing",
    "country:AT OR country:GB",
    "lang:de",
    "attr.plan = \"gold\"",
};

// Calls `start` with a reply and waits for the result.
template <typename T, typename Start>
Result<T> Wait(Start start) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

class ContactServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open({dir_ / "herald.db", std::chrono::seconds(1), 100});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    service_ = std::make_unique<ContactService>(*store_, clock_);
    ASSERT_TRUE(service_->Start().ok());
  }
  void TearDown() override {
    service_->Stop();
    store_->Stop();
  }

  std::uint64_t Count(ContactService& service, const std::string& expression) {
    auto expr = campaign::ParseSegment(expression);
    EXPECT_TRUE(expr.ok()) << expression;
    auto preview = Wait<SegmentPreview>(
        [&](Reply<SegmentPreview> reply) { service.Preview(*expr, 0, std::move(reply)); });
    EXPECT_TRUE(preview.ok()) << preview.error().ToString();
    return preview.ok() ? preview->count : 0;
  }

  // The live index counts as an index rebuilt from the database does.
  void ExpectIndexMatchesStorage(const std::string& after) {
    ContactService rebuilt(*store_, clock_);
    ASSERT_TRUE(rebuilt.Start().ok());
    for (const char* expression : kExpressions) {
      EXPECT_EQ(Count(*service_, expression), Count(rebuilt, expression))
          << expression << " after " << after;
    }
    rebuilt.Stop();
  }

  ImportStatus Import(const std::string& csv) {
    auto file = TempFile::Create("test-import");
    EXPECT_TRUE(file.ok());
    std::ofstream((*file)->path()) << csv;
    contacts::ImportOptions options;
    options.default_region = "DE";
    auto started = Wait<ImportStatus>([&](Reply<ImportStatus> reply) {
      service_->StartImport(ImportRequest{*file, options, "tester"}, std::move(reply));
    });
    EXPECT_TRUE(started.ok()) << started.error().ToString();
    for (int i = 0; i < 2000; ++i) {
      auto status = Wait<ImportStatus>(
          [&](Reply<ImportStatus> reply) { service_->GetImport(started->id, std::move(reply)); });
      if (status.ok() && status->state != "running") return *status;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "the import did not finish";
    return {};
  }

  TempDir dir_;
  FixedClock clock_{kNow};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ContactService> service_;
};

TEST_F(ContactServiceTest, EveryPathThatChangesAContactKeepsTheIndexInStepWithStorage) {
  ImportStatus imported = Import(
      "phone,name,tags,country,language,consent_marketing,plan\n"
      "+4915112345678,Anna,vip;newsletter,DE,de,yes,gold\n"
      "+447400123456,Ben,vip,GB,en,no,silver\n"
      "+43664123456,Cara,newsletter,AT,de_AT,yes,\n"
      "+4915198765432,Dora,,DE,de,,gold\n");
  EXPECT_EQ(imported.state, "completed");
  EXPECT_EQ(imported.counts.created, 4u);
  EXPECT_EQ(Count(*service_, "tag:vip"), 2u);
  ExpectIndexMatchesStorage("the import");

  // The same file again with changes: updates move contacts between bitmaps.
  Import("phone,tags,consent_marketing,plan\n+447400123456,newsletter,yes,gold\n");
  ExpectIndexMatchesStorage("an updating import");

  auto tagged = Wait<Contact>([&](Reply<Contact> reply) {
    service_->ChangeTags("+4915198765432", TagEdit{{"vip"}, {}}, std::move(reply));
  });
  ASSERT_TRUE(tagged.ok()) << tagged.error().ToString();
  EXPECT_EQ(Count(*service_, "tag:vip"), 3u);
  ExpectIndexMatchesStorage("a tag edit on one contact");

  TagTargets by_segment;
  by_segment.segment = *campaign::ParseSegment("country:DE");
  auto bulk = Wait<TagCounts>([&](Reply<TagCounts> reply) {
    service_->ApplyTags(std::move(by_segment), TagEdit{{"bulk"}, {"newsletter"}}, std::move(reply));
  });
  ASSERT_TRUE(bulk.ok()) << bulk.error().ToString();
  EXPECT_EQ(bulk->matched, 2u);
  TagTargets by_phone;
  by_phone.phones = {"+43664123456", "+15550000000"};
  auto by_number = Wait<TagCounts>([&](Reply<TagCounts> reply) {
    service_->ApplyTags(std::move(by_phone), TagEdit{{"bulk"}, {}}, std::move(reply));
  });
  ASSERT_TRUE(by_number.ok());
  EXPECT_EQ(by_number->missing, 1u);
  ExpectIndexMatchesStorage("bulk tag changes");

  auto renamed = Wait<std::uint64_t>([&](Reply<std::uint64_t> reply) {
    service_->RenameTag("vip", "premium", "tester", std::move(reply));
  });
  ASSERT_TRUE(renamed.ok()) << renamed.error().ToString();
  EXPECT_EQ(*renamed, 3u);
  EXPECT_EQ(Count(*service_, "tag:vip"), 0u);
  EXPECT_EQ(Count(*service_, "tag:premium"), 3u);
  ExpectIndexMatchesStorage("a tag rename");

  auto deleted = Wait<std::uint64_t>(
      [&](Reply<std::uint64_t> reply) { service_->DeleteTag("bulk", "tester", std::move(reply)); });
  ASSERT_TRUE(deleted.ok()) << deleted.error().ToString();
  EXPECT_EQ(Count(*service_, "tag:bulk"), 0u);
  ExpectIndexMatchesStorage("a tag deletion");

  auto erased = Wait<ContactId>([&](Reply<ContactId> reply) {
    service_->Erase("+4915112345678", "tester", "GDPR-1", std::move(reply));
  });
  ASSERT_TRUE(erased.ok()) << erased.error().ToString();
  EXPECT_EQ(Count(*service_, "tag:premium"), 2u);
  ExpectIndexMatchesStorage("an erasure");
}

TEST_F(ContactServiceTest, AFailedChangeLeavesTheIndexAsItWas) {
  Import("phone,tags\n+4915112345678,vip\n+4915198765432,newsletter\n");
  auto clash = Wait<std::uint64_t>([&](Reply<std::uint64_t> reply) {
    service_->RenameTag("vip", "newsletter", "tester", std::move(reply));
  });
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(Count(*service_, "tag:vip"), 1u);
  auto missing = Wait<Contact>([&](Reply<Contact> reply) {
    service_->ChangeTags("+4917000000000", TagEdit{{"vip"}, {}}, std::move(reply));
  });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().field, "phone");
  ExpectIndexMatchesStorage("refused changes");
}

TEST_F(ContactServiceTest, BulkTagChangesGoInBatchesAndCountEveryContact) {
  std::string csv = "phone,tags\n";
  const int kContacts = static_cast<int>(ContactService::kTagBatch) * 2 + 17;
  for (int i = 0; i < kContacts; ++i) csv += "+49151" + std::to_string(10000000 + i) + ",all\n";
  ASSERT_EQ(Import(csv).counts.created, static_cast<std::uint64_t>(kContacts));
  TagTargets targets;
  targets.segment = *campaign::ParseSegment("tag:all");
  const std::uint64_t jobs_before = store_->writer_stats().jobs_committed;
  auto counts = Wait<TagCounts>([&](Reply<TagCounts> reply) {
    service_->ApplyTags(std::move(targets), TagEdit{{"batched"}, {}}, std::move(reply));
  });
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  EXPECT_EQ(counts->matched, static_cast<std::uint64_t>(kContacts));
  EXPECT_EQ(counts->changed, static_cast<std::uint64_t>(kContacts));
  EXPECT_EQ(Count(*service_, "tag:batched"), static_cast<std::uint64_t>(kContacts));
  // Three batches of at most kTagBatch: three writer jobs, not one holding the writer for all.
  EXPECT_EQ(store_->writer_stats().jobs_committed - jobs_before, 3u);
}

}  // namespace
// Issue 15, item 2: imports beyond the service's slots wait, so many uploads at once do not hold
// many imports' batches. The first import is long (100,000 rows: a second or more); the second,
// started meanwhile, waits for its turn and then completes.
TEST_F(ContactServiceTest, ImportsBeyondTheSlotsWaitForOne) {
  service_->Stop();
  service_ = std::make_unique<ContactService>(*store_, clock_, /*max_running_imports=*/1);
  ASSERT_TRUE(service_->Start().ok());
  auto start = [&](const std::string& csv) {
    auto file = TempFile::Create("test-import");
    EXPECT_TRUE(file.ok());
    std::ofstream((*file)->path()) << csv;
    contacts::ImportOptions options;
    auto started = Wait<ImportStatus>([&](Reply<ImportStatus> reply) {
      service_->StartImport(ImportRequest{*file, options, "tester"}, std::move(reply));
    });
    EXPECT_TRUE(started.ok());
    return started.ok() ? started->id : std::string();
  };
  auto status_of = [&](const std::string& id) {
    auto status = Wait<ImportStatus>(
        [&](Reply<ImportStatus> reply) { service_->GetImport(id, std::move(reply)); });
    EXPECT_TRUE(status.ok());
    return status.ok() ? *status : ImportStatus{};
  };
  std::string big = "phone\n";
  for (int i = 0; i < 100'000; ++i) big += "+4915110" + std::to_string(100'000 + i) + "\n";
  const std::string first = start(big);
  const std::string second = start("phone\n+4917712345678\n");
  const ImportStatus waiting = status_of(second);
  ASSERT_EQ(status_of(first).state, "running") << "the first import ended too soon to tell";
  EXPECT_EQ(waiting.state, "running");
  EXPECT_TRUE(waiting.waiting);
  EXPECT_EQ(waiting.counts.rows, 0u);
  for (const std::string& id : {first, second}) {
    ImportStatus status = status_of(id);
    for (int i = 0; i < 6000 && status.state == "running"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      status = status_of(id);
    }
    EXPECT_EQ(status.state, "completed") << status.error;
    EXPECT_FALSE(status.waiting);
  }
  EXPECT_EQ(service_->indexed_contacts(), 100'001u);
}

}  // namespace herald::app
