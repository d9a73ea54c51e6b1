#include "app/reports.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <utility>

namespace herald::app {
namespace {

using storage::DeliveryState;

bool IsDelivered(DeliveryState state) {
  return state == DeliveryState::kDelivered || state == DeliveryState::kRead;
}

bool NotYetBilled(DeliveryState state) {
  return state == DeliveryState::kQueued || state == DeliveryState::kSending ||
         state == DeliveryState::kSent || state == DeliveryState::kUncertain;
}

// The category a billed message's rate is that of: a service message at the rules' rate
// category of its day.
std::string RateCategory(const storage::CostGroup& group, const campaign::PricingRuleBook& rules) {
  const auto reported = campaign::ParsePriceCategory(group.pricing_category);
  if (!reported) return group.pricing_category;
  if (*reported == campaign::PriceCategory::kService && group.first_sent) {
    if (const campaign::PricingRules* in_force =
            rules.InForce(campaign::DayOf(*group.first_sent))) {
      return std::string(campaign::PriceCategoryName(in_force->service_rate_category));
    }
  }
  return std::string(campaign::PriceCategoryName(*reported));
}

// Why an estimate that counted the message free was billed after all.
std::string_view FreeButBilled(const storage::CostGroup& group,
                               const campaign::PricingRuleBook& rules) {
  const campaign::PricingRules* in_force =
      group.first_sent ? rules.InForce(campaign::DayOf(*group.first_sent)) : nullptr;
  const auto category = campaign::ParsePriceCategory(group.estimate_category);
  if (group.estimate_basis == "free_service_allowance") {
    return in_force != nullptr && in_force->free_service_per_number_month == 0 ? "rule_change"
                                                                               : "allowance_used";
  }
  if (group.estimate_basis == "free_entry_point") {
    return in_force != nullptr && !in_force->entry_point_free ? "rule_change" : "window_closed";
  }
  // free_customer_service: a utility template inside a window, or a free service message.
  if (in_force != nullptr) {
    if (category == campaign::PriceCategory::kUtility && !in_force->utility_free_in_window) {
      return "rule_change";
    }
    if (category == campaign::PriceCategory::kService && !in_force->service_free) {
      return "rule_change";
    }
  }
  return "window_closed";
}

std::string_view CauseOf(const storage::CostGroup& group, const campaign::PricingRuleBook& rules) {
  if (group.actual_matches) return "matched";
  if (!IsDelivered(group.state)) {
    if (group.estimate_micros == 0 && group.actual_micros == 0) return "matched";
    return NotYetBilled(group.state) ? "pending" : "not_delivered";
  }
  if (!group.billable) return "awaiting_pricing";
  if (!*group.billable) {
    if (group.estimate_micros == 0) return "matched";
    if (group.pricing_type == "free_customer_service") return "window_opened";
    if (group.pricing_type == "free_entry_point") return "free_entry_point";
    return "unknown";
  }
  if (group.estimate_basis.empty()) return "no_estimate";
  if (!group.actual_known) return "unpriced";
  if (group.estimate_basis == "free_customer_service" ||
      group.estimate_basis == "free_entry_point" ||
      group.estimate_basis == "free_service_allowance") {
    return FreeButBilled(group, rules);
  }
  if (RateCategory(group, rules) != group.estimate_category) return "category_changed";
  return "price_change";
}

std::optional<double> Ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// Money per unit, rounded to the nearest micro.
std::optional<std::int64_t> PerUnit(std::int64_t micros, std::int64_t units) {
  if (units == 0) return std::nullopt;
  return (micros + units / 2) / units;
}

std::vector<Counted> Sorted(const std::map<std::string, std::int64_t>& counts) {
  std::vector<Counted> sorted;
  sorted.reserve(counts.size());
  for (const auto& [key, count] : counts) sorted.push_back(Counted{key, count});
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Counted& a, const Counted& b) { return a.count > b.count; });
  return sorted;
}

}  // namespace

CostReport BuildCostReport(CampaignId campaign, std::span<const storage::CostGroup> groups,
                           const campaign::PricingRuleBook& rules, std::string currency) {
  CostReport report;
  report.campaign = campaign;
  report.currency = std::move(currency);
  std::map<std::string, CostCause, std::less<>> causes;
  for (const storage::CostGroup& group : groups) {
    report.deliveries += group.count;
    report.estimate_micros += group.estimate_micros;
    report.actual_micros += group.actual_micros;
    if (IsDelivered(group.state) && !group.actual_known) report.actual_unknown += group.count;
    const std::string_view cause = CauseOf(group, rules);
    if (cause == "matched") {
      report.matched += group.count;
      continue;
    }
    auto [found, added] = causes.try_emplace(std::string(cause));
    CostCause& entry = found->second;
    if (added) {
      entry.cause = std::string(cause);
      entry.example = group.example;
    }
    entry.count += group.count;
    entry.estimate_micros += group.estimate_micros;
    entry.actual_micros += group.actual_micros;
    entry.difference_micros += group.actual_micros - group.estimate_micros;
    if (group.example.value < entry.example.value) entry.example = group.example;
  }
  for (auto& [name, cause] : causes) report.causes.push_back(std::move(cause));
  std::stable_sort(report.causes.begin(), report.causes.end(),
                   [](const CostCause& a, const CostCause& b) {
                     return std::llabs(a.difference_micros) > std::llabs(b.difference_micros);
                   });
  return report;
}

