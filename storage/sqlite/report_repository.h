// storage/sqlite/report_repository.h: the SQLite ReportRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include <functional>
#include <string_view>

#include "storage/report_repository.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteReportRepository final : public ReportRepository {
 public:
  explicit SqliteReportRepository(Connection& connection) : connection_(connection) {}

  Result<std::vector<CostGroup>> CostGroups(CampaignId campaign) override;
  Result<std::vector<FunnelGroup>> FunnelGroups(CampaignId campaign) override;
  Result<std::vector<OptOutDay>> OptOutsAfter(CampaignId campaign) override;
  Result<std::vector<MonthGroup>> SentBetween(SysTime from, SysTime to) override;

 private:
  // Hands `row` each delivery of `campaign` (the `columns` selected): the stretch of the table
  // between its lowest and highest delivery id, read in rowid order.
  Status ScanCampaignRows(CampaignId campaign, std::string_view columns,
                          const std::function<void(const Statement&)>& row);

  Connection& connection_;
};

}  // namespace herald::storage
