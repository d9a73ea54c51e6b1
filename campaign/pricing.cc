#include "campaign/pricing.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace herald::campaign {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

constexpr std::array<std::string_view, kPriceCategoryCount> kCategoryNames = {
    "marketing", "utility", "authentication", "authentication_international", "service"};

bool ReadNumber(std::string_view text, int& value) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-') c = '_';
  }
  return lower;
}

}  // namespace

std::optional<Day> ParseDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0;
  int m = 0;
  int d = 0;
  if (!ReadNumber(text.substr(0, 4), y) || !ReadNumber(text.substr(5, 2), m) ||
      !ReadNumber(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(m)),
                            day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  return Day(date);
}

std::string FormatDay(Day value) {
  const year_month_day date(value);
  const int y = static_cast<int>(date.year());
  const unsigned m = static_cast<unsigned>(date.month());
  const unsigned d = static_cast<unsigned>(date.day());
  std::array<char, 11> out{};
  out[0] = static_cast<char>('0' + (y / 1000) % 10);
  out[1] = static_cast<char>('0' + (y / 100) % 10);
  out[2] = static_cast<char>('0' + (y / 10) % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[4] = '-';
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[7] = '-';
  out[8] = static_cast<char>('0' + d / 10);
  out[9] = static_cast<char>('0' + d % 10);
  return std::string(out.data(), 10);
}

Day DayOf(SysTime time) { return std::chrono::floor<std::chrono::days>(time); }

std::string_view PriceCategoryName(PriceCategory category) {
  return kCategoryNames[static_cast<std::size_t>(category)];
}

std::optional<PriceCategory> ParsePriceCategory(std::string_view text) {
  const std::string lower = Lower(text);
  for (std::size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (lower == kCategoryNames[i]) return static_cast<PriceCategory>(i);
  }
  return std::nullopt;
}

bool IsCountryCode(std::string_view text) {
  return text.size() == 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'A' && text[1] <= 'Z';
}

PriceTable::PriceTable(std::vector<PriceRow> rows) : rows_(std::move(rows)) {
  std::sort(rows_.begin(), rows_.end(), [](const PriceRow& a, const PriceRow& b) {
    return std::tie(a.market, a.category, a.effective_from) <
           std::tie(b.market, b.category, b.effective_from);
  });
  if (!rows_.empty()) currency_ = rows_.front().currency;
  for (const PriceRow& row : rows_) {
    for (const std::string& country : row.members) {
      std::vector<std::string>& groups = groups_of_[country];
      if (std::find(groups.begin(), groups.end(), row.market) == groups.end()) {
        groups.push_back(row.market);
      }
    }
  }
}

const PriceRow* PriceTable::InForce(std::string_view market, PriceCategory category,
                                    Day day) const {
  // The last row of (market, category) that starts on or before `day`.
  auto after = std::upper_bound(rows_.begin(), rows_.end(), 0, [&](int, const PriceRow& row) {
    if (market != row.market) return market < std::string_view(row.market);
    if (category != row.category) return category < row.category;
    return day < row.effective_from;
  });
  if (after == rows_.begin()) return nullptr;
  const PriceRow& row = *std::prev(after);
  return row.market == market && row.category == category ? &row : nullptr;
}

const PriceRow* PriceTable::Find(std::string_view country, PriceCategory category, Day day,
                                 std::string* market) const {
  auto found = [&](const PriceRow* row) {
    if (row != nullptr && market != nullptr) *market = row->market;
    return row;
  };
  if (!country.empty() && country != kOtherMarket) {
    if (const PriceRow* own = InForce(country, category, day)) return found(own);
    if (auto groups = groups_of_.find(country); groups != groups_of_.end()) {
      // A group covers the country when the group's row in force that day lists it; of two such
      // groups (a card that moved it between groups), the row that started later.
      const PriceRow* best = nullptr;
      for (const std::string& group : groups->second) {
        const PriceRow* row = InForce(group, category, day);
        if (row == nullptr ||
            !std::binary_search(row->members.begin(), row->members.end(), country)) {
          continue;
        }
        if (best == nullptr || row->effective_from > best->effective_from) best = row;
      }
      if (best != nullptr) return found(best);
    }
  }
  return found(InForce(kOtherMarket, category, day));
}

std::vector<PricingRules> PlatformPricingRules() {
  PricingRules july_2025;
  july_2025.effective_from = *ParseDay("2025-07-01");
  july_2025.utility_free_in_window = true;
  july_2025.service_free = true;
  july_2025.entry_point_free = true;
  july_2025.source = "reference/whatsapp.md: per-message pricing from 2025-07-01";
  PricingRules october_2026;
  october_2026.effective_from = *ParseDay("2026-10-01");
  october_2026.utility_free_in_window = false;
  october_2026.service_free = false;
  october_2026.free_service_per_number_month = 1000;
  october_2026.service_rate_category = PriceCategory::kUtility;
  october_2026.entry_point_free = true;
  october_2026.source =
      "reference/whatsapp.md: from 2026-10-01 (reported by several providers; verify)";
  return {july_2025, october_2026};
}

PricingRuleBook::PricingRuleBook(std::vector<PricingRules> versions)
    : versions_(std::move(versions)) {
  std::sort(versions_.begin(), versions_.end(), [](const PricingRules& a, const PricingRules& b) {
    return a.effective_from < b.effective_from;
  });
}

const PricingRules* PricingRuleBook::InForce(Day day) const {
  auto after = std::upper_bound(
      versions_.begin(), versions_.end(), day,
      [](Day value, const PricingRules& rules) { return value < rules.effective_from; });
  return after == versions_.begin() ? nullptr : &*std::prev(after);
}

std::string_view CostBasisName(CostBasis basis) {
  switch (basis) {
    case CostBasis::kRegular:
      return "regular";
    case CostBasis::kFreeCustomerService:
      return "free_customer_service";
    case CostBasis::kFreeEntryPoint:
      return "free_entry_point";
    case CostBasis::kFreeServiceAllowance:
      return "free_service_allowance";
    case CostBasis::kNoPrice:
      return "no_price";
    case CostBasis::kNoRules:
      return "no_rules";
  }
  return "regular";
}

CostEstimate EstimateCost(const PriceTable& prices, const PricingRuleBook& rules,
                          const MessageFacts& facts) {
  CostEstimate estimate;
  estimate.billed_as = facts.category;
  const Day day = DayOf(facts.at);
  const PricingRules* in_force = rules.InForce(day);
  if (in_force == nullptr) {
    estimate.basis = CostBasis::kNoRules;
    return estimate;
  }
  auto free = [&](CostBasis basis) {
    estimate.basis = basis;
    return estimate;
  };
  if (facts.entry_point_open && in_force->entry_point_free) {
    return free(CostBasis::kFreeEntryPoint);
  }
  switch (facts.category) {
    case PriceCategory::kService:
      if (in_force->service_free) return free(CostBasis::kFreeCustomerService);
      if (facts.service_sent_this_month < in_force->free_service_per_number_month) {
        return free(CostBasis::kFreeServiceAllowance);
      }
      estimate.billed_as = in_force->service_rate_category;
      break;
    case PriceCategory::kUtility:
      if (facts.window_open && in_force->utility_free_in_window) {
        return free(CostBasis::kFreeCustomerService);
      }
      break;
    default:
      break;
  }
  estimate.billable = true;
  estimate.price = prices.Find(facts.country, estimate.billed_as, day, &estimate.market);
  if (estimate.price == nullptr) {
    estimate.basis = CostBasis::kNoPrice;
    return estimate;
  }
  estimate.basis = CostBasis::kRegular;
  estimate.cost_micros = estimate.price->rate_micros;
  return estimate;
}

CostEstimate BilledCost(const PriceTable& prices, const PricingRuleBook& rules,
                        std::string_view country, PriceCategory reported, Day day) {
  CostEstimate cost;
  cost.billed_as = reported;
  cost.billable = true;
  if (reported == PriceCategory::kService) {
    const PricingRules* in_force = rules.InForce(day);
    if (in_force == nullptr) {
      cost.basis = CostBasis::kNoRules;
      return cost;
    }
    cost.billed_as = in_force->service_rate_category;
  }
  cost.price = prices.Find(country, cost.billed_as, day, &cost.market);
  if (cost.price == nullptr) {
    cost.basis = CostBasis::kNoPrice;
    return cost;
  }
  cost.basis = CostBasis::kRegular;
  cost.cost_micros = cost.price->rate_micros;
  return cost;
}

}  // namespace herald::campaign
