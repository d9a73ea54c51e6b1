#include "app/compliance_service.h"

#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <future>
#include <set>
#include <utility>

#include "common/language_tag.h"
#include "common/log.h"
#include "common/names.h"
#include "common/release.h"
#include "compliance/starter_word_lists.h"
#include "compliance/word_list_csv.h"

namespace herald::app {
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

ComplianceService::Metrics::Metrics(metrics::Registry& registry)
    : activations(
          registry
              .AddCounter("herald_wordlist_activations_total", "Word filters built and swapped in.")
              .With()),
      activation_failures(
          registry
              .AddCounter("herald_wordlist_activation_failures_total",
                          "Word filter builds that failed; the previous filter stayed active.")
              .With()),
      last_activation_seconds(
          registry
              .AddGauge("herald_wordlist_last_activation_seconds",
                        "Time to load and compile the word lists at the last activation.")
              .With()),
      word_terms(
          registry.AddGauge("herald_wordlist_terms", "Terms in the active word lists.").With()),
      templates(registry.AddGauge("herald_templates", "Templates in the gate's catalog.").With()),
      templates_invalid(
          registry
              .AddGauge("herald_templates_invalid",
                        "Stored templates left out of the catalog because they do not compile.")
              .With()) {}

ComplianceService::ComplianceService(storage::Store& store, const Clock& clock,
                                     metrics::Registry& metrics,
                                     compliance::WordFilterOptions filter_options)
    : store_(store),
      clock_(clock),
      filter_options_(filter_options),
      metrics_(metrics),
      dfa_fallbacks_metric_(metrics.AddCallbackCounter(
          "herald_wordfilter_dfa_fallbacks_total",
          "Scans that fell back from the DFA to per-term matching (out of matcher memory).",
          [this] { return static_cast<double>(DfaFallbacks()); })) {}

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
  Status seeded = store_.SubmitAndWait([&](storage::UnitOfWork& work) -> Status {
    storage::WordListRepository& repository = work.word_lists();
    auto done = repository.SeedStarterListsIfEmpty(
        *seeds, kSystemActor, "starter lists loaded on first start", clock_.Now());
    if (!done.ok()) return done.error();
    if (*done) log::Info("event=wordlists_seeded lists={}", seeds->size());
    return Status::Ok();
  });
  if (!seeded.ok()) return seeded;

  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  if (Status s = ActivateTemplates(**reader); !s.ok()) return s;
  if (Status s = ActivateWordLists(**reader); !s.ok()) return s;
  worker_.Start(std::move(reader).value());
  scans_.Start();
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
  scans_.Stop();
  worker_.Stop();
}

void ComplianceService::TestText(std::string text, std::string language, std::size_t max_matches,
                                 Reply<TextTest> reply) {
  if (text.size() > kMaxTestTextBytes) {
    return reply(MakeError(ErrorCode::kInvalidArgument,
                           "is " + std::to_string(text.size()) + " bytes; at most " +
                               std::to_string(kMaxTestTextBytes) + " may be tested at once",
                           "text"));
  }
  if (scans_.queued() >= kMaxQueuedTests) {
    return reply(MakeError(ErrorCode::kResourceExhausted,
                           std::to_string(kMaxQueuedTests) +
                               " texts are being tested already; try again in a moment"));
  }
  auto filter = word_filter();
  const bool posted = scans_.Post([filter = std::move(filter), text = std::move(text),
                                   language = std::move(language), max_matches, reply]() mutable {
    TextTest test;
    std::vector<compliance::WordMatch> matches = filter->Scan(text, language);
    test.total_matches = matches.size();
    for (const auto& match : matches)
      test.blocked |= match.severity == compliance::Severity::kBlock;
    if (matches.size() > max_matches) matches.resize(max_matches);
    matches.shrink_to_fit();
    test.matches = std::move(matches);
    test.text = std::move(text);
    const bool many = test.total_matches > kMaxTestTextBytes / 100;
    reply(std::move(test));
    // A scan with many matches held tens of MB on this thread's heap arena: give them back.
    if (many) ::malloc_trim(0);
  });
  if (!posted) reply(MakeError(ErrorCode::kUnavailable, "the daemon is stopping"));
}

