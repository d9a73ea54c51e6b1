// app/pricing_service.h: the price table and the pricing rules (issue 18, items 1 and 2). The
// service owns every write to them and keeps the current table and rules in memory as one
// immutable snapshot, which estimates and forecasts read without touching storage.
//
//   - On first start (no price version yet) the starter table shipped with Herald
//     (data/prices.csv, built into the binary) is imported as version 1 by "system".
//   - An import is a CSV file (campaign/price_csv.h), merged into the table or replacing it; a
//     file with any error changes nothing and the answer lists every error with its line.
//   - Pricing rules are policy versions keyed by their effective_from day; put and deleted one
//     at a time. Every change is audited with its actor and reason.
//
// Thread rules: every method may be called from any thread. Snapshot() and the in-memory reads
// answer at once; reads of history run on the service's read thread; writes answer through
// `reply` on the storage writer's thread once durable, after the snapshot was replaced.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/read_worker.h"
#include "app/reply.h"
#include "campaign/pricing.h"
#include "common/clock.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "storage/delivery_repository.h"
#include "storage/price_repository.h"
#include "storage/store.h"

namespace herald::app {

// The table and the rules in force, as one consistent pair.
struct Pricing {
  campaign::PriceTable prices;
  campaign::PricingRuleBook rules;
  std::int64_t version = 0;  // the price table's version (0: none yet)
};

// The starter table built into the binary (data/prices.csv at build time).
std::string_view StarterPriceCsv();

// A row with its history fields, for the API.
using PriceEntry = storage::PriceRecord;
using PriceVersion = storage::PriceVersion;
using PricingRulesEntry = storage::PricingRuleRecord;

// What a quote answers: the rate in force for a country and category on a day.
struct PriceQuote {
  std::string country;
  campaign::PriceCategory category = campaign::PriceCategory::kMarketing;
  campaign::Day day{};
  std::optional<campaign::PriceRow> row;  // none when nothing covers it
  std::string market;
};

class PricingService {
 public:
  PricingService(storage::Store& store, const Clock& clock);
  ~PricingService();

  // Loads the table and the rules; imports the starter table when there has never been one.
  Status Start();
  void Stop();

  // The current table and rules; never null after Start.
  std::shared_ptr<const Pricing> Snapshot() const;

  // What billed messages cost by the current table and rules (for ApplyStatuses: the actual
  // cost from a status's pricing). Holds this snapshot; safe on any thread.
  storage::BilledRate BilledRates() const;

  // The rows in the table: now, or as they were just after `version`.
  void List(std::optional<std::int64_t> version, Reply<std::vector<PriceEntry>> reply);
  void Versions(Reply<std::vector<PriceVersion>> reply);
  // As CSV (campaign/price_csv.h): now, or at `version`.
  void ExportCsv(std::optional<std::int64_t> version, Reply<std::string> reply);
  PriceQuote Quote(std::string_view country, campaign::PriceCategory category,
                   campaign::Day day) const;

  // `source_name` names the file in errors and in the version ("prices.csv").
  void ImportCsv(std::string csv, std::string source_name, storage::PriceImportMode mode,
                 std::string actor, Reply<PriceVersion> reply);

  std::vector<PricingRulesEntry> Rules() const;
  // Checks the record (category known, allowance >= 0) and puts it.
  void PutRules(PricingRulesEntry rules, std::string actor, std::string reason,
                Reply<PricingRulesEntry> reply);
  void DeleteRules(std::string effective_from, std::string actor, std::string reason,
                   Reply<bool> reply);

 private:
  // Reads the current rows and rules from `work` and swaps the snapshot.
  Status Reload(storage::UnitOfWork& work);

  storage::Store& store_;
  const Clock& clock_;
  ReadWorker reads_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Pricing> snapshot_ HERALD_GUARDED_BY(mutex_);
  std::vector<PricingRulesEntry> rules_ HERALD_GUARDED_BY(mutex_);
};

// Conversions between storage's records and campaign's types (checked: an unreadable stored
// value is kCorruption naming it).
Result<campaign::PriceRow> PriceRowOf(const storage::PriceRecord& record);
storage::PriceRecord PriceRecordOf(const campaign::PriceRow& row);
Result<campaign::PricingRules> PricingRulesOf(const storage::PricingRuleRecord& record);

}  // namespace herald::app
