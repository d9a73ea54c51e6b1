// storage/price_repository.h: the price table and the pricing rules, as effective-dated data
// with a history (issue 18, items 1 and 2).
//
// Prices are versioned: each import that changes something is a version (who, when, from which
// file, how many rows added, replaced and retired). A row is never overwritten: a changed rate
// retires the old row (retired_in = the new version) and adds a new one, so the table as it was
// at any version can be read back, and an audit can tell which rate a past estimate used.
// Strings in the records are as campaign/price_csv.h checks them; storage does not interpret
// them.
//
// Pricing rules: one row per policy version (its effective_from); seeded by the schema with the
// platform's announced versions; replaced as data, audited.
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace herald::storage {

struct PriceRecord {
  std::string market;          // ISO alpha-2, a group's name, or OTHER
  std::string members;         // a group's countries, space-separated, sorted; else empty
  std::string category;        // marketing, utility, authentication, …
  std::string effective_from;  // YYYY-MM-DD
  std::int64_t rate_micros = 0;
  std::string currency;
  std::string source;
  std::int64_t version = 0;                  // the import that added it
  std::optional<std::int64_t> retired_in{};  // the import that replaced or removed it
};

struct PriceVersion {
  std::int64_t version = 0;
  SysTime created_at{};
  std::string actor;
  std::string source;  // the file's name, or "starter table"
  std::string mode;    // merge or replace
  std::int64_t added = 0;
  std::int64_t replaced = 0;  // a rate for a key already in the table, changed
  std::int64_t retired = 0;   // removed by a replace
  std::int64_t rows = 0;      // rows in the table after it
};

enum class PriceImportMode : std::uint8_t {
  kMerge,    // the file's rows are added or replace the rows with the same key; others stay
  kReplace,  // the table becomes the file: rows whose key it lacks are retired
};

struct PricingRuleRecord {
  std::string effective_from;  // YYYY-MM-DD, the key
  bool utility_free_in_window = false;
  bool service_free = false;
  std::int64_t free_service_per_number_month = 0;
  std::string service_rate_category = "utility";
  bool entry_point_free = true;
  std::string source;
  std::string updated_by;
  std::optional<SysTime> updated_at{};
};

class PriceRepository {
 public:
  virtual ~PriceRepository() = default;

  // The rows in the table now (not retired), by market, category, effective_from.
  virtual Result<std::vector<PriceRecord>> Current() = 0;
  // The rows the table held just after `version`; kNotFound for an unknown version.
  virtual Result<std::vector<PriceRecord>> AtVersion(std::int64_t version) = 0;
  // Newest first.
  virtual Result<std::vector<PriceVersion>> Versions() = 0;

  // Applies a checked file (keys unique; one currency). When nothing would change, writes
  // nothing and answers the latest version with zero counts (version 0 for an empty history).
  // kFailedPrecondition when the file's currency differs from the table's and the mode is merge.
  // Audited as price.import with the counts.
  virtual Result<PriceVersion> Import(std::span<const PriceRecord> rows, PriceImportMode mode,
                                      std::string_view actor, std::string_view source,
                                      SysTime now) = 0;

  // By effective_from.
  virtual Result<std::vector<PricingRuleRecord>> Rules() = 0;
  // Adds or replaces the version with rule.effective_from. Audited as pricing_rules.put with the
  // old and the new values.
  virtual Status PutRule(const PricingRuleRecord& rule, std::string_view actor,
                         std::string_view reason, SysTime now) = 0;
  // kNotFound when there is none. Audited as pricing_rules.delete.
  virtual Status DeleteRule(std::string_view effective_from, std::string_view actor,
                            std::string_view reason, SysTime now) = 0;
};

}  // namespace herald::storage
