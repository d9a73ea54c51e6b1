#include "storage/sqlite/migrations.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "storage/store.h"
#include "tests/support/temp_dir.h"

namespace herald::storage {
namespace {

using herald::testing::TempDir;

std::unique_ptr<Connection> OpenConnection(const std::filesystem::path& path) {
  auto connection = Connection::Open({path, std::chrono::seconds(1), true});
  EXPECT_TRUE(connection.ok()) << connection.error().ToString();
  return std::move(connection).value();
}

// name -> normalised CREATE statement of every table, index and trigger.
std::map<std::string, std::string> SchemaOf(Connection& connection) {
  std::map<std::string, std::string> schema;
  auto statement =
      connection.Prepare("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name");
  EXPECT_TRUE(statement.ok());
  while (*statement->Step()) schema[statement->ColumnText(0)] = statement->ColumnText(1);
  return schema;
}

std::int64_t Version(Connection& connection) { return *connection.PragmaInteger("user_version"); }

TEST(Migrations, AreNumberedWithoutGaps) {
  int expected = 1;
  for (const Migration& migration : AllMigrations()) EXPECT_EQ(migration.version, expected++);
  EXPECT_EQ(LatestSchemaVersion(), expected - 1);
}

TEST(Migrations, FreshDatabaseGetsEveryAggregateAndLatestVersion) {
  TempDir dir;
  auto store = Store::Open({dir / "herald.db"});
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  EXPECT_EQ((*store)->schema_version(), LatestSchemaVersion());
  EXPECT_TRUE((*store)->CheckReady().ok());
  (*store)->Stop();

  auto connection = OpenConnection(dir / "herald.db");
  auto schema = SchemaOf(*connection);
  for (const char* table :
       {"contacts", "tags", "contact_tags", "consents", "senders", "templates", "service_windows",
        "campaigns", "campaign_senders", "deliveries", "word_lists", "word_list_versions",
        "word_terms", "audit_log", "prices", "webhook_events", "segments"}) {
    EXPECT_TRUE(schema.count(table)) << "missing table " << table;
  }
  EXPECT_EQ(*connection->PragmaInteger("application_id"), kHeraldApplicationId);
  EXPECT_EQ(*connection->PragmaInteger("foreign_keys"), 1);
  auto mode = connection->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->ColumnText(0), "wal");
}

// For every earlier version k: a database made by the build that stopped at k, holding data,
// upgrades to exactly the schema of a fresh database and keeps its rows.
TEST(Migrations, UpgradeFromEveryEarlierVersionMatchesFreshSchemaAndKeepsData) {
  TempDir dir;
  auto fresh = OpenConnection(dir / "fresh.db");
  ASSERT_TRUE(Migrate(*fresh).ok());
  auto fresh_schema = SchemaOf(*fresh);

  for (int k = 0; k < LatestSchemaVersion(); ++k) {
    SCOPED_TRACE("upgrading from version " + std::to_string(k));
    auto path = dir / ("v" + std::to_string(k) + ".db");
    {
      auto old = OpenConnection(path);
      ASSERT_TRUE(Migrate(*old, AllMigrations(), k).ok());
      ASSERT_EQ(Version(*old), k);
      if (k >= 1) {
        ASSERT_TRUE(old->Execute("INSERT INTO contacts (phone_e164, created_at, updated_at) "
                                 "VALUES ('+4915112345678', 1, 1)")
                        .ok());
      }
    }
    auto store = Store::Open({path});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    EXPECT_EQ((*store)->schema_version(), LatestSchemaVersion());
    (*store)->Stop();

    auto upgraded = OpenConnection(path);
    EXPECT_EQ(SchemaOf(*upgraded), fresh_schema);
    if (k >= 1) {
      auto count = upgraded->Prepare("SELECT count(*) FROM contacts");
      ASSERT_TRUE(*count->Step());
      EXPECT_EQ(count->ColumnInt(0), 1);
    }
  }
}

TEST(Migrations, RefusesNewerDatabaseAndLeavesItUntouched) {
  TempDir dir;
  auto path = dir / "newer.db";
  {
    auto connection = OpenConnection(path);
    ASSERT_TRUE(Migrate(*connection).ok());
    ASSERT_TRUE(connection
                    ->Execute("PRAGMA user_version=" + std::to_string(LatestSchemaVersion() + 1) +
                              "; CREATE TABLE from_the_future (x)")
                    .ok());
  }
  auto store = Store::Open({path});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(store.error().message.find("newer than this heraldd supports"), std::string::npos)
      << store.error().message;

  auto connection = OpenConnection(path);
  EXPECT_EQ(Version(*connection), LatestSchemaVersion() + 1);
  EXPECT_TRUE(SchemaOf(*connection).count("from_the_future"));
}

TEST(Migrations, FailingMigrationRollsBackToPreviousVersion) {
  const Migration broken[] = {
      {1, "good", "CREATE TABLE a (x)"},
      {2, "half good", "CREATE TABLE b (x); CREATE TABLE a (x)"},  // second statement fails
  };
  TempDir dir;
  auto connection = OpenConnection(dir / "broken.db");
  Status status = Migrate(*connection, broken, 2);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("migration 2 (half good) failed"), std::string::npos);
  EXPECT_EQ(Version(*connection), 1);
  auto schema = SchemaOf(*connection);
  EXPECT_TRUE(schema.count("a"));
  EXPECT_FALSE(schema.count("b")) << "a failed migration must leave nothing behind";
}

