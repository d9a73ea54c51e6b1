#include "app/contact_service.h"

#include "app/contact_export.h"
#include "common/log.h"
#include "common/names.h"

namespace herald::app {

namespace {

// Every tag an edit adds or removes follows the tag rule (common/names.h); the field names the
// list it is in.
Status CheckTagEdit(const TagEdit& edit) {
  for (const std::string& tag : edit.add) {
    if (Status valid = names::CheckTag(tag, "add"); !valid.ok()) return valid;
  }
  for (const std::string& tag : edit.remove) {
    if (Status valid = names::CheckTag(tag, "remove"); !valid.ok()) return valid;
  }
  return Status::Ok();
}

}  // namespace

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

namespace {

Error NoContact(const std::string& phone) {
  return MakeError(ErrorCode::kNotFound, "no contact " + phone, "phone");
}

}  // namespace

ContactService::ContactService(storage::Store& store, const Clock& clock,
                               std::size_t max_running_imports)
    : store_(store),
      clock_(clock),
      max_running_imports_(std::max<std::size_t>(1, max_running_imports)) {}

ContactService::~ContactService() { Stop(); }

Status ContactService::Start() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  campaign::ContactIndex index;
  Status scanned = (*reader)->contacts().ForEach(
      [&](storage::StoredContact&& contact) { index.Upsert(nullptr, ToFacts(contact)); });
  if (!scanned.ok()) return scanned;
  index.Compact();
  {
    std::unique_lock lock(index_mutex_);
    index_ = std::move(index);
  }
  Status marked = store_.SubmitAndWait([this](storage::UnitOfWork& work) -> Status {
    auto interrupted = work.imports().MarkInterrupted(clock_.Now());
    if (!interrupted.ok()) return interrupted.error();
    if (*interrupted > 0) {
      log::Warn(
          "event=imports_interrupted count={} reason=\"the daemon stopped before they "
          "finished; their committed rows stay\"",
          *interrupted);
    }
    return Status::Ok();
  });
  if (!marked.ok()) return marked;
  worker_.Start(std::move(reader).value());
  return Status::Ok();
}

