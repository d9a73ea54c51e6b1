#include "contacts/importer.h"

#include <condition_variable>
#include <istream>

#include "contacts/phone_number.h"

namespace herald::contacts {
namespace {

// Converts a validated record into an upsert: the number is normalised; the country comes from
// the file, else from the number.
bool ToUpsert(ContactRecord&& record, const PhoneNormaliser& normaliser,
              const ImportOptions& options, SysTime now, storage::ContactUpsert* upsert,
              std::string* problem) {
  NormalisedPhone phone;
  PhoneRejection rejection;
  if (!normaliser.Normalise(record.phone, &phone, &rejection)) {
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

}  // namespace

ImportCounts ImportProgress::counts() const {
  return ImportCounts{rows_, created_, updated_, unchanged_, rejected_};
}

std::vector<Reject> ImportProgress::rejects() const {
  std::lock_guard lock(mutex_);
  return rejects_;
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
  rejects_.push_back(std::move(reject));
}

void ImportProgress::SetSource(std::vector<std::string> columns, char delimiter) {
  std::lock_guard lock(mutex_);
  columns_ = std::move(columns);
  delimiter_ = delimiter;
}

Result<ImportCounts> RunImport(std::istream& input, const ImportOptions& options, ImportSink& sink,
                               ImportProgress& progress, const Clock& clock) {
  auto reader = ContactReader::Open(input, options.format);
  if (!reader.ok()) return reader.error();
  progress.SetSource((*reader)->columns(), (*reader)->delimiter());
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

  while (!progress.cancelled()) {
    std::optional<RowResult> row = (*reader)->Next();
    if (!row) break;
    progress.AddRows(1);
    if (auto* reject = std::get_if<Reject>(&*row)) {
      progress.AddReject(std::move(*reject));
      continue;
    }
    auto& record = std::get<ContactRecord>(*row);
    storage::ContactUpsert upsert;
    std::string problem;
    std::int64_t line = record.line;
    if (!ToUpsert(std::move(record), normaliser, options, now, &upsert, &problem)) {
      progress.AddReject(Reject{line, std::move(problem), (*reader)->LastRowFields()});
      continue;
    }
    batch.push_back(std::move(upsert));
    if (batch.size() >= options.batch_size) flush();
  }
  flush();
  Status stored = in_flight.WaitAll();
  if (!stored.ok()) return stored.error();
  if (!(*reader)->status().ok()) return (*reader)->status().error();
  if (progress.cancelled()) return MakeError(ErrorCode::kUnavailable, "import cancelled");
  return progress.counts();
}

}  // namespace herald::contacts
