// campaign/pricing.h: what one message costs, from prices and pricing rules kept as
// effective-dated data (issue 18, items 1-3; reference/whatsapp.md, "Pricing").
//
// Prices: a rate per market and category, in one currency, from a day on. A market is a country
// (ISO 3166-1 alpha-2), one of the platform's regional groups (a name and its member countries),
// or OTHER (every country nothing else covers). The rate for a recipient on a day is its
// country's own row in force that day, else the row of a group that lists the country, else
// OTHER's. A later row for the same market and category replaces an earlier one from its date,
// so a country that leaves its group (2026-10-01: Bangladesh and eight others) is a row of its
// own from that day, and a new rate card is new rows.
//
// Rules: which messages are free, per policy version (PricingRules, from a day on): utility
// templates inside an open customer service window (free until 2026-10-01), service messages
// (free, later free up to an allowance per business number and month, then billed at the
// utility rate), messages inside a free entry point window. The version in force on the day of
// the send applies.
//
// Money is an integer number of millionths of the currency unit (micros): 0.0250 USD is 25,000.
//
// Thread rules: pure; PriceTable and PricingRuleBook are immutable after construction and safe
// to share between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/money.h"
#include "common/result.h"

namespace herald::campaign {

using Day = std::chrono::sys_days;

// "2026-10-01" (a valid calendar date), else nullopt.
std::optional<Day> ParseDay(std::string_view text);
std::string FormatDay(Day day);
// The UTC day of an instant.
Day DayOf(SysTime time);

// The platform's pricing categories. Service is a free-form message inside a window.
enum class PriceCategory : std::uint8_t {
  kMarketing,
  kUtility,
  kAuthentication,
  kAuthenticationInternational,
  kService,
};
inline constexpr std::size_t kPriceCategoryCount = 5;

// "marketing", "utility", "authentication", "authentication_international", "service".
std::string_view PriceCategoryName(PriceCategory category);
// Any case; "authentication-international" too (the platform writes both); the platform's
// webhook names in capitals ("MARKETING", "SERVICE", "AUTHENTICATION_INTERNATIONAL") as well.
std::optional<PriceCategory> ParsePriceCategory(std::string_view text);

inline constexpr std::string_view kOtherMarket = "OTHER";

struct PriceRow {
  std::string market;                // "DE", a group's name, or "OTHER"
  std::vector<std::string> members;  // a group's countries, sorted; empty for a country or OTHER
  PriceCategory category = PriceCategory::kMarketing;
  std::int64_t rate_micros = 0;  // per billed message, in `currency`
  std::string currency;          // ISO 4217, e.g. "USD"
  Day effective_from{};
  std::string source;  // where the figure comes from (free text)

  bool is_group() const { return !members.empty(); }
};

// True for a two-letter upper-case country code.
bool IsCountryCode(std::string_view text);

class PriceTable {
 public:
  PriceTable() = default;
  // Rows in any order. The caller has checked them (ParsePriceCsv does): one currency, no two
  // rows for one (market, category, effective_from).
  explicit PriceTable(std::vector<PriceRow> rows);

  // The row in force on `day` for a recipient in `country`, as the header says; nullptr when no
  // row covers it. `market` (optional) receives the market the rate is that of.
  const PriceRow* Find(std::string_view country, PriceCategory category, Day day,
                       std::string* market = nullptr) const;

  // The currency of the rows ("USD" for an empty table).
  const std::string& currency() const { return currency_; }
  std::span<const PriceRow> rows() const { return rows_; }
  bool empty() const { return rows_.empty(); }

 private:
  const PriceRow* InForce(std::string_view market, PriceCategory category, Day day) const;

  std::vector<PriceRow> rows_;  // sorted by (market, category, effective_from)
  // Country -> the group markets that list it (on some row; the row in force decides).
  std::map<std::string, std::vector<std::string>, std::less<>> groups_of_;
  std::string currency_ = "USD";
};

// One policy version of the platform's pricing rules.
struct PricingRules {
  Day effective_from{};
  bool utility_free_in_window = false;  // a utility template inside an open window is free
  bool service_free = false;            // every service message is free
  // When service messages are not all free: this many per business number and calendar month
  // (UTC) are free, the rest billed at `service_rate_category`'s rate.
  std::int64_t free_service_per_number_month = 0;
  PriceCategory service_rate_category = PriceCategory::kUtility;
  bool entry_point_free = true;  // everything inside a free entry point window is free
  std::string source;
};

// The rules as the platform announced them (reference/whatsapp.md): from 2025-07-01 and from
// 2026-10-01. What the schema seeds; tests use it too.
std::vector<PricingRules> PlatformPricingRules();

class PricingRuleBook {
 public:
  PricingRuleBook() = default;
  explicit PricingRuleBook(std::vector<PricingRules> versions);
  // The version in force on `day`, or nullptr before the first.
  const PricingRules* InForce(Day day) const;
  std::span<const PricingRules> versions() const { return versions_; }

 private:
  std::vector<PricingRules> versions_;  // by effective_from
};

// What the estimate knows about one message.
struct MessageFacts {
  std::string country;  // the recipient's, ISO alpha-2 (empty when unknown)
  PriceCategory category = PriceCategory::kMarketing;
  SysTime at{};                   // when it is (or will be) sent
  bool window_open = false;       // a customer service window with this user is open then
  bool entry_point_open = false;  // a free entry point window is open then
  // Service messages the sending number already sent this calendar month (UTC) before this one.
  std::int64_t service_sent_this_month = 0;
};

// Why a message costs what it costs; the names are the platform's pricing `type`s where one
// exists, so an estimate and a status webhook's pricing compare directly.
enum class CostBasis : std::uint8_t {
  kRegular,               // billed at its category's rate
  kFreeCustomerService,   // free: inside an open window, under the rules of its day
  kFreeEntryPoint,        // free: inside a free entry point window
  kFreeServiceAllowance,  // free: within the number's monthly service allowance
  kNoPrice,               // billable, but no rate covers its market (cost unknown: 0)
  kNoRules,               // no rules in force on its day (cost unknown: 0)
};
// "regular", "free_customer_service", "free_entry_point", "free_service_allowance", "no_price",
// "no_rules".
std::string_view CostBasisName(CostBasis basis);

struct CostEstimate {
  CostBasis basis = CostBasis::kRegular;
  bool billable = false;
  std::int64_t cost_micros = 0;
  PriceCategory billed_as = PriceCategory::kMarketing;  // the rate's category
  std::string market;                                   // whose rate (billable only)
  const PriceRow* price = nullptr;                      // the row used (billable only)
};

CostEstimate EstimateCost(const PriceTable& prices, const PricingRuleBook& rules,
                          const MessageFacts& facts);

// What a message the platform billed costs (its status's pricing said billable, in `reported`'s
// category): the rate in force on `day` for `country`; a service message at the rate of the
// category the rules of that day bill service messages as. Basis kRegular, or kNoPrice / kNoRules
// (cost unknown: 0).
CostEstimate BilledCost(const PriceTable& prices, const PricingRuleBook& rules,
                        std::string_view country, PriceCategory reported, Day day);

using herald::FormatMicros;  // common/money.h
using herald::ParseMicros;

}  // namespace herald::campaign
