// contacts/importer.h: one contact import, from file bytes to durable rows. Reads CSV or JSON
// Lines, normalises every number, turns each good row into an upsert and hands batches to a sink
// (the storage writer in the daemon). Every rejected row is kept with its line and reason:
// nothing is silently dropped or guessed. A number that a file holds twice is applied twice, in
// file order, with a warning naming both lines; finding them costs a bitmap in memory and 16
// bytes per distinct number in a scratch file (contacts/detail/repeated_numbers.h).
//
// Thread rules: RunImport blocks; run it on a worker thread, never on the network thread. It
// normalises numbers on threads of its own (ImportOptions::normaliser_threads), all joined before
// it returns.
// ImportProgress may be read from any thread while the import runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "contacts/import_reader.h"
#include "storage/contact_repository.h"
#include "storage/import_repository.h"

namespace herald::contacts {

struct ImportOptions {
  Format format = Format::kAuto;
  // The file's encoding; other than UTF-8, it is transcoded to UTF-8 as it is read. With UTF-8,
  // the first row that is not UTF-8 fails the import (naming its line and the likely encoding);
  // the rows before it stay imported.
  Encoding encoding = Encoding::kUtf8;
  // For national-format numbers of rows without a country; "" rejects those. A row's own country
  // comes first.
  std::string default_region;
  bool replace_tags = false;              // false: add to the contact's tags
  std::string consent_source = "import";  // when a row gives consent without a source
  std::size_t batch_size = 2000;          // upserts per storage job
  std::size_t max_batches_in_flight = 4;
  std::size_t normaliser_threads = 0;  // threads that normalise numbers; 0: one per core but one
  // Where the first line of each number goes while the import runs (empty: the temporary
  // directory).
  std::filesystem::path scratch_dir;
};

// rows, created, updated, unchanged, rejected, and warnings (rows taken with a warning: a number
// seen on an earlier line). The same counts an import's stored record keeps.
using ImportCounts = storage::ImportTally;

// Live counters of a running import.
class ImportProgress {
 public:
  ImportCounts counts() const;
  // The first kKeptRejects rejects, in file order (counts().rejected counts them all; the sink
  // receives every one).
  std::vector<Reject> rejects() const;
  static constexpr std::size_t kKeptRejects = 1000;
  // The first `max` warnings kept, in file order, "line N: " first; at most kKeptWarnings are kept
  // (counts().warnings counts them all). While the import runs, a repeated number's first line
  // reads "an earlier line": it is looked up when the rows have all been read.
  std::vector<std::string> warnings(std::size_t max = kKeptWarnings) const;
  static constexpr std::size_t kKeptWarnings = 1000;
  std::vector<std::string> columns() const;  // the source's columns, for the rejects CSV
  char delimiter() const;
  void Cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

  // For the importer.
  void AddRows(std::uint64_t n) { rows_ += n; }
  void AddOutcome(storage::UpsertOutcome outcome);
  void AddReject(Reject reject);
  // `number` on `line` was also on an earlier line; the later row was applied.
  void AddRepeat(std::int64_t line, std::string number);
  // The kept repeats' numbers whose first line is not known yet, and then their first lines.
  std::vector<std::string> RepeatsWithoutFirstLine() const;
  void SetFirstLines(const std::function<std::int64_t(const std::string& number)>& first_line);
  void SetSource(std::vector<std::string> columns, char delimiter);

 private:
  struct Repeat {
    std::int64_t line = 0;
    std::string number;
    std::int64_t first_line = 0;  // 0: not known (yet)
  };
  std::atomic<std::uint64_t> rows_{0}, created_{0}, updated_{0}, unchanged_{0}, rejected_{0},
      warnings_{0};
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  std::vector<Reject> rejects_;
  std::vector<Repeat> repeats_;
  std::vector<std::string> columns_;
  char delimiter_ = ',';
};

// Where batches of upserts go. `done` receives one outcome per upsert (in order) once the batch
// is durable, or an error for the whole batch; it may run on any thread.
class ImportSink {
 public:
  using Done = std::function<void(Result<std::vector<storage::UpsertOutcome>>)>;
  virtual ~ImportSink() = default;
  virtual void Write(std::vector<storage::ContactUpsert> batch, Done done) = 0;
  // The source's columns and delimiter, once the reader knows them.
  virtual void Source(const std::vector<std::string>& /*columns*/, char /*delimiter*/) {}
  // A rejected row, in file order, before the batch that follows it is written.
  virtual void Rejected(const Reject& /*reject*/) {}
};

// Runs the whole import and returns the final counts once every batch is durable. A file-level
// problem (no phone column, unreadable input, text that is not UTF-8) is an error; rows already
// written stay written and are counted in `progress`.
Result<ImportCounts> RunImport(std::istream& input, const ImportOptions& options, ImportSink& sink,
                               ImportProgress& progress, const Clock& clock);

}  // namespace herald::contacts
