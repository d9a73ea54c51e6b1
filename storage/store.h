// storage/store.h: the storage folder's entry point. The rest of Herald reaches its data through a
// Store: write jobs run on the store's writer and get a UnitOfWork (one transaction's worth of
// repositories); reads run on a read session (a UnitOfWork of its own on a separate connection).
// Callers never see a connection or SQL. SQLite is the embedded implementation (storage/sqlite/);
// PostgreSQL comes beside it (PRODUCT.md, "Beyond one machine").
//
// Durability: a write job's `done` runs once the job is durable (or with its error); a job that
// fails rolls back alone. Jobs run one at a time on the writer, in submission order, but callers
// must not rely on that order across jobs (another implementation may run them concurrently).
//
// Thread rules: Submit, SubmitAndWait (never from the network thread), OpenReader, CheckReady,
// stats and LastHeartbeat are safe from any thread; Open and Stop on the owning thread. A
// UnitOfWork and its repositories belong to the thread that runs the job or owns the reader.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace herald::storage {

class CampaignRepository;
class ContactRepository;
class DeliveryRepository;
class HookRepository;
class ImportRepository;
class LeaseRepository;
class MarketRuleRepository;
class PriceRepository;
class RecipientRepository;
class ReportRepository;
class RetentionRepository;
class SegmentRepository;
class SenderRepository;
class TemplateRepository;
class WebhookRepository;
class WordListRepository;

// One transaction's worth of repositories (a write job), or one read session's. Repositories are
// made on first use and live as long as the unit of work.
class UnitOfWork {
 public:
  virtual ~UnitOfWork() = default;
  virtual CampaignRepository& campaigns() = 0;
  virtual ContactRepository& contacts() = 0;
  virtual DeliveryRepository& deliveries() = 0;
  virtual HookRepository& hooks() = 0;
  virtual ImportRepository& imports() = 0;
  virtual LeaseRepository& leases() = 0;
  virtual MarketRuleRepository& market_rules() = 0;
  virtual PriceRepository& prices() = 0;
  virtual RecipientRepository& recipients() = 0;
  virtual ReportRepository& reports() = 0;
  virtual RetentionRepository& retention() = 0;
  virtual SegmentRepository& segments() = 0;
  virtual SenderRepository& senders() = 0;
  virtual TemplateRepository& templates() = 0;
  virtual WebhookRepository& webhooks() = 0;
  virtual WordListRepository& word_lists() = 0;
};

struct StoreOptions {
  std::filesystem::path path;
  std::chrono::milliseconds busy_timeout{std::chrono::seconds(5)};
  std::size_t max_batch = 1000;
  // The writer's page cache: it holds the phone-number index's hot pages during an import.
  // Each reader connection has kReaderCacheBytes.
  std::size_t cache_bytes = 16 << 20;
  static constexpr std::size_t kReaderCacheBytes = 8 << 20;
  // Called on the writer's thread after each batch's COMMIT succeeded, with the time the COMMIT
  // took (mostly its fsync), e.g. for a latency histogram: storage knows nothing of metrics. It
  // must be cheap and must not block or use the store. May be empty.
  std::function<void(std::chrono::steady_clock::duration)> on_commit{};
};

struct WriterStats {
  std::uint64_t batches_committed = 0;
  std::uint64_t jobs_committed = 0;
  // Not committed because storage failed: the commit (then every job of the batch), or the
  // job's own SQL with an I/O, corruption, busy or internal error.
  std::uint64_t jobs_failed = 0;
  // Refused by the job itself (invalid, missing, duplicate, wrong state: the caller's input,
  // not a storage fault). Rolled back alone; its batch commits.
  std::uint64_t jobs_rejected = 0;
  std::uint64_t commits_failed = 0;  // batches whose BEGIN or COMMIT failed
  std::uint64_t jobs_queued = 0;     // now: submitted and waiting for a batch (not running yet)
};

class Store {
 public:
  using Job = std::function<Status(UnitOfWork&)>;
  using Done = std::function<void(Status)>;

  // Opens (creating if missing) the embedded SQLite database at options.path, brings its schema
  // to this build's version (refusing a newer one) and starts its writer.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);

  virtual ~Store() = default;

  // Where the data lives, for logs and status (an absolute file path for SQLite).
  virtual std::string location() const = 0;
  virtual int schema_version() const = 0;

  // Queues `job`; `done` (may be empty) receives the job's status once it is durable, or the
  // job's own error, or the commit's error. `done` runs on the writer's thread: it must not
  // block. After Stop, returns kUnavailable and never runs the job.
  virtual Status Submit(Job job, Done done) = 0;
  // Runs `job` and waits until it is durable. For start-up, tools and tests.
  virtual Status SubmitAndWait(Job job) = 0;

  // A read session for the calling thread (repositories over a connection of its own). Writes
  // through it are a programming error: they go through Submit.
  virtual Result<std::unique_ptr<UnitOfWork>> OpenReader() const = 0;

  // Ready to serve: migrated, the writer alive and its last commit successful.
  virtual Status CheckReady() const = 0;
  // Updated at least once per second while the writer is alive (for the systemd watchdog).
  virtual std::chrono::steady_clock::time_point LastHeartbeat() const = 0;
  virtual WriterStats writer_stats() const = 0;

  // Flushes queued writes and closes. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace herald::storage
