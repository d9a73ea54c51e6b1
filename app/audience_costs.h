// app/audience_costs.h: the cost estimate written on each delivery when a campaign's audience is
// built (issue 18, item 3): the recipient's country -> its market -> the rate for the content's
// category under the rules in force at the delivery's planned send time, free when a window will
// be open then (campaign/pricing.h).
//
// What the estimate cannot know at that time, and assumes: which number will send (a window with
// any number counts as open, since the runner prefers the number with an open window); the
// service messages the numbers will have sent that month before (the campaign's own service
// messages are counted, shared evenly over its numbers; earlier ones are not).
//
// Thread rules: one AudienceCoster per audience build, used by that build's thread alone.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "app/campaign_content.h"
#include "app/compliance_service.h"
#include "app/pricing_service.h"
#include "campaign/pricing.h"
#include "storage/delivery_repository.h"
#include "storage/recipient_repository.h"

namespace herald::app {

// Where the estimates' inputs come from; set by the daemon. Either unset: no estimates.
struct CostModel {
  std::function<std::shared_ptr<const Pricing>()> pricing;
  // The price category of a campaign's content: its template's category (nullopt when the
  // template is unknown), or service for free text.
  std::function<std::optional<campaign::PriceCategory>(const CampaignContent&)> category;
};

// The daemon's cost model: the pricing in force, and the category the platform bills a campaign's
// content under (its template's category in the compliance catalog; service for free text).
CostModel MakeCostModel(PricingService& pricing, ComplianceService& compliance);

class AudienceCoster {
 public:
  // Inactive (estimates nothing) without pricing or a category.
  AudienceCoster(std::shared_ptr<const Pricing> pricing,
                 std::optional<campaign::PriceCategory> category, std::size_t senders);

  bool active() const { return pricing_ != nullptr && category_.has_value(); }
  // Whether the estimates depend on the recipients' windows (worth reading them).
  bool needs_windows() const;
  // The windows that may be open at the planned times: those of the contacts who wrote within a
  // day before the campaign's start, or whose free entry point window ends after it
  // (RecipientRepository::WindowsSince). Read once per audience: they are few.
  void SetWindows(std::vector<storage::ContactWindows> windows);

  // Sets the member's estimate for a recipient in `country` (ISO alpha-2, may be empty).
  void Estimate(storage::AudienceMember& member, std::string_view country);

 private:
  std::shared_ptr<const Pricing> pricing_;
  std::optional<campaign::PriceCategory> category_;
  std::size_t senders_ = 1;
  std::int64_t service_messages_ = 0;
  std::unordered_map<std::int64_t, storage::ContactWindows> windows_;  // by contact id

  // country, day (since the epoch), window open, entry point open
  using CacheKey = std::tuple<std::string, std::int64_t, bool, bool>;
  struct Cached {
    std::int64_t cost_micros = 0;
    std::string_view basis;     // CostBasisName: static
    std::string_view category;  // PriceCategoryName: static
  };
  static void Fill(storage::AudienceMember& member, const Cached& value);
  std::map<CacheKey, Cached> cache_;
};

}  // namespace herald::app
