// storage/sqlite/sqlite_store.h: the embedded SQLite Store: one database file in WAL mode, one
// writer thread that owns the write connection and commits jobs in batches (storage/sqlite/
// writer.h), and a new read connection per read session.
//
// Thread rules: as Store.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>

#include "storage/sqlite/writer.h"
#include "storage/store.h"

namespace herald::storage {

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const StoreOptions& options);
  ~SqliteStore() override;

  std::string location() const override;
  int schema_version() const override { return schema_version_; }
  Status Submit(Job job, Done done) override;
  Status SubmitAndWait(Job job) override;
  Result<std::unique_ptr<UnitOfWork>> OpenReader() const override;
  Status CheckReady() const override;
  std::chrono::steady_clock::time_point LastHeartbeat() const override;
  WriterStats writer_stats() const override { return writer_->stats(); }
  void Stop() override;

  const std::filesystem::path& path() const { return path_; }
  // The SQLite writer itself, and a plain read connection, for storage tests and tools that work
  // on connections.
  Writer& sqlite_writer() { return *writer_; }
  Result<std::unique_ptr<Connection>> OpenReadConnection() const;

 private:
  SqliteStore(std::filesystem::path path, std::chrono::milliseconds busy_timeout,
              int schema_version, std::unique_ptr<Writer> writer);

  std::filesystem::path path_;
  std::chrono::milliseconds busy_timeout_;
  int schema_version_;
  std::unique_ptr<Writer> writer_;
  std::atomic<bool> stopped_{false};
};

}  // namespace herald::storage
