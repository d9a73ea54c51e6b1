// Storage test fixtures: a fresh, fully migrated SQLite file on one connection (as a repository
// gets it from a unit of work) with plain SQL helpers, and a store opened on a fresh file.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/sqlite/connection.h"
#include "storage/sqlite/migrations.h"
#include "storage/sqlite/sqlite_store.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {

class MigratedDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // Closes the connection and opens the same file again, as a restarted daemon would.
  void Reopen() {
    connection_.reset();
    auto connection = storage::Connection::Open({dir_ / "herald.db"});
    ASSERT_TRUE(connection.ok()) << connection.error().ToString();
    connection_ = std::move(connection).value();
    ASSERT_TRUE(storage::Migrate(*connection_).ok());
  }

  void Execute(std::string_view sql) {
    Status run = connection_->Execute(sql);
    ASSERT_TRUE(run.ok()) << sql << ": " << run.error().ToString();
  }

  // The first column of the first row of `sql` (0 when there is no row).
  std::int64_t QueryInt(std::string_view sql) {
    auto query = connection_->Prepare(sql);
    EXPECT_TRUE(query.ok()) << sql;
    if (!query.ok()) return 0;
    auto row = query->Step();
    return row.ok() && *row ? query->ColumnInt(0) : 0;
  }
  std::string QueryText(std::string_view sql) {
    auto query = connection_->Prepare(sql);
    EXPECT_TRUE(query.ok()) << sql;
    if (!query.ok()) return {};
    auto row = query->Step();
    return row.ok() && *row ? query->ColumnText(0) : std::string();
  }

  TempDir dir_;
  std::unique_ptr<storage::Connection> connection_;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::SqliteStore::Open({dir_ / "herald.db", std::chrono::seconds(1), 64});
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
  }

  TempDir dir_;
  std::unique_ptr<storage::SqliteStore> store_;
};

}  // namespace herald::testing
