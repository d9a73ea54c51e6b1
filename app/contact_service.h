// app/contact_service.h: contacts, tags, saved segments and imports. The service owns every write
// to that data and the in-memory segment index (campaign::ContactIndex) built from it: each
// change commits through the store's writer, and the index is updated from the committed result
// before the caller hears back, whoever caused the change (the API, an import, a tag edit, an
// erasure, and later webhooks and the sender). Callers never see storage.
//
// Every operation answers through a Reply, exactly once, on a thread of the service (the storage
// writer or the service's read worker): a reply must not block. Reads run on the worker's own
// read session, so neither the network thread nor the writer waits for them. Imports run on a
// thread each; their state, counts and rejected rows are stored as they go, so an import's status
// answers after a restart.
//
// Thread rules: every public method may be called from any thread. The index is guarded by
// index_mutex_ (queries share it; updates after commits, on the writer thread, take it alone);
// imports_ by imports_mutex_. The read session belongs to the worker thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "app/event_publisher.h"
#include "app/read_worker.h"
#include "app/reply.h"
#include "campaign/contact_index.h"
#include "campaign/segment.h"
#include "common/clock.h"
#include "common/result.h"
#include "common/temp_file.h"
#include "common/thread_annotations.h"
#include "contacts/importer.h"
#include "storage/contact_repository.h"
#include "storage/import_repository.h"
#include "storage/segment_repository.h"
#include "storage/store.h"

namespace herald::app {

// The data this service hands out, as storage keeps it (plain values).
using Contact = storage::StoredContact;
using SavedSegment = storage::SavedSegment;

struct ImportStatus {
  std::string id;
  std::string state;  // running, completed, failed, cancelled, interrupted
  // Running but not started yet: it waits for one of the service's import slots (live only).
  bool waiting = false;
  std::string actor;
  contacts::ImportCounts counts;
  std::vector<std::string> warning_samples;  // the first of counts.warnings, at most 100
  std::string error;                         // when failed, cancelled or interrupted
  SysTime started;
  std::optional<SysTime> finished;
};

// What to import: the file the upload was spooled to (the import keeps it until it is done), how,
// and for whom.
struct ImportRequest {
  std::shared_ptr<const TempFile> source;
  contacts::ImportOptions options;
  std::string actor;
};

struct SegmentPreview {
  std::uint64_t count = 0;
  std::map<std::string, std::uint64_t> by_country;  // "" = unknown
  std::vector<storage::StoredContact> sample;
};

struct TagEdit {
  std::vector<std::string> add;
  std::vector<std::string> remove;
};

// The contacts a bulk tag change goes to: numbers (E.164), or the members of a segment.
struct TagTargets {
  std::vector<std::string> phones;
  std::optional<campaign::SegmentExpr> segment;
};

struct TagCounts {
  std::uint64_t matched = 0;  // contacts found
  std::uint64_t changed = 0;  // of those, whose tags changed
  std::uint64_t missing = 0;  // numbers with no contact, or contacts erased meanwhile
};

// One inbound message from a user, as the webhook service hands it over (issue 17).
struct InboundRecord {
  storage::InboundContact contact;  // its `sender` is resolved from phone_number_id
  std::string phone_number_id;      // the business number written to
  std::string stop_source;          // not empty: the message is an opt-out, recorded with this
  std::string context_message_id;   // the wamid the message quotes (a reply to it)
  std::vector<std::string> tags;    // to apply, from the reply rules
  // Not empty: a `system` message saying the user's number changed to this one (E.164); the
  // contact moves there and nothing else of the record applies.
  std::string new_phone_e164;
};

struct InboundTally {
  std::uint64_t messages = 0;
  std::uint64_t contacts_created = 0;
  std::uint64_t unknown_numbers = 0;  // written to a business number Herald does not know
  std::uint64_t opted_out = 0;
  std::uint64_t replies = 0;  // deliveries counted as replied to
  std::uint64_t tagged = 0;
  std::uint64_t numbers_changed = 0;
  std::uint64_t numbers_not_changed = 0;  // the new number is another contact's
};

class ContactService {
 public:
  // Contacts per writer job when a change reaches many (bulk tags): one job never holds the
  // writer for long, and memory stays bounded.
  static constexpr std::size_t kTagBatch = 2000;

  // At most `max_running_imports` imports read and write at once; later ones wait for a slot
  // (ImportStatus::waiting), so that many uploads at once do not hold many imports' batches.
  ContactService(storage::Store& store, const Clock& clock, std::size_t max_running_imports = 2);
  ~ContactService();  // Stop(now)

  // Builds the index from the database, marks imports a crash cut short as interrupted, and
  // starts the read worker. Blocking: call once before serving.
  Status Start();
  // Refuses new imports and lets running ones finish until `deadline`; then cancels what is left
  // (each records itself as interrupted, with the rows it committed), waits for them and for
  // queued queries. Idempotent.
  void Stop(std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::now());

  // Imports.
  void StartImport(ImportRequest request, Reply<ImportStatus> reply);
  void GetImport(std::string id, Reply<ImportStatus> reply);
  void ListImports(std::size_t limit, Reply<std::vector<ImportStatus>> reply);
  // The import's rejected rows as CSV (line, reason, the row as written) in a new temporary
  // file that the caller deletes.
  void ImportRejects(std::string id, Reply<std::filesystem::path> reply);

