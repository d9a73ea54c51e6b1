#include "storage/sqlite/connection.h"

#include <sqlite3.h>

#include <mutex>
#include <utility>

namespace herald::storage {
namespace {

Error SqliteError(sqlite3* db, const std::filesystem::path& path, std::string_view what) {
  int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  ErrorCode kind = ErrorCode::kIoError;
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      kind = ErrorCode::kUnavailable;
      break;
    case SQLITE_CONSTRAINT:
      kind = ErrorCode::kAlreadyExists;
      break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      kind = ErrorCode::kCorruption;
      break;
    case SQLITE_FULL:
      kind = ErrorCode::kStorageFull;
      break;
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
      kind = ErrorCode::kInternal;
      break;
    default:
      break;
  }
  std::string message = std::string(what) + " (" + path.string() + "): ";
  message += db ? sqlite3_errmsg(db) : "out of memory";
  return MakeError(kind, std::move(message));
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const Options& options) {
  // No global memory statistics: with them every allocation SQLite makes takes a process-wide
  // mutex, which the writer, the readers and the runner's preparation would contend for.
  // sqlite3_config only works before SQLite initialises; later calls are refused harmlessly.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(options.path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = SqliteError(db, options.path, "cannot open database");
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  std::unique_ptr<Connection> connection(new Connection(db, options.path));

  // journal_mode=WAL reads the file header: a file that is not a database fails here.
  auto mode = connection->Prepare("PRAGMA journal_mode=WAL");
  if (!mode.ok()) return mode.error();
  auto row = mode->Step();
  if (!row.ok()) return row.error();
  if (!*row || mode->ColumnText(0) != "wal") {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "cannot switch " + options.path.string() + " to WAL journaling");
  }
  // FULL syncs the WAL on each commit: a delivery's state change survives power loss, not only a
  // process crash. The writer batches commits, so the cost is paid once per batch.
  // The cache size is given in KiB (a negative cache_size).
  Status pragmas = connection->Execute(
      "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
      "PRAGMA cache_size=-" +
      std::to_string(std::max<std::size_t>(options.cache_bytes >> 10, 64)) + ";");
  if (!pragmas.ok()) return pragmas.error();
  return connection;
}

Connection::~Connection() { sqlite3_close_v2(db_); }

Error Connection::LastError(std::string_view what) const { return SqliteError(db_, path_, what); }

Status Connection::Execute(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  sqlite3_free(message);
  return LastError("statement failed");
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return LastError("cannot prepare statement");
  return Statement(this, stmt);
}

int Connection::Changes() const { return sqlite3_changes(db_); }

Result<std::int64_t> Connection::PragmaInteger(std::string_view name) {
  auto statement = Prepare("PRAGMA " + std::string(name));
  if (!statement.ok()) return statement.error();
  auto row = statement->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, "pragma returned no row", std::string(name));
  return statement->ColumnInt(0);
}

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_failed_(other.bind_failed_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    connection_ = other.connection_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_failed_ = other.bind_failed_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, std::int64_t value) {
  bind_failed_ |= sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK;
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  bind_failed_ |= sqlite3_bind_double(stmt_, index, value) != SQLITE_OK;
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  bind_failed_ |= sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                      SQLITE_UTF8) != SQLITE_OK;
  return *this;
}

Statement& Statement::BindNull(int index) {
  bind_failed_ |= sqlite3_bind_null(stmt_, index) != SQLITE_OK;
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, std::string_view(*value)) : BindNull(index);
}

Result<bool> Statement::Step() {
  if (bind_failed_) return connection_->LastError("cannot bind parameter");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = connection_->LastError("statement failed");
  sqlite3_reset(stmt_);
  return error;
}

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return row.error();
    if (!*row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_failed_ = false;
}

std::int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string_view Statement::ColumnView(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(text),
                          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

}  // namespace herald::storage
