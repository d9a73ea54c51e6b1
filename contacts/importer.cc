#include "contacts/importer.h"

#include <condition_variable>
#include <deque>
#include <istream>
#include <memory>
#include <thread>

#include "common/thread_name.h"
#include "contacts/detail/repeated_numbers.h"
#include "contacts/phone_number.h"

namespace herald::contacts {
namespace {

// Rows per unit of work for a normaliser thread: big enough that handing over costs little,
// small enough to keep every thread busy.
constexpr std::size_t kChunkRows = 256;

// Converts a validated record into an upsert: the number is normalised (a national number in the
// row's country, else in the default region); the country comes from the file, else from the
// number.
bool ToUpsert(ContactRecord&& record, const PhoneNormaliser& normaliser,
              const ImportOptions& options, SysTime now, storage::ContactUpsert* upsert,
              std::string* problem) {
  NormalisedPhone phone;
  PhoneRejection rejection;
  if (!normaliser.Normalise(record.phone, &phone, &rejection, record.country.value_or(""))) {
    *problem = "line " + std::to_string(record.line) + ": column \"phone\": \"" + record.phone +
               "\": " + std::string(PhoneRejectReasonName(rejection.reason)) + ": " +
               rejection.detail;
    return false;
  }
  upsert->phone_e164 = std::move(phone.e164);
  upsert->name = std::move(record.name);
  upsert->country = record.country ? std::move(record.country) : std::optional(phone.country);
  upsert->language = std::move(record.language);
  upsert->timezone = std::move(record.timezone);
  upsert->tags = std::move(record.tags);
  upsert->replace_tags = options.replace_tags;
  upsert->attributes = std::move(record.attributes);
  auto consent = [&](std::optional<ConsentChange>& change) {
    std::optional<storage::ConsentChange> stored;
    if (change) {
      stored = storage::ConsentChange{
          change->granted, change->at.value_or(now),
          change->source.empty() ? options.consent_source : std::move(change->source)};
    }
    return stored;
  };
  upsert->marketing = consent(record.marketing);
  upsert->utility = consent(record.utility);
  return true;
}

// Limits how many batches wait for storage, so a huge file never piles up in memory.
class InFlight {
 public:
  explicit InFlight(std::size_t limit) : limit_(limit) {}
  void Acquire() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return count_ < limit_; });
    ++count_;
  }
  void Release(Status status) {
    {
      std::lock_guard lock(mutex_);
      --count_;
      if (!status.ok() && first_error_.ok()) first_error_ = status;
    }
    changed_.notify_all();
  }
  Status WaitAll() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return count_ == 0; });
    return first_error_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t limit_;
  std::size_t count_ = 0;
  Status first_error_;
};

// Rows on their way from the reader to the sink: read in order on the importing thread,
// normalised on worker threads (libphonenumber dominates an import's CPU time), and handed on in
// file order again.
struct Chunk {
  struct Row {
    RowResult read;                   // as the reader returned it
    std::vector<std::string> fields;  // the row as written, in case its number is refused
    std::optional<storage::ContactUpsert> upsert;  // set by Normalise() unless refused
    std::int64_t line = 0;                         // set with upsert
  };
  std::vector<Row> rows;
  bool done = false;  // guarded by NormaliserPool's mutex
};

// Turns every ContactRecord of a chunk into an upsert, or into a reject with the row as written.
void Normalise(Chunk& chunk, const PhoneNormaliser& normaliser, const ImportOptions& options,
               SysTime now) {
  for (Chunk::Row& row : chunk.rows) {
    auto* record = std::get_if<ContactRecord>(&row.read);
    if (record == nullptr) continue;
    storage::ContactUpsert upsert;
    std::string problem;
    const std::int64_t line = record->line;
    if (ToUpsert(std::move(*record), normaliser, options, now, &upsert, &problem)) {
      row.upsert = std::move(upsert);
      row.line = line;
    } else {
      row.read = Reject{line, std::move(problem), std::move(row.fields)};
    }
  }
}

