// storage/sqlite/report_repository.h: the SQLite ReportRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

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
  // The campaign's lowest and highest delivery id; nullopt when it has none.
  Result<std::optional<std::pair<std::int64_t, std::int64_t>>> IdSpan(CampaignId campaign);

  Connection& connection_;
};

}  // namespace herald::storage
