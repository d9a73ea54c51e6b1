// The whole import path: file bytes, reader, libphonenumber, batches, a real SQLite writer.
#include "contacts/importer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "contacts/storage_sink.h"
#include "storage/sqlite/contact_repository.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"
#include "tests/support/fixed_clock.h"
#include "tests/support/temp_dir.h"

namespace herald::contacts {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr SysTime kNow{std::chrono::milliseconds(1'700'000'000'000)};

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::SqliteStore::Open({dir_ / "herald.db", std::chrono::seconds(1), 100});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
  }

  Result<ImportCounts> Import(const std::string& text, ImportOptions options = {}) {
    progress_ = std::make_unique<ImportProgress>();
    std::istringstream input(text);
    StorageImportSink sink(*store_, clock_, "importer-test",
                           [this](std::vector<storage::UpsertResult>&& results) {
                             std::lock_guard lock(mutex_);
                             for (auto& r : results) committed_.push_back(std::move(r));
                           });
    options.batch_size = 2;  // several batches even for small files
    return RunImport(input, options, sink, *progress_, clock_);
  }

  storage::StoredContact Find(const std::string& phone) {
    auto connection = store_->OpenReadConnection();
    auto repository = storage::SqliteContactRepository::Create(**connection);
    auto found = (*repository)->FindByPhone(phone);
    EXPECT_TRUE(found.ok() && found->has_value()) << phone;
    return found.ok() && found->has_value() ? **found : storage::StoredContact{};
  }

  herald::testing::TempDir dir_;
  herald::testing::FixedClock clock_{kNow};
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<ImportProgress> progress_;
  std::mutex mutex_;
  std::vector<storage::UpsertResult> committed_;
};

constexpr const char* kFile =
    "phone,name,tags,country,consent_marketing,consent_marketing_source,plan\n"
    "+49 151 12345678,Anna,vip;newsletter,,yes,web form,gold\n"
    "0151 87654321,Ben,newsletter,,,,\n"
    "+49 30 1234567,Office,,,,,\n"
    "+44 7400 123456,Cara,,Germany,,,\n"
    "+43 664 123456,\"Dora, Jr.\",vip,,no,,silver\n";

TEST_F(ImporterTest, StoresGoodRowsAndReportsEveryRejectWithLineAndReason) {
  ImportOptions options;
  options.default_region = "DE";
  auto counts = Import(kFile, options);
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  EXPECT_EQ(counts->rows, 5u);
  EXPECT_EQ(counts->created, 3u);
  EXPECT_EQ(counts->rejected, 2u);

  auto rejects = progress_->rejects();
  ASSERT_EQ(rejects.size(), 2u);
  EXPECT_EQ(rejects[0].line, 4);
  EXPECT_THAT(rejects[0].reason, HasSubstr("not_mobile"));
  EXPECT_EQ(rejects[0].fields.at(0), "+49 30 1234567") << "the row as it was, for correction";
  EXPECT_EQ(rejects[0].fields.size(), 7u);
  EXPECT_EQ(rejects[1].line, 5);
  EXPECT_THAT(rejects[1].reason, HasSubstr("country"));

  storage::StoredContact anna = Find("+4915112345678");
  EXPECT_EQ(anna.name, "Anna");
  EXPECT_EQ(anna.country, "DE") << "derived from the number";
  EXPECT_TRUE(anna.consent_marketing);
  EXPECT_THAT(anna.tags, UnorderedElementsAre("vip", "newsletter"));
  EXPECT_EQ(Find("+4915187654321").name, "Ben") << "national format read in the default region";
  EXPECT_EQ(Find("+43664123456").name, "Dora, Jr.");
  EXPECT_FALSE(Find("+43664123456").consent_marketing);

  std::lock_guard lock(mutex_);
  EXPECT_EQ(committed_.size(), 3u) << "every durable change is reported for the index";
}

TEST_F(ImporterTest, ReimportIsUnchangedAndNewTagsAreAddedOrReplaced) {
  ImportOptions options;
  options.default_region = "DE";
  ASSERT_TRUE(Import(kFile, options).ok());
  auto again = Import(kFile, options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 3u);
  EXPECT_EQ(again->created + again->updated, 0u);

  auto added = Import("phone,tags\n+4915112345678,churned\n");
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->updated, 1u);
  EXPECT_THAT(Find("+4915112345678").tags, UnorderedElementsAre("vip", "newsletter", "churned"));

  ImportOptions replace;
  replace.replace_tags = true;
  ASSERT_TRUE(Import("phone,tags\n+4915112345678,fresh\n", replace).ok());
  EXPECT_THAT(Find("+4915112345678").tags, UnorderedElementsAre("fresh"));
}

TEST_F(ImporterTest, NationalNumbersWithoutDefaultRegionAreRejectedNotGuessed) {
  auto counts = Import("phone\n0151 12345678\n");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->rejected, 1u);
  EXPECT_THAT(progress_->rejects()[0].reason, HasSubstr("missing_region"));
}

TEST_F(ImporterTest, SameNumberTwiceInOneFileIsOneContact) {
  auto counts = Import("phone,name\n+4915112345678,Anna\n+49 151 1234 5678,Anna B.\n");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->created, 1u);
  EXPECT_EQ(counts->updated, 1u);
  EXPECT_EQ(Find("+4915112345678").name, "Anna B.");
}

