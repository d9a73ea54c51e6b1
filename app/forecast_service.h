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
// The timeline (campaign/timeline.h): the eligible recipients (for a campaign with deliveries:
// those still queued) per country, sent by the active numbers (the campaign's own, when it names
// them; `senders` of them when asked) at their levels and warm-up, within their portfolios'
// tiers, held by quiet hours in each country's zones (the purpose the category implies), cut off
// at the campaign's end_by: when it will finish, how many will expire, spend per day.
//
// The monthly view: every campaign not finished yet (draft, scheduled, running, paused) forecast
// as above, its timeline's days within the month summed per campaign and per day. Each campaign's
// timeline assumes its numbers to itself: campaigns sharing numbers will take longer.
//
// Thread rules: Forecast may be called from any thread; it runs on the service's read thread
// and answers there.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "app/audience_costs.h"
#include "app/compliance_service.h"
#include "app/contact_service.h"
#include "app/pricing_service.h"
#include "app/read_worker.h"
#include "app/reply.h"
#include "app/sender_service.h"
#include "campaign/forecast.h"
#include "campaign/timeline.h"
#include "common/ids.h"
#include "storage/campaign_repository.h"
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
  campaign::Timeline timeline;
  SysTime timeline_start{};  // when the simulated sending starts
};

struct MonthlyForecastCampaign {
  CampaignId campaign{};
  std::string name;
  std::string state;
  std::int64_t sent = 0;  // in the month
  std::int64_t spend_micros = 0;
  std::optional<SysTime> finish;  // the timeline's (may be after the month)
  std::int64_t expired = 0;
  std::string error;  // why it could not be forecast (its template is unknown, …); else empty
};

struct MonthlyForecast {
  std::string month;
  std::string currency = "USD";
  std::int64_t sent = 0;
  std::int64_t spend_micros = 0;
  std::vector<MonthlyForecastCampaign> campaigns;
  std::vector<campaign::TimelineDay> days;  // the month's days with sending, in order
};

class ForecastService {
 public:
  ForecastService(storage::Store& store, const Clock& clock, ContactService& contacts,
                  PricingService& pricing, SenderService& senders, ComplianceService& compliance,
                  CostModel costs);
  ~ForecastService();

  Status Start();
  void Stop();

  // kNotFound for an unknown campaign; kInvalidArgument naming "segment" or "template";
  // kFailedPrecondition when the template is not in the catalog (its category is unknown).
  void Forecast(ForecastRequest request, Reply<ForecastResult> reply);
  // `month` "2026-12" (UTC); kInvalidArgument naming "month" otherwise.
  void Monthly(std::string month, Reply<MonthlyForecast> reply);

 private:
  Result<ForecastResult> Run(storage::UnitOfWork& reader, ForecastRequest request);
  // `queued` receives the deliveries still queued, by country, for the timeline.
  Result<ForecastResult> FromDeliveries(storage::UnitOfWork& reader, CampaignId campaign,
                                        const Pricing& pricing,
                                        std::map<std::string, campaign::TimelineGroup>& queued);
  Result<ForecastResult> FromSegment(storage::UnitOfWork& reader, const ForecastRequest& request,
                                     const std::shared_ptr<const Pricing>& pricing);
  // Simulates the sending of `groups` (by country) from `start`; fills result.timeline.
  void AddTimeline(ForecastResult& result, std::map<std::string, campaign::TimelineGroup> groups,
                   SysTime start, const std::optional<storage::CampaignRecord>& campaign,
                   std::size_t senders, campaign::PriceCategory category);

  storage::Store& store_;
  const Clock& clock_;
  ContactService& contacts_;
  PricingService& pricing_;
  SenderService& senders_;
  ComplianceService& compliance_;
  CostModel costs_;
  ReadWorker reads_;
};

}  // namespace herald::app
