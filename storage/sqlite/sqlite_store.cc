#include "storage/sqlite/sqlite_store.h"

#include <system_error>

#include "storage/sqlite/migrations.h"
#include "storage/sqlite/unit_of_work.h"

namespace herald::storage {

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  auto store = SqliteStore::Open(options);
  if (!store.ok()) return store.error();
  return std::unique_ptr<Store>(std::move(store).value());
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const StoreOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(options.path, ec)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     options.path.string() + " is a directory, expected a database file",
                     "storage.path");
  }
  auto connection =
      Connection::Open({options.path, options.busy_timeout, true, options.cache_bytes});
  if (!connection.ok()) return connection.error();
  if (Status migrated = Migrate(**connection); !migrated.ok()) return migrated.error();
  auto version = (*connection)->PragmaInteger("user_version");
  if (!version.ok()) return version.error();
  auto writer =
      std::make_unique<Writer>(std::move(connection).value(), options.max_batch, options.on_commit);
  return std::unique_ptr<SqliteStore>(new SqliteStore(
      options.path, options.busy_timeout, static_cast<int>(*version), std::move(writer)));
}

SqliteStore::SqliteStore(std::filesystem::path path, std::chrono::milliseconds busy_timeout,
                         int schema_version, std::unique_ptr<Writer> writer)
    : path_(std::move(path)),
      busy_timeout_(busy_timeout),
      schema_version_(schema_version),
      writer_(std::move(writer)) {}

SqliteStore::~SqliteStore() { Stop(); }

std::string SqliteStore::location() const {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path_, ec);
  return (ec ? path_ : absolute).string();
}

Status SqliteStore::Submit(Job job, Done done) {
  return writer_->Submit(
      [job = std::move(job)](Connection& connection) {
        SqliteUnitOfWork work(connection);
        return job(work);
      },
      std::move(done));
}

Status SqliteStore::SubmitAndWait(Job job) {
  return writer_->SubmitAndWait([job = std::move(job)](Connection& connection) {
    SqliteUnitOfWork work(connection);
    return job(work);
  });
}

Result<std::unique_ptr<Connection>> SqliteStore::OpenReadConnection() const {
  return Connection::Open({path_, busy_timeout_, false, StoreOptions::kReaderCacheBytes});
}

Result<std::unique_ptr<UnitOfWork>> SqliteStore::OpenReader() const {
  auto connection = OpenReadConnection();
  if (!connection.ok()) return connection.error();
  return std::unique_ptr<UnitOfWork>(
      std::make_unique<SqliteUnitOfWork>(std::move(connection).value()));
}

Status SqliteStore::CheckReady() const {
  if (stopped_) return MakeError(ErrorCode::kUnavailable, "storage is stopped");
  if (schema_version_ != LatestSchemaVersion()) {
    return MakeError(ErrorCode::kFailedPrecondition, "schema is not migrated");
  }
  if (!writer_->healthy()) {
    return MakeError(ErrorCode::kUnavailable,
                     "writes fail: " + writer_->failure() +
                         "; the writer retries once a second and is ready again once a write "
                         "succeeds");
  }
  return Status::Ok();
}

std::chrono::steady_clock::time_point SqliteStore::LastHeartbeat() const {
  return writer_->LastHeartbeat();
}

void SqliteStore::Stop() {
  if (stopped_.exchange(true)) return;
  writer_->Stop();
}

}  // namespace herald::storage
