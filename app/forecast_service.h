// app/forecast_service.h: what a campaign will cost, before anything is sent (issue 18, item 4).
//
// Two sources, chosen by what exists:
//   - a campaign whose audience is written: the sum over its deliveries of their estimates
//     (app/audience_costs.h), with the refused ones counted by reason; so the forecast of a
//     started campaign is exactly what its deliveries say;
//   - a segment and a template (or a campaign not started yet): the segment is evaluated on the
//     contact index; those opted out, and those without the consent the template's category
//     needs (marketing, utility), are not eligible; a market rule in force at the planned time
//     (the US marketing pause) skips its country; each remaining recipient is estimated at the
//     planned time (campaign/pricing.h), with the windows open then making some free.
// Counts come from the index's bitmaps per country, so a forecast costs one estimate per country
// plus one per recipient with a window open near the planned time, whatever the audience size.
//
// Not yet: the timeline (when it will finish, expiries, spend per day) and the monthly view.
//
// Thread rules: Forecast may be called from any thread; it runs on the service's read thread
// and answers there.
#pragma once

#include <optional>
#include <string>

#include "app/audience_costs.h"
#include "app/contact_service.h"
#include "app/pricing_service.h"
#include "app/read_worker.h"
#include "app/reply.h"
#include "app/sender_service.h"
#include "campaign/forecast.h"
#include "common/ids.h"
#include "storage/store.h"

namespace herald::app {

struct ForecastRequest {
  std::optional<CampaignId> campaign{};
  std::string segment{};  // an expression or a saved segment's name (without campaign)
  CampaignContent content{};
  std::optional<SysTime> at{};  // the planned send time: default the campaign's start, or now
  std::size_t senders = 0;      // numbers sending it: default the active ones
};

struct ForecastResult {
  campaign::Forecast forecast;
  std::string source;    // "deliveries" or "segment"
  std::string category;  // the price category of the content
  SysTime at{};
  std::int64_t price_version = 0;
};

class ForecastService {
 public:
  ForecastService(storage::Store& store, const Clock& clock, ContactService& contacts,
                  PricingService& pricing, SenderService& senders, CostModel costs);
  ~ForecastService();

  Status Start();
  void Stop();

  // kNotFound for an unknown campaign; kInvalidArgument naming "segment" or "template";
  // kFailedPrecondition when the template is not in the catalog (its category is unknown).
  void Forecast(ForecastRequest request, Reply<ForecastResult> reply);

 private:
  Result<ForecastResult> Run(storage::UnitOfWork& reader, ForecastRequest request);
  Result<ForecastResult> FromDeliveries(storage::UnitOfWork& reader, CampaignId campaign,
                                        const Pricing& pricing);
  Result<ForecastResult> FromSegment(storage::UnitOfWork& reader, const ForecastRequest& request,
                                     const std::shared_ptr<const Pricing>& pricing);

  storage::Store& store_;
  const Clock& clock_;
  ContactService& contacts_;
  PricingService& pricing_;
  SenderService& senders_;
  CostModel costs_;
  ReadWorker reads_;
};

}  // namespace herald::app
