// storage/store.h: the storage folder's entry point. Opens the SQLite database, brings its schema
// to this build's version (refusing a newer one) and owns the single writer.
//
// Repositories (one per aggregate) are added beside it and take the Store; the rest of Herald uses
// repositories, never SQL.
//
// Thread rules: Open and Stop on the owning (main) thread; the accessors from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

#include "common/result.h"
#include "storage/writer.h"

namespace herald::storage {

struct StoreOptions {
  std::filesystem::path path;
  std::chrono::milliseconds busy_timeout{std::chrono::seconds(5)};
  std::size_t max_batch = 1000;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::filesystem::path& path() const { return path_; }
  int schema_version() const { return schema_version_; }
  Writer& writer() { return *writer_; }

  // A new connection for reads on the caller's thread (WAL lets readers run beside the writer).
  // Never write through it: writes go through writer().
  Result<std::unique_ptr<Connection>> OpenReadConnection() const;

  // Ready to serve: migrated, the writer thread alive and its last commit successful.
  Status CheckReady() const;

  // Flushes queued writes and closes. Idempotent.
  void Stop();

 private:
  Store(std::filesystem::path path, std::chrono::milliseconds busy_timeout, int schema_version,
        std::unique_ptr<Writer> writer);
  std::filesystem::path path_;
  std::chrono::milliseconds busy_timeout_;
  int schema_version_;
  std::unique_ptr<Writer> writer_;
  std::atomic<bool> stopped_{false};
};

}  // namespace herald::storage
