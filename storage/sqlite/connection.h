// storage/sqlite.h: a thin RAII layer over one SQLite connection and its prepared statements.
// Used only inside storage/ (repositories, migrations, the writer) and by storage tests: SQL never
// leaves this folder (PRODUCT.md, "Beyond one machine").
//
// Thread rules: a Connection and its Statements belong to one thread at a time; SQLite is built
// thread-safe on Debian, but a connection is not shared across threads in Herald.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace herald::storage {

class Statement;

class Connection {
 public:
  struct Options {
    std::filesystem::path path;
    std::chrono::milliseconds busy_timeout{std::chrono::seconds(5)};
    bool create_if_missing = true;
    // The page cache's limit (SQLite's own default is 2 MiB). Pages are allocated as they are
    // used, and kept until the connection closes.
    std::size_t cache_bytes = 8 << 20;
  };

  // Opens the file with WAL journaling, synchronous=FULL, foreign keys on and the busy timeout
  // set. Fails with a message naming the file when it cannot be opened or is not a database.
  static Result<std::unique_ptr<Connection>> Open(const Options& options);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (DDL, pragmas, BEGIN/COMMIT).
  Status Execute(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int Changes() const;

  // Reads a single integer pragma, e.g. "user_version".
  Result<std::int64_t> PragmaInteger(std::string_view name);

  const std::filesystem::path& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // An error naming this connection's file, with SQLite's message for the last failure.
  Error LastError(std::string_view what) const;

 private:
  Connection(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::filesystem::path path_;
};

// A prepared statement. Parameters are 1-based as in SQLite; columns are 0-based.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::optional<std::string>& value);

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, for statements that return no rows.
  Status Run();
  void Reset();

  std::int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  // The text without a copy: valid until the next Step, Reset or column call on this column.
  std::string_view ColumnView(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class Connection;
  Statement(const Connection* connection, sqlite3_stmt* stmt)
      : connection_(connection), stmt_(stmt) {}
  const Connection* connection_;
  sqlite3_stmt* stmt_;
  bool bind_failed_ = false;
};

// Steps `query` to its end, handing each row to `read` (for result sets of unknown length).
template <typename Read>
Status ForEachRow(Statement& query, Read&& read) {
  for (;;) {
    auto row = query.Step();
    if (!row.ok()) return row.error();
    if (!*row) return Status::Ok();
    read(query);
  }
}

// Runs `body` inside BEGIN IMMEDIATE … COMMIT; rolls back when `body` or the commit fails.
template <typename Body>
Status InTransaction(Connection& connection, Body&& body) {
  if (Status begun = connection.Execute("BEGIN IMMEDIATE"); !begun.ok()) return begun;
  Status status = body();
  if (status.ok()) status = connection.Execute("COMMIT");
  if (!status.ok()) (void)connection.Execute("ROLLBACK");
  return status;
}

}  // namespace herald::storage
