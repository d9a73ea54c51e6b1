#include "storage/store.h"

#include <system_error>

#include "storage/migrations.h"

namespace herald::storage {

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(options.path, ec)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     options.path.string() + " is a directory, expected a database file",
                     "storage.path");
  }
  auto connection = Connection::Open({options.path, options.busy_timeout, true});
  if (!connection.ok()) return connection.error();
  if (Status migrated = Migrate(**connection); !migrated.ok()) return migrated.error();
  auto version = (*connection)->PragmaInteger("user_version");
  if (!version.ok()) return version.error();
  auto writer = std::make_unique<Writer>(std::move(connection).value(), options.max_batch);
  return std::unique_ptr<Store>(
      new Store(options.path, options.busy_timeout, static_cast<int>(*version), std::move(writer)));
}

Store::Store(std::filesystem::path path, std::chrono::milliseconds busy_timeout, int schema_version,
             std::unique_ptr<Writer> writer)
    : path_(std::move(path)),
      busy_timeout_(busy_timeout),
      schema_version_(schema_version),
      writer_(std::move(writer)) {}

Result<std::unique_ptr<Connection>> Store::OpenReadConnection() const {
  return Connection::Open({path_, busy_timeout_, false});
}

Store::~Store() { Stop(); }

Status Store::CheckReady() const {
  if (stopped_) return MakeError(ErrorCode::kUnavailable, "storage is stopped");
  if (schema_version_ != LatestSchemaVersion()) {
    return MakeError(ErrorCode::kFailedPrecondition, "schema is not migrated");
  }
  if (!writer_->healthy()) {
    return MakeError(ErrorCode::kUnavailable, "the last commit failed; see the log");
  }
  return Status::Ok();
}

void Store::Stop() {
  if (stopped_.exchange(true)) return;
  writer_->Stop();
}

}  // namespace herald::storage