std::shared_ptr<const compliance::Gate> ComplianceService::gate() const {
  std::lock_guard lock(mutex_);
  return gate_;
}

std::shared_ptr<const compliance::WordFilter> ComplianceService::word_filter() const {
  std::lock_guard lock(mutex_);
  return filter_;
}

std::uint64_t ComplianceService::DfaFallbacks() const {
  std::lock_guard lock(mutex_);
  return retired_dfa_fallbacks_ + (filter_ ? filter_->dfa_fallbacks() : 0);
}

Status ComplianceService::ActivateWordLists(storage::UnitOfWork& reader) {
  const auto start = std::chrono::steady_clock::now();
  auto stored = reader.word_lists().LoadActive();
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
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  std::shared_ptr<const compliance::Gate> retired_gate;
  std::shared_ptr<const compliance::WordFilter> retired_filter;
  {
    std::lock_guard lock(mutex_);
    if (!filter.ok()) {
      metrics_.activation_failures.Increment();
      log::Error("event=wordlists_activation_failed error={}",
                 log::Quoted(filter.error().ToString()));
      return filter.error();
    }
    retired_filter = std::exchange(filter_, *filter);
    // Scans still running on the retired filter after this are not counted: a few at most.
    if (retired_filter) retired_dfa_fallbacks_ += retired_filter->dfa_fallbacks();
    metrics_.activations.Increment();
    metrics_.last_activation_seconds.Set(elapsed);
    metrics_.word_terms.Set(static_cast<double>(terms));
    retired_gate = std::exchange(
        gate_, std::make_shared<const compliance::Gate>(policy_, templates_, filter_));
  }
  log::Info("event=wordlists_activated lists={} terms={} ms={:.1f}", stored->size(), terms,
            elapsed.count());
  // Destroying the previous filter takes milliseconds for a large list: done here, on the worker,
  // once checks in flight have let go of it (the old gate holds it too, so that goes first).
  ReleaseWhenUnshared(std::move(retired_gate));
  ReleaseWhenUnshared(std::move(retired_filter));
  return Status::Ok();
}

Status ComplianceService::ActivateTemplates(storage::UnitOfWork& reader) {
  auto stored = reader.templates().List();
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
      log::Warn("event=template_duplicate name={} language={}", log::Quoted(entry.record.name),
                log::Quoted(entry.record.language));
      continue;
    }
    auto converted = ToMessageTemplate(entry.record);
    auto compiled = converted.ok() ? compliance::CompileTemplate(*converted)
                                   : Result<compliance::CompiledTemplate>(converted.error());
    if (!compiled.ok()) {
      // Left out of the catalog (a send with it is refused as template_missing) and reported:
      // one bad template must not stop every other from being checked.
      ++invalid;
      log::Warn("event=template_invalid name={} language={} error={}",
                log::Quoted(entry.record.name), log::Quoted(entry.record.language),
                log::Quoted(compiled.error().ToString()));
      continue;
    }
    templates.push_back(std::move(*converted));
  }
  auto catalog = compliance::TemplateCatalog::Build(std::move(templates));
  if (!catalog.ok()) return catalog.error();
  std::lock_guard lock(mutex_);
  templates_ = std::move(*catalog);
  metrics_.templates.Set(static_cast<double>(templates_.size()));
  metrics_.templates_invalid.Set(static_cast<double>(invalid));
  gate_ = std::make_shared<const compliance::Gate>(policy_, templates_, filter_);
  return Status::Ok();
}