std::uint64_t ContactService::indexed_contacts() const {
  std::shared_lock lock(index_mutex_);
  return index_.Size();
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

campaign::ContactSet ContactService::Evaluate(const campaign::SegmentExpr& expr) const {
  std::shared_lock lock(index_mutex_);
  return index_.Evaluate(expr, clock_.Now());
}

std::map<std::string, std::uint64_t> ContactService::CountByCountry(
    const campaign::ContactSet& set) const {
  std::shared_lock lock(index_mutex_);
  return index_.CountByCountry(set);
}

void ContactService::ApplyCommitted(const std::vector<storage::UpsertResult>& results) {
  std::unique_lock lock(index_mutex_);
  for (const auto& result : results) {
    if (result.outcome == storage::UpsertOutcome::kUnchanged) continue;
    ++changes_since_compact_;
    campaign::ContactFacts after = ToFacts(result.after);
    if (result.before) {
      campaign::ContactFacts before = ToFacts(*result.before);
      index_.Upsert(&before, after);
    } else {
      index_.Upsert(nullptr, after);
    }
  }
  // Bitmaps grown one contact at a time keep spare capacity and array containers that runs
  // would hold in less (30 MB over 3.6M imported contacts). Compacting costs a pass over the
  // index, so it waits for a number of changes proportional to the index: amortised O(1) each.
  if (changes_since_compact_ >= std::max<std::uint64_t>(kCompactAfterChanges, index_.Size() / 2)) {
    CompactIndexLocked();
  }
}

void ContactService::CompactIndexLocked() {
  index_.Compact();
  changes_since_compact_ = 0;
}

void ContactService::CompactIndexAfterImport() {
  std::unique_lock lock(index_mutex_);
  if (changes_since_compact_ >= kCompactAfterImportChanges) CompactIndexLocked();
}

void ContactService::ApplyErased(const storage::StoredContact& before) {
  std::unique_lock lock(index_mutex_);
  index_.Remove(ToFacts(before));
}

// One contact ---------------------------------------------------------------------------------

void ContactService::FindContact(std::string phone_e164, Reply<storage::StoredContact> reply) {
  worker_.Post([phone = std::move(phone_e164), reply](storage::UnitOfWork& reader) {
    auto contact = reader.contacts().FindByPhone(phone);
    if (!contact.ok()) return reply(contact.error());
    if (!contact->has_value()) return reply(NoContact(phone));
    reply(std::move(**contact));
  });
}

void ContactService::ChangeTags(std::string phone_e164, TagEdit edit,
                                Reply<storage::StoredContact> reply) {
  if (Status valid = CheckTagEdit(edit); !valid.ok()) return reply(valid.error());
  auto change = std::make_shared<std::optional<storage::UpsertResult>>();
  const SysTime now = clock_.Now();
  auto job = [phone = phone_e164, edit = std::move(edit), change,
              now](storage::UnitOfWork& work) -> Status {
    auto contact = work.contacts().FindByPhone(phone);
    if (!contact.ok()) return contact.error();
    if (!contact->has_value()) return NoContact(phone);
    auto changed = work.contacts().ChangeTags((*contact)->id, edit.add, edit.remove, now);
    if (!changed.ok()) return changed.error();
    *change = std::move(*changed);
    return Status::Ok();
  };
  Status queued = store_.Submit(std::move(job), [this, change, reply](Status status) {
    if (!status.ok()) return reply(status.error());
    ApplyCommitted({**change});
    reply((*change)->after);
  });
  if (!queued.ok()) reply(queued.error());
}

void ContactService::Erase(std::string phone_e164, std::string actor, std::string reason,
                           Reply<ContactId> reply) {
  auto erased = std::make_shared<std::optional<storage::StoredContact>>();
  const SysTime now = clock_.Now();
  auto job = [phone = phone_e164, actor = std::move(actor), reason = std::move(reason), erased,
              now](storage::UnitOfWork& work) -> Status {
    auto contact = work.contacts().FindByPhone(phone);
    if (!contact.ok()) return contact.error();
    if (!contact->has_value()) return NoContact(phone);
    auto result = work.contacts().Erase((*contact)->id, actor, reason, now);
    if (!result.ok()) return result.error();
    if (!result->has_value()) return NoContact(phone);
    *erased = std::move(*result);
    return Status::Ok();
  };
  Status queued = store_.Submit(std::move(job), [this, erased, reply](Status status) {
    if (!status.ok()) return reply(status.error());
    ApplyErased(**erased);
    reply((*erased)->id);
  });
  if (!queued.ok()) reply(queued.error());
}

// Tags across contacts ------------------------------------------------------------------------

// A bulk tag change in progress: the targets left, the counts so far. Each batch is one writer
// job; the next is submitted when the previous one committed, so other writes interleave.
struct ContactService::TagRun {
  std::vector<std::string> phones;
  std::vector<ContactId> ids;
  std::size_t next_phone = 0;
  std::size_t next_id = 0;
  TagEdit edit;
  SysTime now;
  TagCounts counts;
  Reply<TagCounts> reply;
};

void ContactService::ApplyTags(TagTargets targets, TagEdit edit, Reply<TagCounts> reply) {
  if (Status valid = CheckTagEdit(edit); !valid.ok()) return reply(valid.error());
  auto run = std::make_shared<TagRun>();
  run->phones = std::move(targets.phones);
  run->edit = std::move(edit);
  run->now = clock_.Now();
  run->reply = std::move(reply);
  if (!targets.segment) return ApplyTagBatch(std::move(run));
  // Evaluating a segment of millions takes milliseconds: on the worker, not the caller's thread.
  worker_.Post([this, run, expr = std::move(*targets.segment)](storage::UnitOfWork&) {
    run->ids = Members(expr);
    ApplyTagBatch(run);
  });
}

void ContactService::ApplyTagBatch(std::shared_ptr<TagRun> run) {
  if (run->next_phone >= run->phones.size() && run->next_id >= run->ids.size()) {
    return run->reply(run->counts);
  }
  // Phones first, then ids; at most kTagBatch of either in one job.
  const std::size_t phone_end = std::min(run->phones.size(), run->next_phone + kTagBatch);
  const std::size_t id_end = run->next_phone < run->phones.size()
                                 ? run->next_id
                                 : std::min(run->ids.size(), run->next_id + kTagBatch);
  auto results = std::make_shared<std::vector<storage::UpsertResult>>();
  auto counts = std::make_shared<TagCounts>();
  auto job = [run, phone_end, id_end, results, counts](storage::UnitOfWork& work) -> Status {
    results->clear();
    *counts = {};
    std::vector<ContactId> targets(run->ids.begin() + static_cast<std::ptrdiff_t>(run->next_id),
                                   run->ids.begin() + static_cast<std::ptrdiff_t>(id_end));
    for (std::size_t i = run->next_phone; i < phone_end; ++i) {
      auto contact = work.contacts().FindByPhone(run->phones[i]);
      if (!contact.ok()) return contact.error();
      if (contact->has_value()) {
        targets.push_back((*contact)->id);
      } else {
        ++counts->missing;
      }
    }
    for (ContactId id : targets) {
      auto changed = work.contacts().ChangeTags(id, run->edit.add, run->edit.remove, run->now);
      if (!changed.ok()) {
        if (changed.error().code == ErrorCode::kNotFound) {  // erased meanwhile
          ++counts->missing;
          continue;
        }
        return changed.error();
      }
      ++counts->matched;
      if (changed->outcome != storage::UpsertOutcome::kUnchanged) {
        ++counts->changed;
        results->push_back(std::move(*changed));
      }
    }
    return Status::Ok();
  };
  auto committed = [this, run, phone_end, id_end, results, counts](Status status) {
    if (!status.ok()) {
      // Earlier batches stay applied: say how far it got.
      Error error = status.error();
      if (run->counts.matched + run->counts.missing > 0) {
        error.message += " (after " + std::to_string(run->counts.matched) +
                         " contacts were tagged; running the same change again is safe)";
      }
      return run->reply(error);
    }
    ApplyCommitted(*results);
    run->counts.matched += counts->matched;
    run->counts.changed += counts->changed;
    run->counts.missing += counts->missing;
    run->next_phone = phone_end;
    run->next_id = id_end;
    ApplyTagBatch(run);
  };
  Status queued = store_.Submit(std::move(job), std::move(committed));
  if (!queued.ok()) run->reply(queued.error());
}

void ContactService::RenameTag(std::string from, std::string to, std::string actor,
                               Reply<std::uint64_t> reply) {
  // Any tag may be renamed (one stored before names were checked too); only to a valid name.
  if (Status valid = names::CheckTag(to, "to"); !valid.ok()) return reply(valid.error());
  auto touched = std::make_shared<std::uint64_t>(0);
  const SysTime now = clock_.Now();
  auto job = [from, to, actor = std::move(actor), touched,
              now](storage::UnitOfWork& work) -> Status {
    auto ids = work.contacts().RenameTag(from, to, actor, now);
    if (!ids.ok()) return ids.error();
    *touched = ids->size();
    return Status::Ok();
  };
  Status queued = store_.Submit(std::move(job), [this, from, to, touched, reply](Status status) {
    if (!status.ok()) return reply(status.error());
    {
      std::unique_lock lock(index_mutex_);
      index_.RenameTag(from, to);
    }
    reply(*touched);
  });
  if (!queued.ok()) reply(queued.error());
}

void ContactService::DeleteTag(std::string name, std::string actor, Reply<std::uint64_t> reply) {
  auto touched = std::make_shared<std::uint64_t>(0);
  const SysTime now = clock_.Now();
  auto job = [name, actor = std::move(actor), touched, now](storage::UnitOfWork& work) -> Status {
    auto ids = work.contacts().DeleteTag(name, actor, now);
    if (!ids.ok()) return ids.error();
    *touched = ids->size();
    return Status::Ok();
  };
  Status queued = store_.Submit(std::move(job), [this, name, touched, reply](Status status) {
    if (!status.ok()) return reply(status.error());
    {
      std::unique_lock lock(index_mutex_);
      index_.DeleteTag(name);
    }
    reply(*touched);
  });
  if (!queued.ok()) reply(queued.error());
}

// Segments ------------------------------------------------------------------------------------

void ContactService::Preview(campaign::SegmentExpr expr, std::size_t sample_size,
                             Reply<SegmentPreview> reply) {
  worker_.Post([this, expr = std::move(expr), sample_size, reply](storage::UnitOfWork& reader) {
    SegmentPreview preview;
    std::vector<ContactId> sample_ids;
    {
      std::shared_lock lock(index_mutex_);
      campaign::ContactSet members = index_.Evaluate(expr, clock_.Now());
      preview.count = members.Count();
      preview.by_country = index_.CountByCountry(members);
      sample_ids = members.Sample(sample_size);
    }
    for (ContactId id : sample_ids) {
      auto contact = reader.contacts().FindById(id);
      if (!contact.ok()) return reply(contact.error());
      if (contact->has_value()) preview.sample.push_back(std::move(**contact));
    }
    reply(std::move(preview));
  });
}

void ContactService::Export(campaign::SegmentExpr expr, Reply<std::filesystem::path> reply) {
  worker_.Post([this, expr = std::move(expr), reply](storage::UnitOfWork& reader) {
    reply(WriteContactsCsv(reader.contacts(), Members(expr)));
  });
}

void ContactService::ListSegments(Reply<std::vector<storage::SavedSegment>> reply) {
  worker_.Post([reply](storage::UnitOfWork& reader) { reply(reader.segments().List()); });
}

void ContactService::FindSegment(std::string name, Reply<storage::SavedSegment> reply) {
  worker_.Post([name = std::move(name), reply](storage::UnitOfWork& reader) {
    auto found = reader.segments().Find(name);
    if (!found.ok()) return reply(found.error());
    if (!found->has_value()) {
      return reply(MakeError(ErrorCode::kNotFound, "no segment named " + name, "name"));
    }
    reply(std::move(**found));
  });
}

void ContactService::SaveSegment(std::string name, const campaign::SegmentExpr& expr,
                                 std::string actor, Reply<storage::SavedSegment> reply) {
  if (Status valid = names::CheckSegment(name, "name"); !valid.ok()) return reply(valid.error());
  const SysTime now = clock_.Now();
  storage::SavedSegment saved{std::move(name), campaign::ToString(expr), std::move(actor), now,
                              now};
  Status queued = store_.Submit(
      [saved](storage::UnitOfWork& work) {
        return work.segments().Save(saved.name, saved.expression, saved.created_by,
                                    saved.updated_at);
      },
      [saved, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        reply(saved);
      });
  if (!queued.ok()) reply(queued.error());
}

void ContactService::DeleteSegment(std::string name, std::string actor, Reply<bool> reply) {
  const SysTime now = clock_.Now();
  Status queued = store_.Submit(
      [name = std::move(name), actor = std::move(actor), now](storage::UnitOfWork& work) {
        return work.segments().Delete(name, actor, now);
      },
      [reply](Status status) {
        if (!status.ok()) return reply(status.error());
        reply(true);
      });
  if (!queued.ok()) reply(queued.error());
}

}  // namespace herald::app
