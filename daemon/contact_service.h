// daemon/contact_service.h: contacts and segments for the admin API. Owns the in-memory segment
// index (campaign::ContactIndex) and keeps it in step with storage: rebuilt at start, updated
// after every commit that changes a contact. Runs imports on their own threads and segment
// queries on a worker, so the network thread never waits.
//
// Thread rules: every public method may be called from any thread. The index is guarded by a
// shared_mutex (queries share it; updates after commits, on the writer thread, take it alone).
// The read connection belongs to the single worker thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "campaign/contact_index.h"
#include "campaign/segment.h"
#include "common/clock.h"
#include "common/result.h"
#include "contacts/importer.h"
#include "daemon/read_worker.h"
#include "storage/contact_repository.h"
#include "storage/store.h"

namespace herald::daemon {

struct ImportStatus {
  std::string id;
  std::string state;  // running, completed, failed, cancelled
  std::string actor;
  contacts::ImportCounts counts;
  std::vector<std::string> warning_samples;  // the first of counts.warnings, at most 100
  std::string error;                         // when failed
  SysTime started;
  std::optional<SysTime> finished;
};

struct SegmentPreview {
  std::uint64_t count = 0;
  std::map<std::string, std::uint64_t> by_country;  // "" = unknown
  std::vector<storage::StoredContact> sample;
};

class ContactService {
 public:
  ContactService(storage::Store& store, const Clock& clock);
  ~ContactService();  // Stop()

  // Builds the index from the database; call once before serving.
  Status RebuildIndex();
  // Cancels running imports, waits for them and for queued queries. Idempotent.
  void Stop();

  // Imports run on their own thread; the id names them in later calls.
  std::string StartImport(std::string body, contacts::ImportOptions options, std::string actor);
  std::optional<ImportStatus> GetImport(const std::string& id) const;
  std::optional<std::string> RejectsCsv(const std::string& id) const;

  // Runs `task` on the worker thread with its read connection.
  void Query(std::function<void(storage::Connection&)> task);

  // For worker tasks (Query): evaluate against the index.
  SegmentPreview Preview(storage::Connection& reader, const campaign::SegmentExpr& expr,
                         std::size_t sample_size) const;
  std::vector<ContactId> Members(const campaign::SegmentExpr& expr) const;
  std::uint64_t indexed_contacts() const;

  // Applies committed changes to the index (from writer completions).
  void ApplyCommitted(const std::vector<storage::UpsertResult>& results);
  void ApplyErased(const storage::StoredContact& before);

  storage::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }

 private:
  struct ImportJob;

  storage::Store& store_;
  const Clock& clock_;
  mutable std::shared_mutex index_mutex_;
  campaign::ContactIndex index_;

  mutable std::mutex imports_mutex_;
  std::map<std::string, std::shared_ptr<ImportJob>> imports_;
  std::atomic<std::uint64_t> next_import_{1};
  ReadWorker worker_;
  std::atomic<bool> stopped_{false};
};

// What the index needs to know about a stored contact.
campaign::ContactFacts ToFacts(const storage::StoredContact& contact);

}  // namespace herald::daemon