void ComplianceService::EditWordLists(std::string list, WordListEdit edit,
                                      std::function<void(EditResult)> done) {
  auto result = std::make_shared<EditResult>(MakeError(ErrorCode::kInternal, "not run"));
  auto job = [this, edit = std::move(edit), result](storage::UnitOfWork& work) -> Status {
    storage::WordListRepository& repository = work.word_lists();
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
    worker_.Post([this, list, result, done](storage::UnitOfWork& reader) {
      Status activated = ActivateWordLists(reader);
      if (activated.ok()) return done(*result);
      Revert(list, **result, activated.error(), done);
    });
  };
  Status submitted = store_.Submit(std::move(job), std::move(committed));
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
  auto job = [this, list, change, reason](storage::UnitOfWork& work) -> Status {
    storage::WordListRepository& repository = work.word_lists();
    auto previous = repository.LoadVersion(list, change.previous_version);
    if (!previous.ok()) return previous.error();
    auto reverted = repository.ImportTerms(list, previous->terms, storage::ImportMode::kReplace,
                                           kSystemActor, reason, clock_.Now());
    return reverted.ok() ? Status::Ok() : Status(reverted.error());
  };
  auto committed = [this, list, why, done](Status status) {
    if (!status.ok()) {
      log::Error("event=wordlist_revert_failed list={} error={}", log::Quoted(list),
                 log::Quoted(status.error().ToString()));
      return done(MakeError(ErrorCode::kInternal,
                            "the change is stored but could not be activated (" + why.message +
                                "), and reverting it failed: " + status.error().message));
    }
    worker_.Post([this, why, done](storage::UnitOfWork& reader) {
      (void)ActivateWordLists(reader);  // the previous terms: they compiled before
      done(MakeError(ErrorCode::kInvalidArgument,
                     "the change was refused because the list could not be activated, and it "
                     "was reverted: " +
                         why.message,
                     "terms"));
    });
  };
  Status submitted = store_.Submit(std::move(job), std::move(committed));
  if (!submitted.ok()) done(submitted.error());
}

