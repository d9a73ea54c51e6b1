#include "app/pricing_service.h"

#include "campaign/price_csv.h"
#include "common/log.h"

namespace herald::app {
namespace {

using campaign::ParseDay;
using campaign::ParsePriceCategory;
using campaign::PriceRow;

constexpr std::string_view kStarterSource = "starter table (data/prices.csv)";

std::vector<std::string> SplitMembers(const std::string& text) {
  std::vector<std::string> members;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find(' ', begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin) members.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return members;
}

Error Corrupt(std::string_view what, std::string_view value) {
  return MakeError(ErrorCode::kCorruption,
                   "stored " + std::string(what) + " \"" + std::string(value) +
                       "\" is not one this version can read",
                   std::string(what));
}

}  // namespace

Result<PriceRow> PriceRowOf(const storage::PriceRecord& record) {
  PriceRow row;
  row.market = record.market;
  row.members = SplitMembers(record.members);
  auto category = ParsePriceCategory(record.category);
  if (!category) return Corrupt("category", record.category);
  row.category = *category;
  auto from = ParseDay(record.effective_from);
  if (!from) return Corrupt("effective_from", record.effective_from);
  row.effective_from = *from;
  row.rate_micros = record.rate_micros;
  row.currency = record.currency;
  row.source = record.source;
  return row;
}

storage::PriceRecord PriceRecordOf(const PriceRow& row) {
  storage::PriceRecord record;
  record.market = row.market;
  for (const std::string& member : row.members) {
    if (!record.members.empty()) record.members += ' ';
    record.members += member;
  }
  record.category = std::string(campaign::PriceCategoryName(row.category));
  record.effective_from = campaign::FormatDay(row.effective_from);
  record.rate_micros = row.rate_micros;
  record.currency = row.currency;
  record.source = row.source;
  return record;
}

Result<campaign::PricingRules> PricingRulesOf(const storage::PricingRuleRecord& record) {
  campaign::PricingRules rules;
  auto from = ParseDay(record.effective_from);
  if (!from) return Corrupt("effective_from", record.effective_from);
  rules.effective_from = *from;
  rules.utility_free_in_window = record.utility_free_in_window;
  rules.service_free = record.service_free;
  rules.free_service_per_number_month = record.free_service_per_number_month;
  auto category = ParsePriceCategory(record.service_rate_category);
  if (!category) return Corrupt("service_rate_category", record.service_rate_category);
  rules.service_rate_category = *category;
  rules.entry_point_free = record.entry_point_free;
  rules.source = record.source;
  return rules;
}

PricingService::PricingService(storage::Store& store, const Clock& clock)
    : store_(store), clock_(clock), snapshot_(std::make_shared<Pricing>()) {}

PricingService::~PricingService() { Stop(); }

Status PricingService::Reload(storage::UnitOfWork& work) {
  auto records = work.prices().Current();
  if (!records.ok()) return records.error();
  auto rule_records = work.prices().Rules();
  if (!rule_records.ok()) return rule_records.error();
  auto versions = work.prices().Versions();
  if (!versions.ok()) return versions.error();
  std::vector<PriceRow> rows;
  rows.reserve(records->size());
  for (const storage::PriceRecord& record : *records) {
    auto row = PriceRowOf(record);
    if (!row.ok()) return row.error();
    rows.push_back(std::move(*row));
  }
  std::vector<campaign::PricingRules> rules;
  for (const storage::PricingRuleRecord& record : *rule_records) {
    auto version = PricingRulesOf(record);
    if (!version.ok()) return version.error();
    rules.push_back(std::move(*version));
  }
  auto pricing = std::make_shared<Pricing>();
  pricing->prices = campaign::PriceTable(std::move(rows));
  pricing->rules = campaign::PricingRuleBook(std::move(rules));
  pricing->version = versions->empty() ? 0 : versions->front().version;
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(pricing);
  rules_ = std::move(*rule_records);
  return Status::Ok();
}

Status PricingService::Start() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  auto versions = (*reader)->prices().Versions();
  if (!versions.ok()) return versions.error();
  if (versions->empty()) {
    const campaign::PriceCsvResult starter =
        campaign::ParsePriceCsv(StarterPriceCsv(), "data/prices.csv");
    if (!starter.ok()) {
      return MakeError(ErrorCode::kInternal, "starter price table: " + starter.ErrorsToString());
    }
    std::vector<storage::PriceRecord> records;
    for (const PriceRow& row : *starter.rows) records.push_back(PriceRecordOf(row));
    const SysTime now = clock_.Now();
    Status imported = store_.SubmitAndWait([&](storage::UnitOfWork& work) -> Status {
      auto version = work.prices().Import(records, storage::PriceImportMode::kMerge, "system",
                                          kStarterSource, now);
      return version.ok() ? Status::Ok() : Status(version.error());
    });
    if (!imported.ok()) return imported;
    log::Info("event=prices_starter_loaded rows={}", records.size());
  }
  if (Status loaded = Reload(**reader); !loaded.ok()) return loaded;
  reads_.Start(std::move(*reader));
  return Status::Ok();
}

