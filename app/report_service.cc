#include "app/report_service.h"

#include <utility>

#include "storage/campaign_repository.h"
#include "storage/report_repository.h"

namespace herald::app {
namespace {

Status CheckCampaign(storage::UnitOfWork& reader, CampaignId campaign) {
  auto found = reader.campaigns().Find(campaign);
  if (!found.ok()) return found.error();
  if (!*found) {
    return MakeError(ErrorCode::kNotFound, "no campaign " + std::to_string(campaign.value),
                     "campaign");
  }
  return Status::Ok();
}

}  // namespace

ReportService::ReportService(storage::Store& store, PricingService& pricing, ValueModel value)
    : store_(store), pricing_(pricing), value_(value) {}

ReportService::~ReportService() { Stop(); }

Status ReportService::Start() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  reads_.Start(std::move(*reader));
  return Status::Ok();
}

void ReportService::Stop() { reads_.Stop(); }

void ReportService::Costs(CampaignId campaign, Reply<CostReport> reply) {
  reads_.Post([this, campaign, reply = std::move(reply)](storage::UnitOfWork& reader) {
    if (Status known = CheckCampaign(reader, campaign); !known.ok()) return reply(known.error());
    auto groups = reader.reports().CostGroups(campaign);
    if (!groups.ok()) return reply(groups.error());
    const std::shared_ptr<const Pricing> pricing = pricing_.Snapshot();
    reply(BuildCostReport(campaign, *groups, pricing->rules, pricing->prices.currency()));
  });
}

void ReportService::CampaignFunnel(CampaignId campaign, Reply<Funnel> reply) {
  reads_.Post([this, campaign, reply = std::move(reply)](storage::UnitOfWork& reader) {
    if (Status known = CheckCampaign(reader, campaign); !known.ok()) return reply(known.error());
    auto groups = reader.reports().FunnelGroups(campaign);
    if (!groups.ok()) return reply(groups.error());
    auto opt_outs = reader.reports().OptOutsAfter(campaign);
    if (!opt_outs.ok()) return reply(opt_outs.error());
    reply(BuildFunnel(campaign, *groups, *opt_outs, pricing_.Snapshot()->prices.currency()));
  });
}

void ReportService::Monthly(std::string month, Reply<MonthlyReport> reply) {
  reads_.Post([this, month = std::move(month),
               reply = std::move(reply)](storage::UnitOfWork& reader) mutable {
    const auto bounds = ParseMonth(month);
    if (!bounds) {
      return reply(MakeError(ErrorCode::kInvalidArgument,
                             "month \"" + month + "\" is not a month like 2026-11", "month"));
    }
    auto groups = reader.reports().SentBetween(bounds->first, bounds->second);
    if (!groups.ok()) return reply(groups.error());
    reply(BuildMonthlyReport(std::move(month), *groups, value_,
                             pricing_.Snapshot()->prices.currency()));
  });
}

}  // namespace herald::app
