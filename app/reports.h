// app/reports.h: what finance and marketing read about sending (issue 18, items 6 and 7), built
// from the groups storage sums (storage/report_repository.h). Pure: no storage, no clock.
//
// Estimate vs actual. Each delivery's actual cost comes from its status webhooks' pricing
// (storage::DeliveryRepository::ApplyStatuses); where it differs from the estimate written when
// the audience was built, the difference is put down to one cause:
//   not_delivered     failed, expired, cancelled, skipped or blocked: the platform bills only
//                     delivered messages
//   pending           not delivered yet (queued, sending, sent, uncertain): not billed so far
//   awaiting_pricing  delivered, but no status has reported its pricing yet
//   window_opened     the estimate billed it; the platform made it free inside a customer
//                     service window (type free_customer_service)
//   free_entry_point  … inside a free entry point window
//   window_closed     the estimate counted on an open window (or entry point); the platform
//                     billed it: the window had closed by the time it was sent
//   allowance_used    the estimate counted on the monthly free service allowance; it was used up
//   rule_change       the estimate counted it free under the pricing rules of the planned day;
//                     the rules of the day it was sent bill it
//   category_changed  billed in another category than the estimate's (the platform recategorised
//                     the template, or billed a service message as something else)
//   price_change      billed in the estimate's category at another rate: a new price table, or a
//                     rate in force on the day it was sent that differs from the planned day's
//   unpriced          billed, but no rate covers its market and category: cost unknown
//   no_estimate       billed, but the delivery has no estimate (no template category or prices
//                     when its audience was built)
//   unknown           none of these (e.g. a pricing type this version does not know)
// Deliveries whose actual equals their estimate are "matched". The causes' differences add up to
// the total difference exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/pricing.h"
#include "common/clock.h"
#include "common/ids.h"
#include "storage/report_repository.h"

namespace herald::app {

struct CostCause {
  std::string cause;
  std::int64_t count = 0;
  std::int64_t estimate_micros = 0;
  std::int64_t actual_micros = 0;  // known actuals only (0 for unknown ones)
  std::int64_t difference_micros = 0;
  DeliveryId example{};  // one delivery it applies to
};

struct CostReport {
  CampaignId campaign{};
  std::string currency = "USD";
  std::int64_t deliveries = 0;
  std::int64_t estimate_micros = 0;
  std::int64_t actual_micros = 0;
  std::int64_t actual_unknown = 0;  // billed (or delivered) with no actual cost known
  std::int64_t matched = 0;         // deliveries whose actual equals their estimate
  std::vector<CostCause> causes;    // by |difference|, largest first; never "matched"
};

// `rules` decides rule_change and turns a billed service message into its rate's category.
CostReport BuildCostReport(CampaignId campaign, std::span<const storage::CostGroup> groups,
                           const campaign::PricingRuleBook& rules, std::string currency);

// Rates are ratios (0.25 = 25 %); nullopt where the denominator is 0. Costs likewise.
struct FunnelDay {
  std::int64_t day = 0;  // UTC days since 1970-01-01
  std::int64_t sent = 0;
  std::int64_t delivered = 0;
  std::int64_t read = 0;
  std::int64_t replied = 0;
  std::int64_t failed = 0;
  std::int64_t opted_out = 0;
  std::int64_t spend_micros = 0;
};

struct Counted {
  std::string key;  // a reason ("skipped:opted_out"), an error code ("131026"), a state
  std::int64_t count = 0;
};

struct Funnel {
  CampaignId campaign{};
  std::string currency = "USD";
  std::int64_t audience = 0;  // every delivery of the campaign
  std::int64_t skipped = 0;
  std::int64_t blocked = 0;
  std::int64_t cancelled = 0;
  std::int64_t expired = 0;
  std::int64_t waiting = 0;  // queued or sending: not sent yet
  std::int64_t uncertain = 0;
  std::int64_t sent = 0;  // accepted by the platform
  std::int64_t delivered = 0;
  std::int64_t read = 0;
  std::int64_t replied = 0;
  std::int64_t failed = 0;
  std::int64_t opted_out_after = 0;
  std::vector<Counted> skipped_by_reason;  // by count, largest first
  std::vector<Counted> blocked_by_reason;
  std::vector<Counted> failed_by_error;  // the platform's code, or the reason without one
  std::optional<double> delivery_rate;   // delivered / sent
  std::optional<double> read_rate;       // read / delivered
  std::optional<double> reply_rate;      // replied / delivered
  std::optional<double> opt_out_rate;    // opted_out_after / delivered
  std::optional<double> failure_rate;    // failed / sent
  std::int64_t estimate_micros = 0;
  std::int64_t spend_micros = 0;   // actual, where known
  std::int64_t spend_unknown = 0;  // delivered with no actual cost yet
  std::optional<std::int64_t> cost_per_delivered_micros;
  std::optional<std::int64_t> cost_per_read_micros;
  std::optional<std::int64_t> cost_per_reply_micros;
  std::vector<FunnelDay> days;  // by day sent, oldest first
};

Funnel BuildFunnel(CampaignId campaign, std::span<const storage::FunnelGroup> groups,
                   std::span<const storage::OptOutDay> opt_outs, std::string currency);

// What a reply (or a conversion) is worth to the business, for the net value of a month.
struct ValueModel {
  std::int64_t per_reply_micros = 0;
};

struct MonthRow {
  std::optional<CampaignId> campaign{};  // nullopt: single messages
  std::string name;
  std::int64_t sent = 0;
  std::int64_t delivered = 0;
  std::int64_t read = 0;
  std::int64_t replied = 0;
  std::int64_t failed = 0;
  std::int64_t opted_out = 0;
  std::int64_t spend_micros = 0;
  std::int64_t spend_unknown = 0;
  std::optional<double> reply_rate;
  std::optional<double> opt_out_rate;
  std::optional<std::int64_t> cost_per_reply_micros;
  std::int64_t value_micros = 0;      // replies × the value of one
  std::int64_t net_value_micros = 0;  // value − spend
};

struct MonthlyReport {
  std::string month;  // "2026-11"
  std::string currency = "USD";
  std::int64_t value_per_reply_micros = 0;
  MonthRow total;
  std::vector<MonthRow> campaigns;  // by campaign id; single messages last
};

MonthlyReport BuildMonthlyReport(std::string month, std::span<const storage::MonthGroup> groups,
                                 const ValueModel& value, std::string currency);

// "2026-11" → [first instant of the month, first instant of the next) in UTC.
std::optional<std::pair<SysTime, SysTime>> ParseMonth(std::string_view month);

}  // namespace herald::app