TEST_F(ImporterTest, NationalNumberIsReadInTheRowsCountryBeforeTheDefaultRegion) {
  ImportOptions options;
  options.default_region = "DE";
  options.normaliser_threads = 2;
  auto counts = Import(
      "phone,name,country\n"
      "415-555-2672,Sam,US\n"
      "0151 12345678,Anna,\n"
      "030 1234567,Office,\n",
      options);
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  EXPECT_EQ(counts->created, 2u);
  EXPECT_EQ(Find("+14155552672").name, "Sam");
  EXPECT_EQ(Find("+14155552672").country, "US");
  EXPECT_EQ(Find("+4915112345678").name, "Anna");
  auto rejects = progress_->rejects();
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].reason,
            "line 4: column \"phone\": \"030 1234567\": not_mobile: read as DE: not a mobile "
            "number (fixed line)");
}

TEST_F(ImporterTest, SameNumberTwiceIsAWarningNamingBothLines) {
  ImportOptions options;
  options.default_region = "DE";
  auto counts = Import(
      "phone,name\n"
      "+4915112345678,Anna\n"
      "+4915187654321,Ben\n"
      "0151 1234 5678,Anna B.\n"
      "+49 151 87654321,Ben B.\n"
      "+4915112345678,Anna C.\n",
      options);
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  EXPECT_EQ(counts->warnings, 3u);
  EXPECT_EQ(counts->created, 2u);
  EXPECT_EQ(counts->updated, 3u) << "every row is still applied, in file order";
  EXPECT_EQ(progress_->warnings(),
            (std::vector<std::string>{
                "line 4: +4915112345678 also on line 2; the later row was applied",
                "line 5: +4915187654321 also on line 3; the later row was applied",
                "line 6: +4915112345678 also on line 2; the later row was applied"}));
  EXPECT_EQ(progress_->warnings(1).size(), 1u);
  EXPECT_EQ(Find("+4915112345678").name, "Anna C.");
}

TEST_F(ImporterTest, KeepsTheFirstThousandWarningsAndCountsTheRest) {
  std::string file = "phone\n";
  for (int i = 0; i < 1003; ++i) file += "+4915112345678\n";
  ImportOptions options;
  options.normaliser_threads = 3;
  auto counts = Import(file, options);
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  EXPECT_EQ(counts->warnings, 1002u);
  const std::vector<std::string> kept = progress_->warnings();
  ASSERT_EQ(kept.size(), ImportProgress::kKeptWarnings);
  EXPECT_EQ(kept.front(), "line 3: +4915112345678 also on line 2; the later row was applied");
  EXPECT_EQ(kept.back(), "line 1002: +4915112345678 also on line 2; the later row was applied");
}

TEST_F(ImporterTest, RejectedRowsAreNotCountedAsSeenNumbers) {
  auto counts = Import("phone,country\n+4915112345678,Germany\n+4915112345678,DE\n");
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  EXPECT_EQ(counts->rejected, 1u);
  EXPECT_EQ(counts->warnings, 0u);
}

TEST_F(ImporterTest, FileThatIsNotUtf8FailsWithOneErrorNamingTheEncoding) {
  const std::string file =
      "phone,name\n+4915112345678,Anna\n+4915187654321,J\xFCrgen\n+4917612345678,Cem\n";
  auto counts = Import(file);
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.error().ToString(),
            "encoding: not UTF-8 at line 3, column \"name\", byte 0xFC: the file looks like "
            "Windows-1252 (Excel's default); convert it with iconv -f WINDOWS-1252 -t UTF-8 in.csv "
            "> out.csv, or import with --encoding windows-1252 (encoding=windows-1252 in the API)");
  EXPECT_EQ(progress_->counts().created, 1u) << "the rows before it are imported";
  EXPECT_EQ(progress_->counts().rejected, 0u) << "one error, not a reject per row";

  ImportOptions options;
  options.encoding = Encoding::kWindows1252;
  auto again = Import(file, options);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->created, 2u);
  EXPECT_EQ(again->unchanged, 1u);
  EXPECT_EQ(Find("+4915187654321").name, "J\xC3\xBCrgen");
}

TEST_F(ImporterTest, JsonLinesWork) {
  auto counts = Import(
      "{\"phone\":\"+4915112345678\",\"tags\":[\"vip\"],\"attributes\":{\"orders\":3}}\n"
      "{\"phone\":\"+49 30 1234567\"}\n");
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  EXPECT_EQ(counts->created, 1u);
  EXPECT_EQ(counts->rejected, 1u);
  EXPECT_EQ(Find("+4915112345678").attributes.at(0).second, "3");
}

TEST_F(ImporterTest, FileWithoutPhoneColumnIsAnErrorAndStoresNothing) {
  auto counts = Import("name,tags\nAnna,vip\n");
  ASSERT_FALSE(counts.ok());
  EXPECT_THAT(counts.error().message, HasSubstr("phone"));
  std::lock_guard lock(mutex_);
  EXPECT_TRUE(committed_.empty());
}

TEST_F(ImporterTest, ConsentSourceAndActorReachTheAuditLog) {
  ASSERT_TRUE(Import("phone,consent_marketing\n+4915112345678,yes\n").ok());
  auto connection = store_->OpenReadConnection();
  auto audit = (*connection)->Prepare("SELECT actor, reason FROM audit_log");
  ASSERT_TRUE(*audit->Step());
  EXPECT_EQ(audit->ColumnText(0), "importer-test");
  EXPECT_EQ(audit->ColumnText(1), "import") << "the default source when the file names none";
}

}  // namespace
}  // namespace herald::contacts