  // One contact.
  void FindContact(std::string phone_e164, Reply<storage::StoredContact> reply);
  void ChangeTags(std::string phone_e164, TagEdit edit, Reply<storage::StoredContact> reply);
  // GDPR erasure (see storage::ContactRepository::Erase); answers the erased contact's id.
  void Erase(std::string phone_e164, std::string actor, std::string reason, Reply<ContactId> reply);

  // Inbound messages (one writer job): the contact (created when new), its last inbound time and
  // service window with the number, the delivery it replies to, an opt-out, tags from reply
  // rules; every change audited as `actor`, the index updated after the commit. Applying the same
  // records again changes nothing.
  void RecordInbound(std::vector<InboundRecord> records, std::string actor,
                     Reply<InboundTally> reply);
  // Where opt-outs are published (contact.opted_out), in the job that records them; set before
  // Start. May be left unset (tests).
  void SetEventPublisher(EventPublisher* events) { events_ = events; }

  // Tags across contacts, in batches of kTagBatch.
  void ApplyTags(TagTargets targets, TagEdit edit, Reply<TagCounts> reply);
  // Answer the number of contacts that carried the tag.
  void RenameTag(std::string from, std::string to, std::string actor, Reply<std::uint64_t> reply);
  void DeleteTag(std::string name, std::string actor, Reply<std::uint64_t> reply);

  // Segments.
  void Preview(campaign::SegmentExpr expr, std::size_t sample_size, Reply<SegmentPreview> reply);
  // The members as CSV in the import format (so the export imports back unchanged), in a new
  // temporary file that the caller deletes.
  void Export(campaign::SegmentExpr expr, Reply<std::filesystem::path> reply);
  void ListSegments(Reply<std::vector<storage::SavedSegment>> reply);
  void FindSegment(std::string name, Reply<storage::SavedSegment> reply);
  // Stores the expression in its canonical spelling; answers the segment as stored.
  void SaveSegment(std::string name, const campaign::SegmentExpr& expr, std::string actor,
                   Reply<storage::SavedSegment> reply);
  void DeleteSegment(std::string name, std::string actor, Reply<bool> reply);

  // The contacts matching `expr` now (a campaign's audience), from the index. Any thread.
  campaign::ContactSet Evaluate(const campaign::SegmentExpr& expr) const;
  // How many of `set` are in each country ("" = unknown), from the index. Any thread.
  std::map<std::string, std::uint64_t> CountByCountry(const campaign::ContactSet& set) const;

  std::uint64_t indexed_contacts() const;
  const Clock& clock() const { return clock_; }

 private:
  EventPublisher* events_ = nullptr;
  struct ImportJob;
  struct TagRun;

  std::vector<ContactId> Members(const campaign::SegmentExpr& expr) const;
  void RunImport(const std::shared_ptr<ImportJob>& job);
  void ApplyTagBatch(std::shared_ptr<TagRun> run);
  void ApplyCommitted(const std::vector<storage::UpsertResult>& results);
  void ApplyErased(const storage::StoredContact& before);
  void CompactIndexLocked() HERALD_REQUIRES(index_mutex_);
  void CompactIndexAfterImport();
  std::optional<ImportStatus> LiveImport(const std::string& id) const;

  storage::Store& store_;
  const Clock& clock_;
  mutable std::shared_mutex index_mutex_;
  campaign::ContactIndex index_ HERALD_GUARDED_BY(index_mutex_);
  // Contacts changed in the index since it was last compacted.
  std::uint64_t changes_since_compact_ HERALD_GUARDED_BY(index_mutex_) = 0;
  static constexpr std::uint64_t kCompactAfterChanges = 262144;
  static constexpr std::uint64_t kCompactAfterImportChanges = 16384;

  mutable std::mutex imports_mutex_;
  std::map<std::string, std::shared_ptr<ImportJob>> imports_ HERALD_GUARDED_BY(imports_mutex_);
  // Import threads are detached; Stop waits until none is left.
  std::mutex import_threads_mutex_;
  std::condition_variable import_threads_idle_;
  std::size_t import_threads_ HERALD_GUARDED_BY(import_threads_mutex_) = 0;
  bool accepting_imports_ HERALD_GUARDED_BY(import_threads_mutex_) = true;  // false once stopping
  // Import slots: imports holding one read and write; the others wait on import_slot_free_.
  const std::size_t max_running_imports_;
  std::size_t running_imports_ HERALD_GUARDED_BY(import_threads_mutex_) = 0;
  // Imports waiting for a slot, in the order they were started: a slot goes to the first (an
  // import's thread may run later than the next one's).
  std::deque<const void*> import_queue_ HERALD_GUARDED_BY(import_threads_mutex_);
  std::condition_variable import_slot_free_;
  ReadWorker worker_;
  std::atomic<bool> stopped_{false};
};

// What the index needs to know about a stored contact.
campaign::ContactFacts ToFacts(const storage::StoredContact& contact);

}  // namespace herald::app