TEST(Migrations, RefusesDatabaseOfAnotherApplication) {
  TempDir dir;
  auto path = dir / "other.db";
  {
    auto connection = OpenConnection(path);
    ASSERT_TRUE(connection->Execute("CREATE TABLE their_data (x)").ok());
  }
  auto store = Store::Open({path});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("another application"), std::string::npos);
}

// The docs show `herald status` output with the schema version: it must be this build's, not one
// that went stale a few migrations ago.
TEST(Migrations, DocsShowTheLatestSchemaVersion) {
  const char* source = std::getenv("HERALD_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "run through ctest (it sets HERALD_SOURCE_DIR)";
  const std::regex shown(R"((\(schema |"schema_version": )(\d+))");
  int found = 0;
  for (const char* doc : {"README.md", "docs/cli.md", "docs/operations.md", "docs/contacts.md",
                          "docs/compliance.md", "docs/architecture.md", "docs/openapi.yaml"}) {
    std::ifstream in(std::filesystem::path(source) / doc);
    ASSERT_TRUE(in) << doc;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      for (std::sregex_iterator it(line.begin(), line.end(), shown), end; it != end; ++it) {
        ++found;
        EXPECT_EQ(std::stoi((*it)[2]), LatestSchemaVersion())
            << doc << ":" << number << ": " << line;
      }
    }
  }
  EXPECT_GE(found, 2) << "docs/cli.md shows the schema version twice in `herald status` output";
}

TEST(Store, FileThatIsNotADatabaseIsAClearError) {
  TempDir dir;
  auto path = dir / "notes.txt";
  std::ofstream(path) << "this is not a database, just some text that is long enough to matter\n"
                      << std::string(4096, 'x');
  auto store = Store::Open({path});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find(path.string()), std::string::npos) << store.error().message;
}

TEST(Store, DirectoryAsPathNamesTheKey) {
  TempDir dir;
  auto store = Store::Open({dir.path()});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().field, "storage.path");
}

// Version 8 rebuilt campaigns and deliveries for the send path: rows written by version 7 (no
// build ever did, but the migration must not lose any) come across with their meaning kept.
TEST(Migrations, Version8CarriesSendersCampaignsAndDeliveriesAcross) {
  TempDir dir;
  auto path = dir / "v7.db";
  {
    auto old = OpenConnection(path);
    ASSERT_TRUE(Migrate(*old, AllMigrations(), 7).ok());
    ASSERT_TRUE(
        old->Execute("INSERT INTO contacts (id, phone_e164, created_at, updated_at) VALUES "
                     "(1, '+4915100000001', 1, 1), (2, '+4915100000002', 1, 1);"
                     "INSERT INTO senders (id, phone_number_id, display_phone_number, "
                     "messaging_tier, max_messages_per_s, created_at, updated_at) VALUES "
                     "(3, 'pn-3', '+4930123', 'TIER_10K', NULL, 5, 6);"
                     "INSERT INTO campaigns (id, name, segment_expr, state, created_by, "
                     "created_at, updated_at) VALUES (4, 'old', 'tag:vip', 'failed', 'olga', "
                     "1, 1);"
                     "INSERT INTO campaign_senders VALUES (4, 3);"
                     "INSERT INTO deliveries (id, campaign_id, contact_id, sender_id, state, "
                     "not_before, claim_owner, claim_deadline, attempts, created_at, "
                     "updated_at) VALUES (10, 4, 1, 3, 'claimed', 1, 'x', 9, 0, 1, 1), "
                     "(11, 4, 2, 3, 'claimed', 1, 'x', 9, 1, 1, 1)")
            .ok());
  }
  auto store = Store::Open({path});
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  (*store)->Stop();
  auto upgraded = OpenConnection(path);
  auto text = [&](std::string_view sql) {
    auto query = upgraded->Prepare(sql);
    EXPECT_TRUE(query.ok()) << sql;
    auto row = query->Step();
    return row.ok() && *row ? query->ColumnText(0) : std::string("<none>");
  };
  EXPECT_EQ(text("SELECT p.name || ' ' || p.messaging_tier || ' ' || s.throughput_per_s FROM "
                 "senders s JOIN portfolios p ON p.id = s.portfolio_id"),
            "default TIER_10K 80.0");
  EXPECT_EQ(text("SELECT state || ' ' || segment FROM campaigns WHERE id = 4"),
            "cancelled tag:vip");
  EXPECT_EQ(text("SELECT count(*) FROM campaign_senders"), "1");
  EXPECT_EQ(text("SELECT state || ' ' || coalesce(claim_owner, '-') FROM deliveries WHERE id = 10"),
            "queued -");
  EXPECT_EQ(text("SELECT state FROM deliveries WHERE id = 11"), "uncertain");
  EXPECT_EQ(text("SELECT reason FROM market_rules WHERE market = 'US'"), "us_marketing_pause");
  EXPECT_EQ(text("PRAGMA foreign_key_check"), "<none>");
}

}  // namespace
}  // namespace herald::storage
