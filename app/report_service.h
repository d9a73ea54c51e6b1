// app/report_service.h: the reports of issue 18 (app/reports.h) over the stored deliveries: a
// campaign's estimate-vs-actual costs and its funnel, and the monthly summary of all sending.
// Each is one or two aggregate queries on the service's own read thread (storage/
// report_repository.h), so a report never waits for the writer nor holds up the network.
//
// Thread rules: any method may be called from any thread; each runs on the read thread and
// answers there.
#pragma once

#include <string>

#include "app/pricing_service.h"
#include "app/read_worker.h"
#include "app/reply.h"
#include "app/reports.h"
#include "common/ids.h"
#include "storage/store.h"

namespace herald::app {

class ReportService {
 public:
  ReportService(storage::Store& store, PricingService& pricing, ValueModel value);
  ~ReportService();

  Status Start();
  void Stop();

  // kNotFound for an unknown campaign.
  void Costs(CampaignId campaign, Reply<CostReport> reply);
  void CampaignFunnel(CampaignId campaign, Reply<Funnel> reply);
  // `month` "2026-11" (UTC); kInvalidArgument naming "month" otherwise.
  void Monthly(std::string month, Reply<MonthlyReport> reply);

 private:
  storage::Store& store_;
  PricingService& pricing_;
  const ValueModel value_;
  ReadWorker reads_;
};

}  // namespace herald::app
