// storage/delivery_repository.h: claiming delivery work. A claim is a state change with an owner
// and a deadline, even while one process is the only claimant, so that several heraldd instances
// can later share one database (PRODUCT.md, "Beyond one machine"): an instance takes a batch of
// due deliveries, works on them until its deadline, renews the claim while it is alive, and a
// claim whose owner died expires and is recovered by whoever looks next.
//
// A claimed delivery that was never handed to the provider (attempts == 0) goes back to the
// queue when its claim expires; one that was (attempts > 0) becomes 'uncertain': it may have been
// sent, and only a status webhook or a reconciliation may settle it. So no delivery is ever sent
// twice and none is forgotten.
//
// Every call that takes an `owner` refuses an empty one (kInvalidArgument, field "owner").
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"

namespace herald::storage {

struct ClaimedDelivery {
  DeliveryId id;
  std::optional<CampaignId> campaign;  // empty for a single message
  ContactId contact;
  SenderId sender;
  std::int64_t attempts = 0;  // hand-overs to the provider so far
  SysTime not_before;
};

struct ClaimRecovery {
  std::size_t requeued = 0;   // never handed to the provider: queued again
  std::size_t uncertain = 0;  // possibly sent: left for a status webhook or reconciliation
};

class DeliveryRepository {
 public:
  virtual ~DeliveryRepository() = default;

  // Claims up to `limit` queued deliveries that are due (not_before <= now), earliest first, for
  // `owner` until `deadline`. Deliveries claimed by someone else are never returned.
  virtual Result<std::vector<ClaimedDelivery>> ClaimDue(std::string_view owner, SysTime now,
                                                        SysTime deadline, std::size_t limit) = 0;
  // Moves the deadline of every claim `owner` holds; returns how many it holds.
  virtual Result<std::size_t> RenewClaims(std::string_view owner, SysTime deadline) = 0;
  // Counts a hand-over to the provider; the delivery must be claimed by `owner` (kNotFound
  // otherwise: the claim expired and may belong to someone else now).
  virtual Status RecordAttempt(DeliveryId id, std::string_view owner, SysTime now) = 0;
  // Gives back every claim `owner` holds on deliveries never handed to the provider (a clean
  // stop); those with attempts become 'uncertain'.
  virtual Result<ClaimRecovery> ReleaseClaims(std::string_view owner, SysTime now) = 0;
  // Recovers claims whose deadline passed before `now`, whoever held them.
  virtual Result<ClaimRecovery> RecoverExpiredClaims(SysTime now) = 0;
};

}  // namespace herald::storage
