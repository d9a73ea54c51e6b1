// daemon/compliance_service.h: the live parts of the compliance gate. Owns the word filter built
// from the active version of every stored word list, the template catalog and the gate policy
// from config, and publishes them together as one immutable compliance::Gate.
//
// A change (a word list edit, a template upsert, a reloaded config) commits on the storage writer
// first; the new filter or catalog is then built on this service's worker thread, never on the
// network thread or the writer, and swapped in atomically. Checks that already hold the old gate
// finish with it; sending never waits for an activation. An edit's completion runs after the
// new version is active, so a `words test` right after an edit sees it.
//
// Thread rules: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "compliance/gate.h"
#include "config/config.h"
#include "daemon/compliance_stats.h"
#include "daemon/read_worker.h"
#include "storage/store.h"
#include "storage/template_repository.h"
#include "storage/word_list_repository.h"

namespace herald::daemon {

class ComplianceService {
 public:
  using EditResult = Result<storage::WordListChange>;
  using WordListEdit = std::function<EditResult(storage::WordListRepository&, SysTime now)>;

  ComplianceService(storage::Store& store, const Clock& clock,
                    compliance::WordFilterOptions filter_options = {});
  ~ComplianceService();  // Stop()

  // Seeds the starter word lists on first start, loads every list and template, and builds the
  // first gate. Blocking: call once before serving. Fails when the policy is invalid or the
  // stored lists do not compile.
  Status Start(compliance::GatePolicyConfig policy);
  // A new policy from a reloaded config. An invalid one is refused and the old one stays.
  Status Reconfigure(compliance::GatePolicyConfig policy);
  void Stop();

  // The current gate; never null after Start.
  std::shared_ptr<const compliance::Gate> gate() const;
  std::shared_ptr<const compliance::WordFilter> word_filter() const;
  ComplianceStats stats() const;

  // Runs `edit` of `list` as a storage writer job; when it changed something, rebuilds and
  // activates the word filter, then calls `done` (on the worker thread, or the writer's on
  // failure). A change that is stored but cannot be activated (the list as a whole does not
  // compile) is reverted by a new version and reported as an error.
  void EditWordLists(std::string list, WordListEdit edit, std::function<void(EditResult)> done);
  // Upserts a template and activates the new catalog before calling `done`.
  void UpsertTemplate(storage::TemplateRecord record, std::string actor,
                      std::function<void(Result<storage::TemplateUpsertOutcome>)> done);
  // Runs `task` on the worker thread with its read connection.
  void Read(ReadWorker::Task task);

 private:
  // Activates the stored word lists / templates (worker thread).
  Status ActivateWordLists(storage::Connection& reader);
  Status ActivateTemplates(storage::Connection& reader);
  void Revert(const std::string& list, const storage::WordListChange& change, const Error& why,
              std::function<void(EditResult)> done);

  storage::Store& store_;
  const Clock& clock_;
  const compliance::WordFilterOptions filter_options_;
  std::shared_ptr<const compliance::CountryZoneTable> zones_;

  mutable std::mutex mutex_;  // guards the parts below and stats_ (not held while building)
  std::shared_ptr<const compliance::GatePolicy> policy_;
  compliance::TemplateCatalog templates_;
  std::shared_ptr<const compliance::WordFilter> filter_;
  std::shared_ptr<const compliance::Gate> gate_;
  ComplianceStats stats_;

  ReadWorker worker_;
  std::atomic<bool> stopped_{false};
};

// The gate's policy and the filter's options from the [compliance] config table.
compliance::GatePolicyConfig PolicyFromConfig(const config::ComplianceConfig& config);
compliance::WordFilterOptions FilterOptionsFromConfig(const config::ComplianceConfig& config);

// compliance::WordList from a stored list (kinds and severities parsed).
Result<compliance::WordList> ToWordList(const storage::StoredWordList& stored);
storage::StoredTerm ToStoredTerm(const compliance::Term& term);
// A stored template as the gate's catalog reads it; errors name the field at fault.
Result<compliance::MessageTemplate> ToMessageTemplate(const storage::TemplateRecord& record);

}  // namespace herald::daemon