Funnel BuildFunnel(CampaignId campaign, std::span<const storage::FunnelGroup> groups,
                   std::span<const storage::OptOutDay> opt_outs, std::string currency) {
  Funnel funnel;
  funnel.campaign = campaign;
  funnel.currency = std::move(currency);
  std::map<std::string, std::int64_t> skipped;
  std::map<std::string, std::int64_t> blocked;
  std::map<std::string, std::int64_t> failed;
  std::map<std::int64_t, FunnelDay> days;
  for (const storage::FunnelGroup& group : groups) {
    funnel.audience += group.count;
    funnel.sent += group.sent;
    funnel.delivered += group.delivered;
    funnel.read += group.read;
    funnel.replied += group.replied;
    funnel.estimate_micros += group.estimate_micros;
    funnel.spend_micros += group.actual_micros;
    funnel.spend_unknown += group.actual_unknown;
    const std::string reason = group.reason.empty() ? "none" : group.reason;
    switch (group.state) {
      case DeliveryState::kSkipped:
        funnel.skipped += group.count;
        skipped[reason] += group.count;
        break;
      case DeliveryState::kBlocked:
        funnel.blocked += group.count;
        blocked[reason] += group.count;
        break;
      case DeliveryState::kCancelled:
        funnel.cancelled += group.count;
        break;
      case DeliveryState::kExpired:
        funnel.expired += group.count;
        break;
      case DeliveryState::kQueued:
      case DeliveryState::kSending:
        funnel.waiting += group.count;
        break;
      case DeliveryState::kUncertain:
        funnel.uncertain += group.count;
        break;
      case DeliveryState::kFailed:
        funnel.failed += group.count;
        failed[group.error_code ? std::to_string(*group.error_code) : reason] += group.count;
        break;
      default:
        break;
    }
    if (group.day) {
      FunnelDay& day = days[*group.day];
      day.day = *group.day;
      day.sent += group.sent;
      day.delivered += group.delivered;
      day.read += group.read;
      day.replied += group.replied;
      if (group.state == DeliveryState::kFailed) day.failed += group.count;
      day.spend_micros += group.actual_micros;
    }
  }
  for (const storage::OptOutDay& opt_out : opt_outs) {
    funnel.opted_out_after += opt_out.count;
    FunnelDay& day = days[opt_out.day];
    day.day = opt_out.day;
    day.opted_out += opt_out.count;
  }
  funnel.skipped_by_reason = Sorted(skipped);
  funnel.blocked_by_reason = Sorted(blocked);
  funnel.failed_by_error = Sorted(failed);
  funnel.delivery_rate = Ratio(funnel.delivered, funnel.sent);
  funnel.read_rate = Ratio(funnel.read, funnel.delivered);
  funnel.reply_rate = Ratio(funnel.replied, funnel.delivered);
  funnel.opt_out_rate = Ratio(funnel.opted_out_after, funnel.delivered);
  funnel.failure_rate = Ratio(funnel.failed, funnel.sent);
  funnel.cost_per_delivered_micros = PerUnit(funnel.spend_micros, funnel.delivered);
  funnel.cost_per_read_micros = PerUnit(funnel.spend_micros, funnel.read);
  funnel.cost_per_reply_micros = PerUnit(funnel.spend_micros, funnel.replied);
  for (auto& [day, entry] : days) funnel.days.push_back(entry);
  return funnel;
}

namespace {

void Finish(MonthRow& row, const ValueModel& value) {
  row.reply_rate = Ratio(row.replied, row.delivered);
  row.opt_out_rate = Ratio(row.opted_out, row.delivered);
  row.cost_per_reply_micros = PerUnit(row.spend_micros, row.replied);
  row.value_micros = row.replied * value.per_reply_micros;
  row.net_value_micros = row.value_micros - row.spend_micros;
}

}  // namespace

MonthlyReport BuildMonthlyReport(std::string month, std::span<const storage::MonthGroup> groups,
                                 const ValueModel& value, std::string currency) {
  MonthlyReport report;
  report.month = std::move(month);
  report.currency = std::move(currency);
  report.value_per_reply_micros = value.per_reply_micros;
  report.total.name = "total";
  std::optional<MonthRow> singles;
  for (const storage::MonthGroup& group : groups) {
    MonthRow row;
    row.campaign = group.campaign;
    row.name = group.campaign ? group.campaign_name : "single messages";
    row.sent = group.sent;
    row.delivered = group.delivered;
    row.read = group.read;
    row.replied = group.replied;
    row.failed = group.failed;
    row.opted_out = group.opted_out;
    row.spend_micros = group.actual_micros;
    row.spend_unknown = group.actual_unknown;
    Finish(row, value);
    MonthRow& total = report.total;
    total.sent += row.sent;
    total.delivered += row.delivered;
    total.read += row.read;
    total.replied += row.replied;
    total.failed += row.failed;
    total.opted_out += row.opted_out;
    total.spend_micros += row.spend_micros;
    total.spend_unknown += row.spend_unknown;
    if (row.campaign) {
      report.campaigns.push_back(std::move(row));
    } else {
      singles = std::move(row);
    }
  }
  if (singles) report.campaigns.push_back(std::move(*singles));
  Finish(report.total, value);
  return report;
}

std::optional<std::pair<SysTime, SysTime>> ParseMonth(std::string_view month) {
  if (month.size() != 7 || month[4] != '-') return std::nullopt;
  const auto first = campaign::ParseDay(std::string(month) + "-01");
  if (!first) return std::nullopt;
  const std::chrono::year_month_day day(*first);
  const std::chrono::year_month next =
      std::chrono::year_month(day.year(), day.month()) + std::chrono::months(1);
  const campaign::Day after{std::chrono::year_month_day(next / std::chrono::day(1))};
  return std::make_pair(SysTime(*first), SysTime(after));
}

}  // namespace herald::app
