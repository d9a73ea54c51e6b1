// storage/report_repository.h: the deliveries summed for reports (issue 18, items 6 and 7): the
// estimate-vs-actual groups of a campaign, its funnel, and the months of all sending. Each is one
// aggregate pass over the deliveries of the campaign (or month): a report reads a few hundred
// groups, never a row per delivery.
//
// Days are UTC days (days since 1970-01-01) of the time a message was sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "storage/delivery_repository.h"

namespace herald::storage {

// Deliveries of one campaign alike in everything that decides why their actual cost differs
// from their estimate.
struct CostGroup {
  DeliveryState state = DeliveryState::kQueued;
  std::string estimate_category;  // the category the estimate billed ("" without one)
  std::string estimate_basis;     // regular, free_customer_service, … ("" without one)
  std::optional<bool> billable;   // the platform's pricing, as reported (nullopt: none yet)
  std::string pricing_category;   // lower case, as reported
  std::string pricing_type;       // lower case, as reported
  bool actual_known = false;      // actual_cost_micros is set
  bool actual_matches = false;    // … and equals the estimate (0 when there is none)
  std::int64_t count = 0;
  std::int64_t estimate_micros = 0;
  std::int64_t actual_micros = 0;       // of those whose actual is known
  std::optional<SysTime> first_sent{};  // the earliest sent_at in the group
  std::optional<SysTime> last_sent{};   // the latest
  DeliveryId example{};                 // the group's lowest delivery id
};

// Deliveries of one campaign with the same state, reason and error code, sent on the same day
// (nullopt: never sent).
struct FunnelGroup {
  std::optional<std::int64_t> day{};
  DeliveryState state = DeliveryState::kQueued;
  std::string reason;
  std::optional<std::int64_t> error_code{};
  std::int64_t count = 0;
  std::int64_t sent = 0;       // sent_at set: the platform accepted it
  std::int64_t delivered = 0;  // delivered_at set (a read message was delivered too)
  std::int64_t read = 0;
  std::int64_t replied = 0;
  std::int64_t estimate_micros = 0;
  std::int64_t actual_micros = 0;   // where known
  std::int64_t actual_unknown = 0;  // delivered (or read) with no actual cost yet
};

// Contacts who opted out after a message of the campaign was sent to them, by the day it was
// sent.
struct OptOutDay {
  std::int64_t day = 0;
  std::int64_t count = 0;
};

// What was sent in a month, per campaign (nullopt: single messages).
struct MonthGroup {
  std::optional<CampaignId> campaign{};
  std::string campaign_name;
  std::int64_t sent = 0;
  std::int64_t delivered = 0;
  std::int64_t read = 0;
  std::int64_t replied = 0;
  std::int64_t failed = 0;
  std::int64_t opted_out = 0;  // of the recipients, opted out after their message
  std::int64_t estimate_micros = 0;
  std::int64_t actual_micros = 0;
  std::int64_t actual_unknown = 0;
};

class ReportRepository {
 public:
  virtual ~ReportRepository() = default;

  virtual Result<std::vector<CostGroup>> CostGroups(CampaignId campaign) = 0;
  virtual Result<std::vector<FunnelGroup>> FunnelGroups(CampaignId campaign) = 0;
  virtual Result<std::vector<OptOutDay>> OptOutsAfter(CampaignId campaign) = 0;
  // Messages sent in [from, to), per campaign.
  virtual Result<std::vector<MonthGroup>> SentBetween(SysTime from, SysTime to) = 0;
};

}  // namespace herald::storage
