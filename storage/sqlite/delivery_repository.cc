#include "storage/sqlite/delivery_repository.h"

#include <algorithm>
#include <string>
#include <utility>

#include "common/time.h"

namespace herald::storage {
namespace {

// Every claim has an owner: an empty one would match no claim and hide the caller's mistake.
Error NoOwner() {
  return MakeError(ErrorCode::kInvalidArgument, "a claim needs an owner", "owner");
}

}  // namespace

Result<std::vector<ClaimedDelivery>> SqliteDeliveryRepository::ClaimDue(std::string_view owner,
                                                                        SysTime now,
                                                                        SysTime deadline,
                                                                        std::size_t limit) {
  if (owner.empty()) return NoOwner();
  auto claim = connection_.Prepare(
      "UPDATE deliveries SET state = 'claimed', claim_owner = ?1, claim_deadline = ?2, "
      "updated_at = ?3 WHERE id IN (SELECT id FROM deliveries WHERE state = 'queued' AND "
      "not_before <= ?3 ORDER BY not_before, id LIMIT ?4) "
      "RETURNING id, campaign_id, contact_id, sender_id, attempts, not_before");
  if (!claim.ok()) return claim.error();
  claim->Bind(1, owner)
      .Bind(2, ToUnixMillis(deadline))
      .Bind(3, ToUnixMillis(now))
      .Bind(4, static_cast<std::int64_t>(limit));
  std::vector<ClaimedDelivery> claimed;
  for (;;) {
    auto row = claim->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    ClaimedDelivery delivery;
    delivery.id = DeliveryId{claim->ColumnInt(0)};
    if (!claim->ColumnIsNull(1)) delivery.campaign = CampaignId{claim->ColumnInt(1)};
    delivery.contact = ContactId{claim->ColumnInt(2)};
    delivery.sender = SenderId{claim->ColumnInt(3)};
    delivery.attempts = claim->ColumnInt(4);
    delivery.not_before = FromUnixMillis(claim->ColumnInt(5));
    claimed.push_back(delivery);
  }
  // RETURNING gives rows in the order they were changed, not the order of the sub-select.
  std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
    return std::pair(a.not_before, a.id) < std::pair(b.not_before, b.id);
  });
  return claimed;
}

Result<std::size_t> SqliteDeliveryRepository::RenewClaims(std::string_view owner,
                                                          SysTime deadline) {
  if (owner.empty()) return NoOwner();
  auto renew = connection_.Prepare(
      "UPDATE deliveries SET claim_deadline = ?2 WHERE state = 'claimed' AND claim_owner = ?1");
  if (!renew.ok()) return renew.error();
  renew->Bind(1, owner).Bind(2, ToUnixMillis(deadline));
  if (Status run = renew->Run(); !run.ok()) return run.error();
  return static_cast<std::size_t>(connection_.Changes());
}

Status SqliteDeliveryRepository::RecordAttempt(DeliveryId id, std::string_view owner, SysTime now) {
  if (owner.empty()) return NoOwner();
  auto attempt = connection_.Prepare(
      "UPDATE deliveries SET attempts = attempts + 1, updated_at = ?3 "
      "WHERE id = ?1 AND state = 'claimed' AND claim_owner = ?2");
  if (!attempt.ok()) return attempt.error();
  attempt->Bind(1, id.value).Bind(2, owner).Bind(3, ToUnixMillis(now));
  if (Status run = attempt->Run(); !run.ok()) return run;
  if (connection_.Changes() == 0) {
    return MakeError(
        ErrorCode::kNotFound,
        "delivery " + std::to_string(id.value) + " is not claimed by " + std::string(owner),
        "claim_owner");
  }
  return Status::Ok();
}

Result<ClaimRecovery> SqliteDeliveryRepository::Settle(std::string_view where, SysTime now,
                                                       std::string_view owner) {
  ClaimRecovery recovery;
  const std::string requeue =
      "UPDATE deliveries SET state = 'queued', claim_owner = NULL, claim_deadline = NULL, "
      "updated_at = ?1 WHERE state = 'claimed' AND attempts = 0 AND " +
      std::string(where);
  const std::string uncertain =
      "UPDATE deliveries SET state = 'uncertain', reason = 'uncertain:claim_lost', "
      "claim_owner = NULL, claim_deadline = NULL, updated_at = ?1 "
      "WHERE state = 'claimed' AND attempts > 0 AND " +
      std::string(where);
  for (const std::string* sql : {&requeue, &uncertain}) {
    auto statement = connection_.Prepare(*sql);
    if (!statement.ok()) return statement.error();
    statement->Bind(1, ToUnixMillis(now));
    if (owner.empty()) {
      statement->Bind(2, ToUnixMillis(now));
    } else {
      statement->Bind(2, owner);
    }
    if (Status run = statement->Run(); !run.ok()) return run.error();
    (sql == &requeue ? recovery.requeued : recovery.uncertain) =
        static_cast<std::size_t>(connection_.Changes());
  }
  return recovery;
}

Result<ClaimRecovery> SqliteDeliveryRepository::ReleaseClaims(std::string_view owner, SysTime now) {
  if (owner.empty()) return NoOwner();
  return Settle("claim_owner = ?2", now, owner);
}

Result<ClaimRecovery> SqliteDeliveryRepository::RecoverExpiredClaims(SysTime now) {
  return Settle("claim_deadline < ?2", now, "");
}

}  // namespace herald::storage