// A fixed set of threads that normalise chunks in any order; the importing thread waits for
// them in file order. Submit and WaitDone from the importing thread only.
class NormaliserPool {
 public:
  NormaliserPool(std::size_t threads, const PhoneNormaliser& normaliser,
                 const ImportOptions& options, SysTime now) {
    for (std::size_t i = 0; i < threads; ++i) {
      threads_.emplace_back([this, &normaliser, &options, now] {
        NameThisThread("herald-normal");
        for (;;) {
          Chunk* chunk = nullptr;
          {
            std::unique_lock lock(mutex_);
            work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            chunk = queue_.front();
            queue_.pop_front();
          }
          Normalise(*chunk, normaliser, options, now);
          {
            std::lock_guard lock(mutex_);
            chunk->done = true;
          }
          chunk_done_.notify_all();
        }
      });
    }
  }
  ~NormaliserPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (auto& thread : threads_) thread.join();
  }

  void Submit(Chunk& chunk) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(&chunk);
    }
    work_ready_.notify_one();
  }
  void WaitDone(const Chunk& chunk) {
    std::unique_lock lock(mutex_);
    chunk_done_.wait(lock, [&] { return chunk.done; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable work_ready_, chunk_done_;
  std::deque<Chunk*> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

ImportCounts ImportProgress::counts() const {
  return ImportCounts{rows_, created_, updated_, unchanged_, rejected_, warnings_};
}

std::vector<Reject> ImportProgress::rejects() const {
  std::lock_guard lock(mutex_);
  return rejects_;
}

std::vector<std::string> ImportProgress::warnings(std::size_t max) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> warnings;
  for (std::size_t i = 0; i < std::min(max, repeats_.size()); ++i) {
    const Repeat& repeat = repeats_[i];
    warnings.push_back("line " + std::to_string(repeat.line) + ": " + repeat.number + " also on " +
                       (repeat.first_line > 0 ? "line " + std::to_string(repeat.first_line)
                                              : std::string("an earlier line")) +
                       "; the later row was applied");
  }
  return warnings;
}

std::vector<std::string> ImportProgress::RepeatsWithoutFirstLine() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> numbers;
  for (const Repeat& repeat : repeats_) {
    if (repeat.first_line == 0) numbers.push_back(repeat.number);
  }
  return numbers;
}

void ImportProgress::SetFirstLines(
    const std::function<std::int64_t(const std::string& number)>& first_line) {
  std::lock_guard lock(mutex_);
  for (Repeat& repeat : repeats_) {
    if (repeat.first_line == 0) repeat.first_line = first_line(repeat.number);
  }
}

std::vector<std::string> ImportProgress::columns() const {
  std::lock_guard lock(mutex_);
  return columns_;
}

char ImportProgress::delimiter() const {
  std::lock_guard lock(mutex_);
  return delimiter_;
}

void ImportProgress::AddOutcome(storage::UpsertOutcome outcome) {
  switch (outcome) {
    case storage::UpsertOutcome::kCreated:
      ++created_;
      break;
    case storage::UpsertOutcome::kUpdated:
      ++updated_;
      break;
    case storage::UpsertOutcome::kUnchanged:
      ++unchanged_;
      break;
  }
}

void ImportProgress::AddReject(Reject reject) {
  ++rejected_;
  std::lock_guard lock(mutex_);
  if (rejects_.size() < kKeptRejects) rejects_.push_back(std::move(reject));
}

void ImportProgress::AddRepeat(std::int64_t line, std::string number) {
  ++warnings_;
  std::lock_guard lock(mutex_);
  if (repeats_.size() < kKeptWarnings) repeats_.push_back(Repeat{line, std::move(number), 0});
}

void ImportProgress::SetSource(std::vector<std::string> columns, char delimiter) {
  std::lock_guard lock(mutex_);
  columns_ = std::move(columns);
  delimiter_ = delimiter;
}

Result<ImportCounts> RunImport(std::istream& input, const ImportOptions& options, ImportSink& sink,
                               ImportProgress& progress, const Clock& clock) {
  ReaderOptions reader_options;
  reader_options.encoding = options.encoding;
  auto reader = ContactReader::Open(input, options.format, reader_options);
  if (!reader.ok()) return reader.error();
  progress.SetSource((*reader)->columns(), (*reader)->delimiter());
  sink.Source((*reader)->columns(), (*reader)->delimiter());
  PhoneNormaliser normaliser(options.default_region);
  InFlight in_flight(std::max<std::size_t>(1, options.max_batches_in_flight));
  const SysTime now = clock.Now();

  std::vector<storage::ContactUpsert> batch;
  auto flush = [&] {
    if (batch.empty()) return;
    in_flight.Acquire();
    auto size = batch.size();
    sink.Write(std::move(batch), [&progress, &in_flight, size](auto result) {
      if (result.ok()) {
        for (auto outcome : *result) progress.AddOutcome(outcome);
        in_flight.Release(Status::Ok());
      } else {
        in_flight.Release(
            MakeError(result.error().code, "storing a batch of " + std::to_string(size) +
                                               " contacts failed: " + result.error().message));
      }
    });
    batch = {};
    batch.reserve(options.batch_size);
  };

  // Chunks in file order: at most `max_chunks` wait for or are with the normalisers.
  // By default one core is left to the storage writer. More normaliser threads than that slowed
  // a 2-core machine down: libphonenumber serialises its threads on a regex cache lock.
  const unsigned cores = std::max(2u, std::thread::hardware_concurrency());
  const std::size_t threads =
      options.normaliser_threads != 0 ? options.normaliser_threads : cores - 1;
  const std::size_t max_chunks = 4 * threads;
  std::deque<std::unique_ptr<Chunk>> chunks;
  NormaliserPool pool(threads, normaliser, options, now);
  detail::RepeatedNumbers repeated(options.scratch_dir);
  auto hand_on = [&] {  // the oldest chunk: its rejects to progress, its upserts to batches
    pool.WaitDone(*chunks.front());
    for (Chunk::Row& row : chunks.front()->rows) {
      if (row.upsert) {
        if (repeated.Add(row.upsert->phone_e164, row.line)) {
          progress.AddRepeat(row.line, row.upsert->phone_e164);
        }
        batch.push_back(std::move(*row.upsert));
        if (batch.size() >= options.batch_size) flush();
      } else {
        sink.Rejected(std::get<Reject>(row.read));
        progress.AddReject(std::get<Reject>(std::move(row.read)));
      }
    }
    chunks.pop_front();
  };

  auto chunk = std::make_unique<Chunk>();
  chunk->rows.reserve(kChunkRows);
  bool more = true;
  while (more) {
    more = !progress.cancelled();
    std::optional<RowResult> row = more ? (*reader)->Next() : std::nullopt;
    more = more && row.has_value();
    if (more) {
      progress.AddRows(1);
      std::vector<std::string> fields;
      if (std::holds_alternative<ContactRecord>(*row)) fields = (*reader)->LastRowFields();
      chunk->rows.push_back(Chunk::Row{std::move(*row), std::move(fields), std::nullopt});
    }
    if (chunk->rows.size() >= kChunkRows || (!more && !chunk->rows.empty())) {
      if (chunks.size() >= max_chunks) hand_on();
      pool.Submit(*chunk);
      chunks.push_back(std::move(chunk));
      chunk = std::make_unique<Chunk>();
      chunk->rows.reserve(kChunkRows);
    }
  }
  while (!chunks.empty()) hand_on();
  flush();
  // The first lines of the repeats kept for the warnings, in one pass over the scratch file,
  // whatever the outcome (a failed import's warnings are shown too).
  if (auto numbers = progress.RepeatsWithoutFirstLine(); !numbers.empty()) {
    const auto lines = repeated.FirstLines(numbers);
    progress.SetFirstLines([&lines](const std::string& number) {
      const auto it = lines.find(number);
      return it == lines.end() ? std::int64_t{0} : it->second;
    });
  }
  Status stored = in_flight.WaitAll();
  if (!stored.ok()) return stored.error();
  if (!(*reader)->status().ok()) return (*reader)->status().error();
  if (progress.cancelled()) return MakeError(ErrorCode::kUnavailable, "import cancelled");
  return progress.counts();
}

}  // namespace herald::contacts
