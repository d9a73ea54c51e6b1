#include "daemon/compliance_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <future>
#include <set>
#include <utility>

#include "common/language_tag.h"
#include "common/release.h"
#include "compliance/starter_word_lists.h"
#include "compliance/word_list_csv.h"

namespace herald::daemon {
namespace {

constexpr std::string_view kSystemActor = "herald";

// The starter lists (compiled into the binary) and the empty global list, as storage seeds them.
Result<std::vector<storage::SeedWordList>> StarterSeeds() {
  std::vector<storage::SeedWordList> seeds;
  seeds.push_back({"global", "", {}});
  for (const auto& starter : compliance::StarterWordLists()) {
    auto parsed = compliance::ParseWordListCsv(starter.csv, std::string(starter.name) + ".csv");
    if (!parsed.ok()) {
      return MakeError(ErrorCode::kInternal, "starter word list: " + parsed.ErrorsToString());
    }
    storage::SeedWordList seed{std::string(starter.name), std::string(starter.language), {}};
    for (const auto& term : *parsed.terms) seed.terms.push_back(ToStoredTerm(term));
    seeds.push_back(std::move(seed));
  }
  return seeds;
}

}  // namespace

Result<compliance::MessageTemplate> ToMessageTemplate(const storage::TemplateRecord& record) {
  auto named = [](const Error& error, std::string field) {
    if (error.field.rfind(field, 0) == 0) return error;  // already says where
    return MakeError(error.code, error.message,
                     error.field.empty() ? field : field + "." + error.field);
  };
  auto category = compliance::ParseTemplateCategory(record.category);
  if (!category.ok()) return named(category.error(), "category");
  auto status = compliance::ParseTemplateStatus(record.status);
  if (!status.ok()) return named(status.error(), "status");
  auto components = compliance::ParseTemplateComponents(record.components_json);
  if (!components.ok()) return named(components.error(), "components");
  return compliance::MessageTemplate{record.name, record.language, *category, *status,
                                     std::move(*components)};
}

namespace {

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

compliance::GatePolicyConfig PolicyFromConfig(const config::ComplianceConfig& config) {
  compliance::GatePolicyConfig policy;
  policy.service_window.safety_margin = config.window_margin;
  policy.default_language = config.default_template_language;
  policy.frequency_cap = {config.frequency_cap.max_marketing, config.frequency_cap.period};
  auto window = [](const config::LocalTimeWindow& w) {
    return compliance::LocalTimeWindow{w.start, w.end};
  };
  policy.quiet_hours.default_window = window(config.quiet_hours.default_window);
  for (const auto& [country, w] : config.quiet_hours.countries) {
    policy.quiet_hours.country_windows.emplace(country, window(w));
  }
  const auto& purposes = config.quiet_hours.purposes;
  const bool marketing = std::count(purposes.begin(), purposes.end(), "marketing") > 0;
  const bool utility = std::count(purposes.begin(), purposes.end(), "utility") > 0;
  using P = Purpose;
  policy.quiet_hours.purposes = marketing && utility
                                    ? compliance::PurposeSet{P::kMarketing, P::kUtility}
                                : marketing ? compliance::PurposeSet{P::kMarketing}
                                : utility   ? compliance::PurposeSet{P::kUtility}
                                            : compliance::PurposeSet{};
  policy.stop_keywords.clear();
  for (const auto& [language, keywords] : config.stop_keywords) {
    if (!keywords.empty()) policy.stop_keywords.push_back({language, keywords});
  }
  return policy;
}

compliance::WordFilterOptions FilterOptionsFromConfig(const config::ComplianceConfig& config) {
  compliance::WordFilterOptions options;
  options.max_matcher_memory_bytes =
      static_cast<std::int64_t>(config.word_filter.max_matcher_memory_bytes);
  return options;
}

Result<compliance::WordList> ToWordList(const storage::StoredWordList& stored) {
  compliance::WordList list{stored.name, stored.language, stored.version, {}};
  list.terms.reserve(stored.terms.size());
  for (const auto& term : stored.terms) {
    auto kind = compliance::ParseMatchKind(term.match_kind);
    if (!kind.ok()) return kind.error();
    auto severity = compliance::ParseSeverity(term.severity);
    if (!severity.ok()) return severity.error();
    list.terms.push_back({term.term, *kind, *severity, term.note});
  }
  return list;
}

storage::StoredTerm ToStoredTerm(const compliance::Term& term) {
  return {term.text, std::string(compliance::MatchKindName(term.kind)),
          std::string(compliance::SeverityName(term.severity)), term.note};
}

ComplianceService::ComplianceService(storage::Store& store, const Clock& clock,
                                     compliance::WordFilterOptions filter_options)
    : store_(store), clock_(clock), filter_options_(filter_options) {}

ComplianceService::~ComplianceService() { Stop(); }

Status ComplianceService::Start(compliance::GatePolicyConfig policy_config) {
  auto zones = compliance::LoadCountryZoneTable(std::string(compliance::kSystemZoneTablePath));
  if (!zones.ok()) return zones.error();
  zones_ = std::make_shared<const compliance::CountryZoneTable>(std::move(*zones));
  auto policy = compliance::GatePolicy::Build(std::move(policy_config), *zones_);
  if (!policy.ok()) return policy.error();
  policy_ = *policy;

  auto seeds = StarterSeeds();
  if (!seeds.ok()) return seeds.error();
  Status seeded = store_.writer().SubmitAndWait([&](storage::Connection& connection) -> Status {
    storage::WordListRepository repository(connection);
    auto done = repository.SeedStarterListsIfEmpty(
        *seeds, kSystemActor, "starter lists loaded on first start", clock_.Now());
    if (!done.ok()) return done.error();
    if (*done) spdlog::info("event=wordlists_seeded lists={}", seeds->size());
    return Status::Ok();
  });
  if (!seeded.ok()) return seeded;

  auto reader = store_.OpenReadConnection();
  if (!reader.ok()) return reader.error();
  if (Status s = ActivateTemplates(**reader); !s.ok()) return s;
  if (Status s = ActivateWordLists(**reader); !s.ok()) return s;
  worker_.Start(std::move(reader).value());
  return Status::Ok();
}

Status ComplianceService::Reconfigure(compliance::GatePolicyConfig policy_config) {
  if (!zones_) return MakeError(ErrorCode::kFailedPrecondition, "compliance service not started");
  auto policy = compliance::GatePolicy::Build(std::move(policy_config), *zones_);
  if (!policy.ok()) return policy.error();
  std::lock_guard lock(mutex_);
  policy_ = *policy;
  gate_ = std::make_shared<const compliance::Gate>(policy_, templates_, filter_);
  return Status::Ok();
}

void ComplianceService::Stop() {
  if (stopped_.exchange(true)) return;
  worker_.Stop();
}

std::shared_ptr<const compliance::Gate> ComplianceService::gate() const {
  std::lock_guard lock(mutex_);
  return gate_;
}

std::shared_ptr<const compliance::WordFilter> ComplianceService::word_filter() const {
  std::lock_guard lock(mutex_);
  return filter_;
}

ComplianceStats ComplianceService::stats() const {
  std::lock_guard lock(mutex_);
  ComplianceStats stats = stats_;
  if (filter_) stats.dfa_fallbacks = filter_->dfa_fallbacks();
  return stats;
}

Status ComplianceService::ActivateWordLists(storage::Connection& reader) {
  const auto start = std::chrono::steady_clock::now();
  storage::WordListRepository repository(reader);
  auto stored = repository.LoadActive();
  Result<std::shared_ptr<const compliance::WordFilter>> filter =
      stored.ok() ? Error{} : stored.error();
  std::size_t terms = 0;
  if (stored.ok()) {
    std::vector<compliance::WordList> lists;
    for (const auto& list : *stored) {
      auto converted = ToWordList(list);
      if (!converted.ok()) {
        filter = MakeError(ErrorCode::kCorruption, converted.error().message, "list " + list.name);
        break;
      }
      terms += converted->terms.size();
      lists.push_back(std::move(*converted));
    }
    if (lists.size() == stored->size()) {
      filter = compliance::WordFilter::Build(std::move(lists), filter_options_);
    }
  }
  const double elapsed_ms = MillisSince(start);
  std::shared_ptr<const compliance::Gate> retired_gate;
  std::shared_ptr<const compliance::WordFilter> retired_filter;
  {
    std::lock_guard lock(mutex_);
    if (!filter.ok()) {
      ++stats_.activation_failures;
      spdlog::error("event=wordlists_activation_failed error=\"{}\"", filter.error().ToString());
      return filter.error();
    }
    retired_filter = std::exchange(filter_, *filter);
    ++stats_.activations;
    stats_.last_activation_ms = elapsed_ms;
    stats_.word_lists = stored->size();
    stats_.word_terms = terms;
    retired_gate = std::exchange(
        gate_, std::make_shared<const compliance::Gate>(policy_, templates_, filter_));
  }
  spdlog::info("event=wordlists_activated lists={} terms={} ms={:.1f}", stored->size(), terms,
               elapsed_ms);
  // Destroying the previous filter takes milliseconds for a large list: done here, on the worker,
  // once checks in flight have let go of it (the old gate holds it too, so that goes first).
  ReleaseWhenUnshared(std::move(retired_gate));
  ReleaseWhenUnshared(std::move(retired_filter));
  return Status::Ok();
}

Status ComplianceService::ActivateTemplates(storage::Connection& reader) {
  storage::TemplateRepository repository(reader);
  auto stored = repository.List();
  if (!stored.ok()) return stored.error();
  std::vector<compliance::MessageTemplate> templates;
  std::set<std::string> keys;  // name and canonical language: the catalog refuses duplicates
  std::uint64_t invalid = 0;
  for (const auto& entry : *stored) {
    const Result<LanguageTag> language = LanguageTag::Parse(entry.record.language);
    const std::string key =
        entry.record.name + '\n' + (language.ok() ? language->canonical() : entry.record.language);
    if (!keys.insert(key).second) {
      // Stored before languages were made canonical ("de" and "DE"): the first one counts.
      ++invalid;
      spdlog::warn("event=template_duplicate name={} language={}", entry.record.name,
                   entry.record.language);
      continue;
    }
    auto converted = ToMessageTemplate(entry.record);
    auto compiled = converted.ok() ? compliance::CompileTemplate(*converted)
                                   : Result<compliance::CompiledTemplate>(converted.error());
    if (!compiled.ok()) {
      // Left out of the catalog (a send with it is refused as template_missing) and reported:
      // one bad template must not stop every other from being checked.
      ++invalid;
      spdlog::warn("event=template_invalid name={} language={} error=\"{}\"", entry.record.name,
                   entry.record.language, compiled.error().ToString());
      continue;
    }
    templates.push_back(std::move(*converted));
  }
  auto catalog = compliance::TemplateCatalog::Build(std::move(templates));
  if (!catalog.ok()) return catalog.error();
  std::lock_guard lock(mutex_);
  templates_ = std::move(*catalog);
  stats_.templates = templates_.size();
  stats_.templates_invalid = invalid;
  gate_ = std::make_shared<const compliance::Gate>(policy_, templates_, filter_);
  return Status::Ok();
}

void ComplianceService::EditWordLists(std::string list, WordListEdit edit,
                                      std::function<void(EditResult)> done) {
  auto result = std::make_shared<EditResult>(MakeError(ErrorCode::kInternal, "not run"));
  auto job = [this, edit = std::move(edit), result](storage::Connection& connection) -> Status {
    storage::WordListRepository repository(connection);
    *result = edit(repository, clock_.Now());
    return result->ok() ? Status::Ok() : Status(result->error());
  };
  auto committed = [this, list = std::move(list), result, done](Status status) {
    if (!status.ok()) {
      done(result->ok() ? Result<storage::WordListChange>(status.error()) : *result);
      return;
    }
    if (!(*result)->changed) {
      done(*result);
      return;
    }
    worker_.Post([this, list, result, done](storage::Connection& reader) {
      Status activated = ActivateWordLists(reader);
      if (activated.ok()) return done(*result);
      Revert(list, **result, activated.error(), done);
    });
  };
  Status submitted = store_.writer().Submit(std::move(job), std::move(committed));
  if (!submitted.ok()) done(submitted.error());
}

// Each term was valid on its own, but the list as a whole did not compile (e.g. it needs more
// matcher memory than configured). The stored lists must stay what the gate enforces, and what
// the next start can load, so the change is undone by a new, audited version with the previous
// terms. The caller gets an error that says so.
void ComplianceService::Revert(const std::string& list, const storage::WordListChange& change,
                               const Error& why, std::function<void(EditResult)> done) {
  const std::string reason = "reverted: version " + std::to_string(change.version) +
                             " could not be activated: " + why.message;
  auto job = [this, list, change, reason](storage::Connection& connection) -> Status {
    storage::WordListRepository repository(connection);
    auto previous = repository.LoadVersion(list, change.previous_version);
    if (!previous.ok()) return previous.error();
    auto reverted = repository.ImportTerms(list, previous->terms, storage::ImportMode::kReplace,
                                           kSystemActor, reason, clock_.Now());
    return reverted.ok() ? Status::Ok() : Status(reverted.error());
  };
  auto committed = [this, list, why, done](Status status) {
    if (!status.ok()) {
      spdlog::error("event=wordlist_revert_failed list={} error=\"{}\"", list,
                    status.error().ToString());
      return done(MakeError(ErrorCode::kInternal,
                            "the change is stored but could not be activated (" + why.message +
                                "), and reverting it failed: " + status.error().message));
    }
    worker_.Post([this, why, done](storage::Connection& reader) {
      (void)ActivateWordLists(reader);  // the previous terms: they compiled before
      done(MakeError(ErrorCode::kInvalidArgument,
                     "the change was refused because the list could not be activated, and it "
                     "was reverted: " +
                         why.message,
                     "terms"));
    });
  };
  Status submitted = store_.writer().Submit(std::move(job), std::move(committed));
  if (!submitted.ok()) done(submitted.error());
}

void ComplianceService::UpsertTemplate(
    storage::TemplateRecord record, std::string actor,
    std::function<void(Result<storage::TemplateUpsertOutcome>)> done) {
  using Outcome = Result<storage::TemplateUpsertOutcome>;
  auto result = std::make_shared<Outcome>(MakeError(ErrorCode::kInternal, "not run"));
  auto job = [this, record = std::move(record), actor = std::move(actor),
              result](storage::Connection& connection) -> Status {
    *result = storage::TemplateRepository(connection).Upsert(record, actor, clock_.Now());
    return result->ok() ? Status::Ok() : Status(result->error());
  };
  auto committed = [this, result, done](Status status) {
    if (!status.ok()) {
      done(result->ok() ? Outcome(status.error()) : *result);
      return;
    }
    worker_.Post([this, result, done](storage::Connection& reader) {
      Status activated = ActivateTemplates(reader);
      if (!activated.ok()) {
        done(MakeError(ErrorCode::kInternal,
                       "the template is stored but the catalog could not "
                       "be rebuilt: " +
                           activated.error().message));
        return;
      }
      done(*result);
    });
  };
  Status submitted = store_.writer().Submit(std::move(job), std::move(committed));
  if (!submitted.ok()) done(submitted.error());
}

void ComplianceService::Read(ReadWorker::Task task) { worker_.Post(std::move(task)); }

}  // namespace herald::daemon
