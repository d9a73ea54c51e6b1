// app/compliance_service.h: the live parts of the compliance gate. Owns the word filter built
// from the active version of every stored word list, the template catalog and the gate policy
// from config, and publishes them together as one immutable compliance::Gate.
//
// A change (a word list edit, a template upsert, a reloaded config) commits on the storage writer
// first; the new filter or catalog is then built on this service's worker thread, never on the
// network thread or the writer, and swapped in atomically. Checks that already hold the old gate
// finish with it; sending never waits for an activation. An edit's completion runs after the
// new version is active, so a `words test` right after an edit sees it.
//
// Reports herald_wordlist_*, herald_templates* and herald_wordfilter_dfa_fallbacks_total into the
// metrics registry given at construction (docs/operations.md lists them).
//
// Thread rules: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/read_worker.h"
#include "app/worker_thread.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "compliance/gate.h"
#include "config/config.h"
#include "storage/store.h"
#include "storage/template_repository.h"
#include "storage/word_list_repository.h"

namespace herald::app {

// The data this service hands out, as storage keeps it (plain values).
using WordListChange = storage::WordListChange;
using WordList = storage::StoredWordList;
using WordListVersion = storage::WordListVersionInfo;
using TermsImportMode = storage::ImportMode;
using TemplateRecord = storage::TemplateRecord;
using StoredTemplate = storage::StoredTemplate;
using TemplateUpsertOutcome = storage::TemplateUpsertOutcome;

class ComplianceService {
 public:
  template <typename T>
  using Reply = std::function<void(Result<T>)>;
  using EditResult = Result<storage::WordListChange>;
  using WordListEdit = std::function<EditResult(storage::WordListRepository&, SysTime now)>;

  ComplianceService(storage::Store& store, const Clock& clock, metrics::Registry& metrics,
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

  // Word list changes (storage::WordListRepository says what each checks and audits). Each
  // answers once the new version is active, so a scan right after sees it. A change that is
  // stored but cannot be activated (the list as a whole does not compile) is reverted by a new
  // version and answered as an error. Replies run on the worker or the writer thread.
  void CreateWordList(std::string name, std::string language, std::string actor, std::string reason,
                      Reply<WordListChange> reply);
  void AddTerms(std::string list, std::vector<compliance::Term> terms, std::string actor,
                std::string reason, Reply<WordListChange> reply);
  // Removes the terms named by their text and match kind (severity and note are ignored).
  void RemoveTerms(std::string list, std::vector<compliance::Term> terms, std::string actor,
                   std::string reason, Reply<WordListChange> reply);
  void ImportTerms(std::string list, std::vector<compliance::Term> terms, TermsImportMode mode,
                   std::string actor, std::string reason, Reply<WordListChange> reply);

  // ImportTerms from a CSV file's text (compliance/word_list_csv.h), parsed and validated on the
  // worker (compiling thousands of regex terms takes a while). A file that does not parse is
  // kInvalidArgument, field "csv", naming each line as `source_name`:LINE.
  void ImportTermsCsv(std::string list, std::string csv, std::string source_name,
                      TermsImportMode mode, std::string actor, std::string reason,
                      Reply<WordListChange> reply);

  // Word list reads (the worker's read session). No version: the active one.
  void GetWordList(std::string name, std::optional<std::int64_t> version, Reply<WordList> reply);
  void WordListVersions(std::string name, Reply<std::vector<WordListVersion>> reply);
  // The list as CSV (compliance/word_list_csv.h), ready to import again.
  void WordListCsv(std::string name, std::optional<std::int64_t> version, Reply<std::string> reply);

  // Tests `text` against the active word lists ("words test"): the scan runs on a thread of its
  // own, never the caller's. The answer lists the first `max_matches` matches and counts them all;
  // `blocked` is over all of them. A text longer than kMaxTestTextBytes is refused
  // (kInvalidArgument, field "text"), and so is a test while kMaxQueuedTests are waiting
  // (kResourceExhausted): the answer never waits behind an unbounded queue.
  struct TextTest {
    std::string text;  // the text tested: each match's [begin, end) is a slice of it
    bool blocked = false;
    std::vector<compliance::WordMatch> matches;
    std::uint64_t total_matches = 0;
  };
  static constexpr std::size_t kMaxTestTextBytes = 1 << 20;
  static constexpr std::size_t kMaxQueuedTests = 8;
  void TestText(std::string text, std::string language, std::size_t max_matches,
                Reply<TextTest> reply);

  // Templates. An upsert answers once the new catalog is active.
  void ListTemplates(Reply<std::vector<StoredTemplate>> reply);
  void UpsertTemplate(TemplateRecord record, std::string actor, Reply<TemplateUpsertOutcome> reply);

 private:
  // Activates the stored word lists / templates (worker thread).
  Status ActivateWordLists(storage::UnitOfWork& reader);
  Status ActivateTemplates(storage::UnitOfWork& reader);
  void Revert(const std::string& list, const storage::WordListChange& change, const Error& why,
              std::function<void(EditResult)> done);
  // Runs `edit` of `list` as a storage writer job; when it changed something, rebuilds and
  // activates the word filter, then calls `done` (on the worker thread, or the writer's on
  // failure).
  void EditWordLists(std::string list, WordListEdit edit, std::function<void(EditResult)> done);

  storage::Store& store_;
  const Clock& clock_;
  const compliance::WordFilterOptions filter_options_;
  std::shared_ptr<const compliance::CountryZoneTable> zones_;

  struct Metrics {
    explicit Metrics(metrics::Registry& registry);
    metrics::Counter activations;          // word filters built and swapped in
    metrics::Counter activation_failures;  // builds that failed (the old filter stayed)
    metrics::Gauge last_activation_seconds;
    metrics::Gauge word_terms;
    metrics::Gauge templates;
    metrics::Gauge templates_invalid;  // stored templates the catalog could not compile
  };
  std::uint64_t DfaFallbacks() const;

  mutable std::mutex mutex_;  // guards the parts below (not held while building)
  std::shared_ptr<const compliance::GatePolicy> policy_ HERALD_GUARDED_BY(mutex_);
  compliance::TemplateCatalog templates_ HERALD_GUARDED_BY(mutex_);
  std::shared_ptr<const compliance::WordFilter> filter_ HERALD_GUARDED_BY(mutex_);
  std::shared_ptr<const compliance::Gate> gate_ HERALD_GUARDED_BY(mutex_);
  std::uint64_t retired_dfa_fallbacks_ = 0;  // of the filters swapped out, so the total never drops

  Metrics metrics_;
  ReadWorker worker_;
  WorkerThread scans_;  // TestText
  std::atomic<bool> stopped_{false};
  // Reads filter_ at scrape time: declared last, so that it is removed before the rest goes.
  metrics::CallbackRegistration dfa_fallbacks_metric_;
};

// The gate's policy and the filter's options from the [compliance] config table.
compliance::GatePolicyConfig PolicyFromConfig(const config::ComplianceConfig& config);
compliance::WordFilterOptions FilterOptionsFromConfig(const config::ComplianceConfig& config);

// compliance::WordList from a stored list (kinds and severities parsed).
Result<compliance::WordList> ToWordList(const storage::StoredWordList& stored);
storage::StoredTerm ToStoredTerm(const compliance::Term& term);
// A stored template as the gate's catalog reads it; errors name the field at fault.
Result<compliance::MessageTemplate> ToMessageTemplate(const storage::TemplateRecord& record);

}  // namespace herald::app
