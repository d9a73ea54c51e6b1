#include "storage/sqlite/price_repository.h"

#include <gtest/gtest.h>

#include "tests/storage/fixtures.h"

namespace herald::storage {
namespace {

using testing::MigratedDatabaseTest;

SysTime At(int seconds) { return SysTime(std::chrono::seconds(1'780'000'000 + seconds)); }

PriceRecord Price(std::string market, std::string category, std::int64_t micros,
                  std::string from = "2025-07-01", std::string currency = "USD") {
  PriceRecord row;
  row.market = std::move(market);
  row.category = std::move(category);
  row.rate_micros = micros;
  row.effective_from = std::move(from);
  row.currency = std::move(currency);
  return row;
}

class PriceRepositoryTest : public MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    repository_ = std::make_unique<SqlitePriceRepository>(*connection_);
  }
  std::vector<std::int64_t> Rates(const std::vector<PriceRecord>& rows) {
    std::vector<std::int64_t> rates;
    for (const PriceRecord& row : rows) rates.push_back(row.rate_micros);
    return rates;
  }
  std::unique_ptr<SqlitePriceRepository> repository_;
};

TEST_F(PriceRepositoryTest, AnImportIsAVersionAndKeepsWhatItReplaced) {
  const std::vector<PriceRecord> first = {Price("DE", "marketing", 100),
                                          Price("FR", "marketing", 80)};
  auto v1 = repository_->Import(first, PriceImportMode::kMerge, "finance", "card.csv", At(0));
  ASSERT_TRUE(v1.ok()) << v1.error().ToString();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->added, 2);
  EXPECT_EQ(v1->rows, 2);

  const std::vector<PriceRecord> second = {Price("DE", "marketing", 150),
                                           Price("FR", "marketing", 80),
                                           Price("DE", "marketing", 170, "2026-10-01")};
  auto v2 = repository_->Import(second, PriceImportMode::kMerge, "finance", "card2.csv", At(10));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->added, 1);
  EXPECT_EQ(v2->replaced, 1);
  EXPECT_EQ(v2->retired, 0);
  EXPECT_EQ(v2->rows, 3);

  EXPECT_EQ(Rates(*repository_->Current()), (std::vector<std::int64_t>{150, 170, 80}));
  EXPECT_EQ(Rates(*repository_->AtVersion(1)), (std::vector<std::int64_t>{100, 80}));
  EXPECT_EQ(Rates(*repository_->AtVersion(2)), (std::vector<std::int64_t>{150, 170, 80}));
  EXPECT_EQ(repository_->AtVersion(9).error().code, ErrorCode::kNotFound);

  auto versions = repository_->Versions();
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ(versions->front().source, "card2.csv");
  EXPECT_EQ(versions->front().actor, "finance");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM audit_log WHERE action = 'price.import'"), 2);
  EXPECT_EQ(QueryText("SELECT json_extract(detail, '$.replaced') FROM audit_log "
                      "WHERE action = 'price.import' AND object_id = '2'"),
            "1");
}

TEST_F(PriceRepositoryTest, AnImportThatChangesNothingWritesNothing) {
  const std::vector<PriceRecord> rows = {Price("DE", "marketing", 100)};
  ASSERT_TRUE(repository_->Import(rows, PriceImportMode::kMerge, "a", "x", At(0)).ok());
  auto again = repository_->Import(rows, PriceImportMode::kMerge, "a", "x", At(1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 1);
  EXPECT_EQ(again->added + again->replaced + again->retired, 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM price_versions"), 1);
}

TEST_F(PriceRepositoryTest, ReplaceRetiresWhatTheFileLacks) {
  ASSERT_TRUE(repository_
                  ->Import(std::vector{Price("DE", "marketing", 100), Price("FR", "utility", 5)},
                           PriceImportMode::kMerge, "a", "x", At(0))
                  .ok());
  auto replaced = repository_->Import(std::vector{Price("DE", "marketing", 100)},
                                      PriceImportMode::kReplace, "a", "y", At(1));
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->retired, 1);
  EXPECT_EQ(replaced->rows, 1);
  EXPECT_EQ(repository_->Current()->size(), 1u);
  EXPECT_EQ(repository_->AtVersion(1)->size(), 2u);
}

TEST_F(PriceRepositoryTest, AMergeInAnotherCurrencyIsRefused) {
  ASSERT_TRUE(repository_
                  ->Import(std::vector{Price("DE", "marketing", 100)}, PriceImportMode::kMerge, "a",
                           "x", At(0))
                  .ok());
  auto euro = repository_->Import(std::vector{Price("FR", "marketing", 90, "2025-07-01", "EUR")},
                                  PriceImportMode::kMerge, "a", "y", At(1));
  ASSERT_FALSE(euro.ok());
  EXPECT_EQ(euro.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(euro.error().field, "currency");
  auto whole = repository_->Import(std::vector{Price("FR", "marketing", 90, "2025-07-01", "EUR")},
                                   PriceImportMode::kReplace, "a", "y", At(1));
  EXPECT_TRUE(whole.ok());
}

TEST_F(PriceRepositoryTest, TheSchemaSeedsThePlatformsRuleVersions) {
  auto rules = repository_->Rules();
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].effective_from, "2025-07-01");
  EXPECT_TRUE((*rules)[0].utility_free_in_window);
  EXPECT_TRUE((*rules)[0].service_free);
  EXPECT_EQ((*rules)[1].effective_from, "2026-10-01");
  EXPECT_FALSE((*rules)[1].utility_free_in_window);
  EXPECT_EQ((*rules)[1].free_service_per_number_month, 1000);
}

TEST_F(PriceRepositoryTest, RulesArePutAndDeletedWithAnAuditOfBeforeAndAfter) {
  PricingRuleRecord rule = (*repository_->Rules())[1];
  rule.free_service_per_number_month = 500;
  ASSERT_TRUE(repository_->PutRule(rule, "finance", "new allowance", At(0)).ok());
  EXPECT_EQ((*repository_->Rules())[1].free_service_per_number_month, 500);
  EXPECT_EQ((*repository_->Rules())[1].updated_by, "finance");
  EXPECT_EQ(QueryText("SELECT json_extract(detail, '$.before.free_service_per_number_month') || "
                      "' ' || json_extract(detail, '$.after.free_service_per_number_month') "
                      "FROM audit_log WHERE action = 'pricing_rules.put'"),
            "1000 500");
  ASSERT_TRUE(repository_->DeleteRule("2026-10-01", "finance", "withdrawn", At(1)).ok());
  EXPECT_EQ(repository_->Rules()->size(), 1u);
  EXPECT_EQ(repository_->DeleteRule("2026-10-01", "finance", "", At(2)).error().code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace herald::storage