void ComplianceService::UpsertTemplate(TemplateRecord record, std::string actor,
                                       Reply<TemplateUpsertOutcome> done) {
  if (Status valid = names::CheckTemplate(record.name); !valid.ok()) return done(valid.error());
  if (Status valid = names::CheckLanguage(record.language); !valid.ok()) return done(valid.error());
  using Outcome = Result<storage::TemplateUpsertOutcome>;
  auto result = std::make_shared<Outcome>(MakeError(ErrorCode::kInternal, "not run"));
  auto job = [this, record = std::move(record), actor = std::move(actor),
              result](storage::UnitOfWork& work) -> Status {
    *result = work.templates().Upsert(record, actor, clock_.Now());
    return result->ok() ? Status::Ok() : Status(result->error());
  };
  auto committed = [this, result, done](Status status) {
    if (!status.ok()) {
      done(result->ok() ? Outcome(status.error()) : *result);
      return;
    }
    worker_.Post([this, result, done](storage::UnitOfWork& reader) {
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
  Status submitted = store_.Submit(std::move(job), std::move(committed));
  if (!submitted.ok()) done(submitted.error());
}

void ComplianceService::CreateWordList(std::string name, std::string language, std::string actor,
                                       std::string reason, Reply<WordListChange> reply) {
  if (Status valid = names::CheckWordList(name); !valid.ok()) return reply(valid.error());
  if (!language.empty()) {
    if (Status valid = names::CheckLanguage(language); !valid.ok()) return reply(valid.error());
  }
  EditWordLists(
      name,
      [name, language = std::move(language), actor = std::move(actor), reason = std::move(reason)](
          storage::WordListRepository& lists, SysTime now) {
        return lists.CreateList(name, language, actor, reason, now);
      },
      std::move(reply));
}

void ComplianceService::AddTerms(std::string list, std::vector<compliance::Term> terms,
                                 std::string actor, std::string reason,
                                 Reply<WordListChange> reply) {
  // Each term is checked on the worker, not the caller's (network) thread: compiling and probing
  // thousands of regex terms takes a while. The error names the term's index in the request.
  worker_.Post([this, list = std::move(list), terms = std::move(terms), actor = std::move(actor),
                reason = std::move(reason), reply](storage::UnitOfWork&) mutable {
    std::vector<storage::StoredTerm> stored;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      if (Status valid = compliance::ValidateTerm(terms[i]); !valid.ok()) {
        return reply(MakeError(ErrorCode::kInvalidArgument, valid.error().message,
                               "terms[" + std::to_string(i) + "]"));
      }
      stored.push_back(ToStoredTerm(terms[i]));
    }
    EditWordLists(
        list,
        [list, stored = std::move(stored), actor = std::move(actor), reason = std::move(reason)](
            storage::WordListRepository& lists, SysTime now) {
          return lists.AddTerms(list, stored, actor, reason, now);
        },
        std::move(reply));
  });
}

void ComplianceService::RemoveTerms(std::string list, std::vector<compliance::Term> terms,
                                    std::string actor, std::string reason,
                                    Reply<WordListChange> reply) {
  std::vector<storage::TermKey> keys;
  for (const auto& term : terms) {
    keys.push_back({term.text, std::string(compliance::MatchKindName(term.kind))});
  }
  EditWordLists(
      list,
      [list, keys = std::move(keys), actor = std::move(actor), reason = std::move(reason)](
          storage::WordListRepository& lists, SysTime now) {
        return lists.RemoveTerms(list, keys, actor, reason, now);
      },
      std::move(reply));
}

void ComplianceService::ImportTerms(std::string list, std::vector<compliance::Term> terms,
                                    TermsImportMode mode, std::string actor, std::string reason,
                                    Reply<WordListChange> reply) {
  std::vector<storage::StoredTerm> stored;
  for (const auto& term : terms) stored.push_back(ToStoredTerm(term));
  EditWordLists(
      list,
      [list, stored = std::move(stored), mode, actor = std::move(actor),
       reason = std::move(reason)](storage::WordListRepository& lists, SysTime now) {
        return lists.ImportTerms(list, stored, mode, actor, reason, now);
      },
      std::move(reply));
}

void ComplianceService::ImportTermsCsv(std::string list, std::string csv, std::string source_name,
                                       TermsImportMode mode, std::string actor, std::string reason,
                                       Reply<WordListChange> reply) {
  worker_.Post([this, list = std::move(list), csv = std::move(csv),
                source_name = std::move(source_name), mode, actor = std::move(actor),
                reason = std::move(reason), reply](storage::UnitOfWork&) mutable {
    auto parsed = compliance::ParseWordListCsv(csv, source_name);
    if (!parsed.ok()) {
      return reply(MakeError(ErrorCode::kInvalidArgument, parsed.ErrorsToString(), "csv"));
    }
    ImportTerms(std::move(list), std::move(*parsed.terms), mode, std::move(actor),
                std::move(reason), std::move(reply));
  });
}

void ComplianceService::GetWordList(std::string name, std::optional<std::int64_t> version,
                                    Reply<WordList> reply) {
  worker_.Post([name = std::move(name), version, reply](storage::UnitOfWork& reader) {
    auto& lists = reader.word_lists();
    reply(version ? lists.LoadVersion(name, *version) : lists.LoadList(name));
  });
}

void ComplianceService::WordListVersions(std::string name,
                                         Reply<std::vector<WordListVersion>> reply) {
  worker_.Post([name = std::move(name), reply](storage::UnitOfWork& reader) {
    reply(reader.word_lists().ListVersions(name));
  });
}

void ComplianceService::WordListCsv(std::string name, std::optional<std::int64_t> version,
                                    Reply<std::string> reply) {
  GetWordList(std::move(name), version, [reply](Result<WordList> list) {
    if (!list.ok()) return reply(list.error());
    auto converted = ToWordList(*list);
    if (!converted.ok()) return reply(converted.error());
    reply(compliance::WriteWordListCsv(converted->terms));
  });
}

void ComplianceService::ListTemplates(Reply<std::vector<StoredTemplate>> reply) {
  worker_.Post([reply](storage::UnitOfWork& reader) { reply(reader.templates().List()); });
}

}  // namespace herald::app