void PricingService::Stop() { reads_.Stop(); }

std::shared_ptr<const Pricing> PricingService::Snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void PricingService::List(std::optional<std::int64_t> version,
                          Reply<std::vector<PriceEntry>> reply) {
  reads_.Post([version, reply = std::move(reply)](storage::UnitOfWork& reader) {
    reply(version ? reader.prices().AtVersion(*version) : reader.prices().Current());
  });
}

void PricingService::Versions(Reply<std::vector<PriceVersion>> reply) {
  reads_.Post([reply = std::move(reply)](storage::UnitOfWork& reader) {
    reply(reader.prices().Versions());
  });
}

void PricingService::ExportCsv(std::optional<std::int64_t> version, Reply<std::string> reply) {
  List(version, [reply = std::move(reply)](Result<std::vector<PriceEntry>> entries) {
    if (!entries.ok()) return reply(entries.error());
    std::vector<PriceRow> rows;
    for (const PriceEntry& entry : *entries) {
      auto row = PriceRowOf(entry);
      if (!row.ok()) return reply(row.error());
      rows.push_back(std::move(*row));
    }
    reply(campaign::WritePriceCsv(rows));
  });
}

storage::BilledRate PricingService::BilledRates() const {
  return [pricing = Snapshot()](std::string_view country, std::string_view category,
                                SysTime sent_at) -> std::optional<std::int64_t> {
    const auto reported = campaign::ParsePriceCategory(category);
    if (!reported) return std::nullopt;
    const campaign::CostEstimate cost = campaign::BilledCost(
        pricing->prices, pricing->rules, country, *reported, campaign::DayOf(sent_at));
    if (cost.basis != campaign::CostBasis::kRegular) return std::nullopt;
    return cost.cost_micros;
  };
}

PriceQuote PricingService::Quote(std::string_view country, campaign::PriceCategory category,
                                 campaign::Day day) const {
  const std::shared_ptr<const Pricing> pricing = Snapshot();
  PriceQuote quote;
  quote.country = std::string(country);
  quote.category = category;
  quote.day = day;
  if (const PriceRow* row = pricing->prices.Find(country, category, day, &quote.market)) {
    quote.row = *row;
  }
  return quote;
}

