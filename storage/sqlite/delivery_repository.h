// storage/sqlite/delivery_repository.h: the SQLite DeliveryRepository. A claim is one UPDATE …
// RETURNING in the writer's transaction: with one writer per database file nobody else can take
// the same rows in between. Batch operations prepare their statement once per call.
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include "storage/delivery_repository.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

class SqliteDeliveryRepository final : public DeliveryRepository {
 public:
  explicit SqliteDeliveryRepository(Connection& connection) : connection_(connection) {}

  Result<std::size_t> InsertAudience(CampaignId campaign, std::span<const AudienceMember> members,
                                     SysTime now) override;
  Result<DeliveryId> InsertSingle(const NewDelivery& delivery, DeliveryState state,
                                  std::string_view reason, SysTime now) override;
  Result<std::vector<ClaimedDelivery>> ClaimDue(std::string_view owner,
                                                std::optional<CampaignId> campaign, SysTime now,
                                                SysTime deadline, std::size_t limit) override;
  Result<std::optional<SysTime>> NextDue(std::optional<CampaignId> campaign) override;
  Result<std::size_t> RenewClaims(std::string_view owner, std::span<const DeliveryId> ids,
                                  SysTime deadline) override;
  Result<std::vector<DeliveryId>> MarkSending(std::string_view owner,
                                              std::span<const SendingMark> marks,
                                              SysTime now) override;
  Result<std::vector<DeliveryId>> RecordOutcomes(std::string_view owner,
                                                 std::span<const DeliveryOutcome> outcomes,
                                                 SysTime now) override;
  Result<std::size_t> ReleaseClaims(std::string_view owner, std::span<const DeliveryId> ids,
                                    SysTime now) override;
  Result<ClaimRecovery> RecoverClaims(std::string_view owner, SysTime now) override;
  Result<std::size_t> FinishQueued(CampaignId campaign, DeliveryState state,
                                   std::string_view reason, SysTime now) override;
  Result<std::vector<AcceptedSend>> AcceptedSince(SysTime since) override;
  Result<std::size_t> RequeueUncertain(CampaignId campaign, std::string_view reason,
                                       SysTime now) override;
  Result<std::size_t> MakeDueNow(std::optional<CampaignId> campaign, std::string_view reason,
                                 SysTime now) override;
  Result<bool> HasUnfinished(CampaignId campaign) override;
  Result<DeliveryCounts> CountByState(std::optional<CampaignId> campaign) override;
  Result<std::vector<EstimateGroup>> EstimateSummary(CampaignId campaign) override;
  Result<std::int64_t> CommittedSpend(CampaignId campaign) override;
  Status Scan(CampaignId campaign, std::optional<DeliveryState> state, DeliveryId after,
              const std::function<bool(const DeliveryRow&)>& row) override;
  Result<std::optional<DeliveryRow>> Find(DeliveryId id) override;
  Result<std::vector<StatusApplied>> ApplyStatuses(std::span<const StatusReport> reports,
                                                   SysTime now, const BilledRate& rate) override;
  Result<std::optional<Replied>> MarkReplied(ContactId contact, std::string_view context_message_id,
                                             std::optional<SenderId> sender, SysTime at,
                                             SysTime since) override;

 private:
  Connection& connection_;
};

}  // namespace herald::storage
