// storage/sqlite/campaign_repository.h: the SQLite CampaignRepository.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/campaign_repository.h"
#include "storage/sqlite/audit.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteCampaignRepository final : public CampaignRepository {
 public:
  explicit SqliteCampaignRepository(Connection& connection)
      : connection_(connection), audit_(connection) {}

  Result<CampaignId> Insert(const CampaignRecord& campaign, const Change& change) override;
  Result<std::optional<CampaignRecord>> Find(CampaignId id) override;
  Result<std::vector<CampaignRecord>> List(std::string_view state) override;
  Status Transition(CampaignId id, std::span<const std::string_view> from, std::string_view to,
                    const Change& change) override;
  Status SetAudienceSize(CampaignId id, std::int64_t size, SysTime now) override;

 private:
  Result<std::vector<CampaignRecord>> Select(std::string_view where, std::int64_t id,
                                             std::string_view state);
  Status LoadSenders(CampaignRecord& campaign);

  Connection& connection_;
  AuditWriter audit_;
};

}  // namespace herald::storage