void PricingService::ImportCsv(std::string csv, std::string source_name,
                               storage::PriceImportMode mode, std::string actor,
                               Reply<PriceVersion> reply) {
  const campaign::PriceCsvResult parsed = campaign::ParsePriceCsv(csv, source_name);
  if (!parsed.ok()) {
    return reply(MakeError(ErrorCode::kInvalidArgument, parsed.ErrorsToString(), "csv"));
  }
  if (parsed.rows->empty() && mode == storage::PriceImportMode::kReplace) {
    return reply(MakeError(ErrorCode::kInvalidArgument,
                           source_name + ": no rows; replacing the table with an empty one would "
                                         "leave every message without a price",
                           "csv"));
  }
  auto records = std::make_shared<std::vector<storage::PriceRecord>>();
  for (const PriceRow& row : *parsed.rows) records->push_back(PriceRecordOf(row));
  auto result = std::make_shared<PriceVersion>();
  const SysTime now = clock_.Now();
  Status submitted = store_.Submit(
      [this, records, mode, actor = std::move(actor), source_name, now,
       result](storage::UnitOfWork& work) -> Status {
        auto version = work.prices().Import(*records, mode, actor, source_name, now);
        if (!version.ok()) return version.error();
        *result = *version;
        return Status::Ok();
      },
      [this, result, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        // Read back what is committed, on the read thread: the writer's thread must not block
        // on a reader, and the answer waits for the new snapshot.
        reads_.Post([this, result, reply](storage::UnitOfWork& reader) {
          if (Status loaded = Reload(reader); !loaded.ok()) return reply(loaded.error());
          log::Info("event=prices_imported version={} added={} replaced={} retired={} rows={}",
                    result->version, result->added, result->replaced, result->retired,
                    result->rows);
          reply(*result);
        });
      });
  if (!submitted.ok()) reply(submitted.error());
}

std::vector<PricingRulesEntry> PricingService::Rules() const {
  std::lock_guard lock(mutex_);
  return rules_;
}

void PricingService::PutRules(PricingRulesEntry rules, std::string actor, std::string reason,
                              Reply<PricingRulesEntry> reply) {
  if (!ParseDay(rules.effective_from)) {
    return reply(MakeError(ErrorCode::kInvalidArgument,
                           "expected a date such as 2026-10-01 (YYYY-MM-DD)", "effective_from"));
  }
  if (rules.free_service_per_number_month < 0) {
    return reply(MakeError(ErrorCode::kInvalidArgument, "expected a count >= 0",
                           "free_service_per_number_month"));
  }
  auto category = ParsePriceCategory(rules.service_rate_category);
  if (!category || *category == campaign::PriceCategory::kService) {
    return reply(MakeError(ErrorCode::kInvalidArgument,
                           "expected marketing, utility, authentication or "
                           "authentication_international",
                           "service_rate_category"));
  }
  rules.service_rate_category = std::string(campaign::PriceCategoryName(*category));
  const SysTime now = clock_.Now();
  auto put = std::make_shared<PricingRulesEntry>(std::move(rules));
  Status submitted = store_.Submit(
      [put, actor = std::move(actor), reason = std::move(reason), now](storage::UnitOfWork& work) {
        return work.prices().PutRule(*put, actor, reason, now);
      },
      [this, put, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        reads_.Post([this, put, reply](storage::UnitOfWork& reader) {
          if (Status loaded = Reload(reader); !loaded.ok()) return reply(loaded.error());
          for (const PricingRulesEntry& entry : Rules()) {
            if (entry.effective_from == put->effective_from) return reply(entry);
          }
          reply(*put);
        });
      });
  if (!submitted.ok()) reply(submitted.error());
}

void PricingService::DeleteRules(std::string effective_from, std::string actor, std::string reason,
                                 Reply<bool> reply) {
  const SysTime now = clock_.Now();
  Status submitted = store_.Submit(
      [effective_from = std::move(effective_from), actor = std::move(actor),
       reason = std::move(reason), now](storage::UnitOfWork& work) {
        return work.prices().DeleteRule(effective_from, actor, reason, now);
      },
      [this, reply](Status status) {
        if (!status.ok()) return reply(status.error());
        reads_.Post([this, reply](storage::UnitOfWork& reader) {
          if (Status loaded = Reload(reader); !loaded.ok()) return reply(loaded.error());
          reply(true);
        });
      });
  if (!submitted.ok()) reply(submitted.error());
}

}  // namespace herald::app
