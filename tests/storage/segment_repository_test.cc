#include "storage/sqlite/segment_repository.h"

#include <gtest/gtest.h>

#include "storage/segment_repository.h"
#include "storage/sqlite/migrations.h"
#include "tests/support/temp_dir.h"

namespace herald::storage {
namespace {

SysTime At(std::int64_t seconds) { return SysTime(std::chrono::seconds(seconds)); }

TEST(SegmentRepository, SavesReplacesListsAndDeletesWithAudit) {
  herald::testing::TempDir dir;
  auto connection = Connection::Open({dir / "herald.db"});
  ASSERT_TRUE(Migrate(**connection).ok());
  SqliteSegmentRepository segments(**connection);

  ASSERT_TRUE(segments.Save("VIP Germany", "tag:vip AND country:DE", "anna", At(10)).ok());
  ASSERT_TRUE(segments.Save("vip germany", "tag:vip AND country:AT", "ben", At(20)).ok())
      << "names are case-insensitive: this replaces";
  auto found = segments.Find("VIP GERMANY");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->expression, "tag:vip AND country:AT");
  EXPECT_EQ((*found)->created_by, "anna");
  EXPECT_EQ((*found)->updated_at, At(20));

  ASSERT_TRUE(segments.Save("churned", "tag:churned", "anna", At(30)).ok());
  auto all = segments.List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "churned");

  EXPECT_TRUE(segments.Delete("churned", "anna", At(40)).ok());
  Status missing = segments.Delete("churned", "anna", At(41));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  auto audit =
      (*connection)->Prepare("SELECT count(*) FROM audit_log WHERE object_type = 'segment'");
  ASSERT_TRUE(*audit->Step());
  EXPECT_EQ(audit->ColumnInt(0), 4);
}

}  // namespace
}  // namespace herald::storage
