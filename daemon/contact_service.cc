#include "daemon/contact_service.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <sstream>

#include "contacts/storage_sink.h"

namespace herald::daemon {

campaign::ContactFacts ToFacts(const storage::StoredContact& contact) {
  campaign::ContactFacts facts;
  facts.id = contact.id;
  facts.tags = contact.tags;
  facts.country = contact.country;
  facts.language = contact.language;
  facts.opted_out = contact.opted_out;
  facts.consent_marketing = contact.consent_marketing;
  facts.consent_utility = contact.consent_utility;
  facts.last_inbound = contact.last_inbound;
  facts.attributes = contact.attributes;
  return facts;
}

struct ContactService::ImportJob {
  std::string id;
  std::string actor;
  SysTime started;
  contacts::ImportProgress progress;
  mutable std::mutex mutex;
  std::string state = "running";
  std::string error;
  std::optional<SysTime> finished;
  std::thread thread;
};

// One thread that owns a read connection and runs queries in order.
ContactService::ContactService(storage::Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

ContactService::~ContactService() { Stop(); }

Status ContactService::RebuildIndex() {
  auto reader = store_.OpenReadConnection();
  if (!reader.ok()) return reader.error();
  auto repository = storage::ContactRepository::Create(**reader);
  if (!repository.ok()) return repository.error();
  campaign::ContactIndex index;
  Status scanned = (*repository)->ForEach([&](storage::StoredContact&& contact) {
    index.Upsert(nullptr, ToFacts(contact));
  });
  if (!scanned.ok()) return scanned;
  index.Compact();
  {
    std::unique_lock lock(index_mutex_);
    index_ = std::move(index);
  }
  worker_.Start(std::move(reader).value());
  return Status::Ok();
}

void ContactService::Stop() {
  if (stopped_.exchange(true)) return;
  std::vector<std::shared_ptr<ImportJob>> jobs;
  {
    std::lock_guard lock(imports_mutex_);
    for (auto& [id, job] : imports_) jobs.push_back(job);
  }
  for (auto& job : jobs) job->progress.Cancel();
  for (auto& job : jobs) {
    if (job->thread.joinable()) job->thread.join();
  }
  worker_.Stop();
}

std::string ContactService::StartImport(std::string body, contacts::ImportOptions options,
                                        std::string actor) {
  auto job = std::make_shared<ImportJob>();
  job->id = "imp-" + std::to_string(next_import_++);
  job->actor = actor;
  job->started = clock_.Now();
  {
    std::lock_guard lock(imports_mutex_);
    imports_[job->id] = job;
  }
  job->thread = std::thread([this, job, body = std::move(body), options, actor]() {
    std::istringstream input(body);
    contacts::StorageImportSink sink(
        store_.writer(), clock_, actor,
        [this](std::vector<storage::UpsertResult>&& results) { ApplyCommitted(results); });
    auto result = contacts::RunImport(input, options, sink, job->progress, clock_);
    std::lock_guard lock(job->mutex);
    job->finished = clock_.Now();
    if (result.ok()) {
      job->state = "completed";
    } else {
      job->state = job->progress.cancelled() ? "cancelled" : "failed";
      job->error = result.error().ToString();
    }
    auto counts = job->progress.counts();
    spdlog::info(
        "event=import_finished id={} state={} actor=\"{}\" rows={} created={} updated={} "
        "unchanged={} rejected={}",
        job->id, job->state, job->actor, counts.rows, counts.created, counts.updated,
        counts.unchanged, counts.rejected);
  });
  return job->id;
}

std::optional<ImportStatus> ContactService::GetImport(const std::string& id) const {
  std::shared_ptr<ImportJob> job;
  {
    std::lock_guard lock(imports_mutex_);
    auto it = imports_.find(id);
    if (it == imports_.end()) return std::nullopt;
    job = it->second;
  }
  std::lock_guard lock(job->mutex);
  return ImportStatus{
      job->id,    job->state,   job->actor,   job->progress.counts(), job->progress.warnings(100),
      job->error, job->started, job->finished};
}

std::optional<std::string> ContactService::RejectsCsv(const std::string& id) const {
  std::shared_ptr<ImportJob> job;
  {
    std::lock_guard lock(imports_mutex_);
    auto it = imports_.find(id);
    if (it == imports_.end()) return std::nullopt;
    job = it->second;
  }
  std::ostringstream out;
  contacts::RejectsCsvWriter writer(out, job->progress.columns(), job->progress.delimiter());
  for (const auto& reject : job->progress.rejects()) writer.Write(reject);
  return out.str();
}

void ContactService::Query(std::function<void(storage::Connection&)> task) {
  worker_.Post(std::move(task));
}

SegmentPreview ContactService::Preview(storage::Connection& reader,
                                       const campaign::SegmentExpr& expr,
                                       std::size_t sample_size) const {
  SegmentPreview preview;
  std::vector<ContactId> sample_ids;
  {
    std::shared_lock lock(index_mutex_);
    campaign::ContactSet members = index_.Evaluate(expr, clock_.Now());
    preview.count = members.Count();
    preview.by_country = index_.CountByCountry(members);
    sample_ids = members.Sample(sample_size);
  }
  auto repository = storage::ContactRepository::Create(reader);
  if (!repository.ok()) return preview;
  for (ContactId id : sample_ids) {
    auto contact = (*repository)->FindById(id);
    if (contact.ok() && contact->has_value()) preview.sample.push_back(std::move(**contact));
  }
  return preview;
}

std::vector<ContactId> ContactService::Members(const campaign::SegmentExpr& expr) const {
  std::vector<ContactId> ids;
  std::shared_lock lock(index_mutex_);
  index_.Evaluate(expr, clock_.Now()).ForEach([&](ContactId id) {
    ids.push_back(id);
    return true;
  });
  return ids;
}

std::uint64_t ContactService::indexed_contacts() const {
  std::shared_lock lock(index_mutex_);
  return index_.Size();
}

void ContactService::ApplyCommitted(const std::vector<storage::UpsertResult>& results) {
  std::unique_lock lock(index_mutex_);
  for (const auto& result : results) {
    if (result.outcome == storage::UpsertOutcome::kUnchanged) continue;
    campaign::ContactFacts after = ToFacts(result.after);
    if (result.before) {
      campaign::ContactFacts before = ToFacts(*result.before);
      index_.Upsert(&before, after);
    } else {
      index_.Upsert(nullptr, after);
    }
  }
}

void ContactService::ApplyErased(const storage::StoredContact& before) {
  std::unique_lock lock(index_mutex_);
  index_.Remove(ToFacts(before));
}

}  // namespace herald::daemon
