#include "storage/sqlite/delivery_repository.h"

#include <algorithm>
#include <string>
#include <utility>

#include "common/time.h"

namespace herald::storage {
namespace {

constexpr std::string_view kStateNames[kDeliveryStateCount] = {
    "queued",  "sending", "sent",    "delivered", "read",     "failed",
    "skipped", "blocked", "expired", "uncertain", "cancelled"};

// Every claim has an owner: an empty one would match no claim and hide the caller's mistake.
Error NoOwner() {
  return MakeError(ErrorCode::kInvalidArgument, "a claim needs an owner", "owner");
}

// "campaign_id = ?N" or "campaign_id IS NULL" (single messages), so the index serves both.
std::string CampaignClause(const std::optional<CampaignId>& campaign, int parameter) {
  return campaign ? "campaign_id = ?" + std::to_string(parameter) : "campaign_id IS NULL";
}

void BindOptional(Statement& statement, int index, const std::optional<std::int64_t>& value) {
  if (value) {
    statement.Bind(index, *value);
  } else {
    statement.BindNull(index);
  }
}

std::optional<SysTime> OptionalTime(const Statement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return FromUnixMillis(row.ColumnInt(column));
}

constexpr std::string_view kRowColumns =
    "SELECT d.id, d.contact_id, c.phone_e164, s.phone_number_id, d.state, d.reason, "
    "d.error_code, d.attempts, d.provider_message_id, d.not_before, d.updated_at, d.sent_at, "
    "d.delivered_at, d.read_at FROM deliveries d JOIN contacts c ON c.id = d.contact_id "
    "LEFT JOIN senders s ON s.id = d.sender_id ";

DeliveryRow ReadRow(const Statement& row) {
  DeliveryRow out;
  out.id = DeliveryId{row.ColumnInt(0)};
  out.contact = ContactId{row.ColumnInt(1)};
  out.phone_e164 = row.ColumnText(2);
  out.sender = row.ColumnText(3);
  out.state = ParseDeliveryState(row.ColumnText(4)).value_or(DeliveryState::kQueued);
  out.reason = row.ColumnText(5);
  if (!row.ColumnIsNull(6)) out.error_code = row.ColumnInt(6);
  out.attempts = row.ColumnInt(7);
  out.provider_message_id = row.ColumnText(8);
  out.not_before = FromUnixMillis(row.ColumnInt(9));
  out.updated_at = FromUnixMillis(row.ColumnInt(10));
  out.sent_at = OptionalTime(row, 11);
  out.delivered_at = OptionalTime(row, 12);
  out.read_at = OptionalTime(row, 13);
  return out;
}

}  // namespace

std::string_view DeliveryStateName(DeliveryState state) {
  return kStateNames[static_cast<std::size_t>(state)];
}

std::optional<DeliveryState> ParseDeliveryState(std::string_view name) {
  for (std::size_t i = 0; i < kDeliveryStateCount; ++i) {
    if (kStateNames[i] == name) return static_cast<DeliveryState>(i);
  }
  return std::nullopt;
}

bool IsFinal(DeliveryState state) {
  return state != DeliveryState::kQueued && state != DeliveryState::kSending;
}

Result<std::size_t> SqliteDeliveryRepository::InsertAudience(
    CampaignId campaign, std::span<const AudienceMember> members, SysTime now) {
  auto insert = connection_.Prepare(
      "INSERT INTO deliveries (campaign_id, contact_id, state, not_before, created_at, "
      "updated_at, estimated_cost_micros, estimate_basis, estimate_category) "
      "VALUES (?1, ?2, 'queued', ?3, ?4, ?4, ?5, nullif(?6, ''), nullif(?7, '')) "
      "ON CONFLICT (campaign_id, contact_id) DO NOTHING");
  if (!insert.ok()) return insert.error();
  std::size_t inserted = 0;
  for (const AudienceMember& member : members) {
    insert->Reset();
    insert->Bind(1, campaign.value)
        .Bind(2, member.contact.value)
        .Bind(3, ToUnixMillis(member.not_before))
        .Bind(4, ToUnixMillis(now))
        .Bind(6, member.estimate_basis)
        .Bind(7, member.estimate_category);
    if (member.estimated_cost_micros) {
      insert->Bind(5, *member.estimated_cost_micros);
    } else {
      insert->BindNull(5);
    }
    if (Status run = insert->Run(); !run.ok()) return run.error();
    inserted += static_cast<std::size_t>(connection_.Changes());
  }
  return inserted;
}

Result<DeliveryId> SqliteDeliveryRepository::InsertSingle(const NewDelivery& delivery,
                                                          DeliveryState state,
                                                          std::string_view reason, SysTime now) {
  auto insert = connection_.Prepare(
      "INSERT INTO deliveries (campaign_id, contact_id, sender_id, state, not_before, message, "
      "estimated_cost_micros, created_at, updated_at, reason) VALUES (NULL, ?1, ?2, ?7, ?3, ?4, "
      "?5, ?6, ?6, nullif(?8, '')) RETURNING id");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, delivery.contact.value)
      .Bind(3, ToUnixMillis(delivery.not_before))
      .Bind(4, delivery.message_json)
      .Bind(6, ToUnixMillis(now))
      .Bind(7, DeliveryStateName(state))
      .Bind(8, reason);
  BindOptional(
      *insert, 2,
      delivery.sender ? std::optional<std::int64_t>(delivery.sender->value) : std::nullopt);
  BindOptional(*insert, 5, delivery.estimated_cost_micros);
  auto row = insert->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, "INSERT … RETURNING gave no row");
  DeliveryId id{insert->ColumnInt(0)};
  if (Status done = insert->Run(); !done.ok()) return done.error();
  return id;
}

Result<std::vector<ClaimedDelivery>> SqliteDeliveryRepository::ClaimDue(
    std::string_view owner, std::optional<CampaignId> campaign, SysTime now, SysTime deadline,
    std::size_t limit) {
  if (owner.empty()) return NoOwner();
  auto claim = connection_.Prepare(
      "UPDATE deliveries SET claim_owner = ?1, claim_deadline = ?2, updated_at = ?3 "
      "WHERE id IN (SELECT id FROM deliveries WHERE " +
      CampaignClause(campaign, 5) +
      " AND state = 'queued' AND not_before <= ?3 AND claim_owner IS NULL "
      "ORDER BY not_before LIMIT ?4) "
      "RETURNING id, campaign_id, contact_id, sender_id, attempts, not_before, message, "
      "coalesce(estimated_cost_micros, 0)");
  if (!claim.ok()) return claim.error();
  claim->Bind(1, owner)
      .Bind(2, ToUnixMillis(deadline))
      .Bind(3, ToUnixMillis(now))
      .Bind(4, static_cast<std::int64_t>(limit));
  if (campaign) claim->Bind(5, campaign->value);
  std::vector<ClaimedDelivery> claimed;
  for (;;) {
    auto row = claim->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    ClaimedDelivery delivery;
    delivery.id = DeliveryId{claim->ColumnInt(0)};
    if (!claim->ColumnIsNull(1)) delivery.campaign = CampaignId{claim->ColumnInt(1)};
    delivery.contact = ContactId{claim->ColumnInt(2)};
    if (!claim->ColumnIsNull(3)) delivery.sender = SenderId{claim->ColumnInt(3)};
    delivery.attempts = claim->ColumnInt(4);
    delivery.not_before = FromUnixMillis(claim->ColumnInt(5));
    delivery.message_json = claim->ColumnText(6);
    delivery.estimated_cost_micros = claim->ColumnInt(7);
    claimed.push_back(std::move(delivery));
  }
  // RETURNING gives rows in the order they were changed, not the order of the sub-select.
  std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
    return std::pair(a.not_before, a.id) < std::pair(b.not_before, b.id);
  });
  return claimed;
}

Result<std::optional<SysTime>> SqliteDeliveryRepository::NextDue(
    std::optional<CampaignId> campaign) {
  auto next = connection_.Prepare("SELECT min(not_before) FROM deliveries WHERE " +
                                  CampaignClause(campaign, 1) +
                                  " AND state = 'queued' AND claim_owner IS NULL");
  if (!next.ok()) return next.error();
  if (campaign) next->Bind(1, campaign->value);
  auto row = next->Step();
  if (!row.ok()) return row.error();
  if (!*row || next->ColumnIsNull(0)) return std::optional<SysTime>();
  return std::optional<SysTime>(FromUnixMillis(next->ColumnInt(0)));
}

Result<std::size_t> SqliteDeliveryRepository::RenewClaims(std::string_view owner,
                                                          std::span<const DeliveryId> ids,
                                                          SysTime deadline) {
  if (owner.empty()) return NoOwner();
  auto renew = connection_.Prepare(
      "UPDATE deliveries SET claim_deadline = ?2 WHERE id = ?3 AND claim_owner = ?1");
  if (!renew.ok()) return renew.error();
  std::size_t held = 0;
  for (DeliveryId id : ids) {
    renew->Reset();
    renew->Bind(1, owner).Bind(2, ToUnixMillis(deadline)).Bind(3, id.value);
    if (Status run = renew->Run(); !run.ok()) return run.error();
    held += static_cast<std::size_t>(connection_.Changes());
  }
  return held;
}

Result<std::vector<DeliveryId>> SqliteDeliveryRepository::MarkSending(
    std::string_view owner, std::span<const SendingMark> marks, SysTime now) {
  if (owner.empty()) return NoOwner();
  auto mark = connection_.Prepare(
      "UPDATE deliveries SET state = 'sending', sender_id = ?3, attempts = attempts + 1, "
      "updated_at = ?4 WHERE id = ?1 AND claim_owner = ?2 AND state = 'queued'");
  if (!mark.ok()) return mark.error();
  std::vector<DeliveryId> lost;
  for (const SendingMark& sending : marks) {
    mark->Reset();
    mark->Bind(1, sending.id.value)
        .Bind(2, owner)
        .Bind(3, sending.sender.value)
        .Bind(4, ToUnixMillis(now));
    if (Status run = mark->Run(); !run.ok()) return run.error();
    if (connection_.Changes() == 0) lost.push_back(sending.id);
  }
  return lost;
}

Result<std::vector<DeliveryId>> SqliteDeliveryRepository::RecordOutcomes(
    std::string_view owner, std::span<const DeliveryOutcome> outcomes, SysTime now) {
  if (owner.empty()) return NoOwner();
  // A retry gives the claim back; any other outcome is final for this owner, so the claim goes.
  auto record = connection_.Prepare(
      "UPDATE deliveries SET state = ?3, reason = ?4, error_code = ?5, "
      "provider_message_id = ?6, not_before = coalesce(?7, not_before), updated_at = ?8, "
      "sent_at = CASE WHEN ?3 = 'sent' THEN ?8 ELSE sent_at END, "
      "claim_owner = NULL, claim_deadline = NULL "
      "WHERE id = ?1 AND claim_owner = ?2 AND state IN ('queued', 'sending')");
  if (!record.ok()) return record.error();
  std::vector<DeliveryId> lost;
  for (const DeliveryOutcome& outcome : outcomes) {
    record->Reset();
    record->Bind(1, outcome.id.value)
        .Bind(2, owner)
        .Bind(3, DeliveryStateName(outcome.state))
        .Bind(8, ToUnixMillis(now));
    if (outcome.reason.empty()) {
      record->BindNull(4);
    } else {
      record->Bind(4, outcome.reason);
    }
    BindOptional(*record, 5, outcome.error_code);
    if (outcome.provider_message_id.empty()) {
      record->BindNull(6);
    } else {
      record->Bind(6, outcome.provider_message_id);
    }
    BindOptional(*record, 7,
                 outcome.not_before ? std::optional<std::int64_t>(ToUnixMillis(*outcome.not_before))
                                    : std::nullopt);
    if (Status run = record->Run(); !run.ok()) return run.error();
    if (connection_.Changes() == 0) lost.push_back(outcome.id);
  }
  return lost;
}

Result<std::size_t> SqliteDeliveryRepository::ReleaseClaims(std::string_view owner,
                                                            std::span<const DeliveryId> ids,
                                                            SysTime now) {
  if (owner.empty()) return NoOwner();
  auto release = connection_.Prepare(
      "UPDATE deliveries SET claim_owner = NULL, claim_deadline = NULL, updated_at = ?3 "
      "WHERE id = ?1 AND claim_owner = ?2 AND state = 'queued'");
  if (!release.ok()) return release.error();
  std::size_t released = 0;
  for (DeliveryId id : ids) {
    release->Reset();
    release->Bind(1, id.value).Bind(2, owner).Bind(3, ToUnixMillis(now));
    if (Status run = release->Run(); !run.ok()) return run.error();
    released += static_cast<std::size_t>(connection_.Changes());
  }
  return released;
}

Result<ClaimRecovery> SqliteDeliveryRepository::RecoverClaims(std::string_view owner, SysTime now) {
  // Whose claims: everyone's but `owner`, or (no owner) those whose deadline passed.
  const std::string whose =
      owner.empty() ? "claim_deadline < ?2" : "claim_owner IS NOT NULL AND claim_owner <> ?2";
  const std::string requeue =
      "UPDATE deliveries SET claim_owner = NULL, claim_deadline = NULL, updated_at = ?1 "
      "WHERE claim_owner IS NOT NULL AND state = 'queued' AND " +
      whose;
  const std::string uncertain =
      "UPDATE deliveries SET state = 'uncertain', reason = 'uncertain:claim_lost', "
      "claim_owner = NULL, claim_deadline = NULL, updated_at = ?1 "
      "WHERE claim_owner IS NOT NULL AND state = 'sending' AND " +
      whose;
  ClaimRecovery recovery;
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

Result<std::size_t> SqliteDeliveryRepository::FinishQueued(CampaignId campaign, DeliveryState state,
                                                           std::string_view reason, SysTime now) {
  auto finish = connection_.Prepare(
      "UPDATE deliveries SET state = ?2, reason = ?3, updated_at = ?4, claim_owner = NULL, "
      "claim_deadline = NULL WHERE campaign_id = ?1 AND state = 'queued'");
  if (!finish.ok()) return finish.error();
  finish->Bind(1, campaign.value)
      .Bind(2, DeliveryStateName(state))
      .Bind(3, reason)
      .Bind(4, ToUnixMillis(now));
  if (Status run = finish->Run(); !run.ok()) return run.error();
  return static_cast<std::size_t>(connection_.Changes());
}

Result<std::vector<AcceptedSend>> SqliteDeliveryRepository::AcceptedSince(SysTime since) {
  auto select = connection_.Prepare(
      "SELECT sender_id, contact_id, sent_at FROM deliveries WHERE sent_at >= ?1 AND "
      "sender_id IS NOT NULL AND state IN ('sent', 'delivered', 'read')");
  if (!select.ok()) return select.error();
  select->Bind(1, ToUnixMillis(since));
  std::vector<AcceptedSend> sends;
  for (;;) {
    auto row = select->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    sends.push_back({SenderId{select->ColumnInt(0)}, ContactId{select->ColumnInt(1)},
                     FromUnixMillis(select->ColumnInt(2))});
  }
  return sends;
}

Result<std::size_t> SqliteDeliveryRepository::RequeueUncertain(CampaignId campaign,
                                                               std::string_view reason,
                                                               SysTime now) {
  auto requeue = connection_.Prepare(
      "UPDATE deliveries SET state = 'queued', reason = ?2, not_before = ?3, updated_at = ?3, "
      "claim_owner = NULL, claim_deadline = NULL WHERE campaign_id = ?1 AND state = 'uncertain'");
  if (!requeue.ok()) return requeue.error();
  requeue->Bind(1, campaign.value).Bind(2, reason).Bind(3, ToUnixMillis(now));
  if (Status run = requeue->Run(); !run.ok()) return run.error();
  return static_cast<std::size_t>(connection_.Changes());
}

Result<std::size_t> SqliteDeliveryRepository::MakeDueNow(std::optional<CampaignId> campaign,
                                                         std::string_view reason, SysTime now) {
  auto due = connection_.Prepare(
      "UPDATE deliveries SET not_before = ?2, updated_at = ?2 WHERE " +
      CampaignClause(campaign, 3) +
      " AND state = 'queued' AND claim_owner IS NULL AND not_before > ?2 AND reason = ?1");
  if (!due.ok()) return due.error();
  due->Bind(1, reason).Bind(2, ToUnixMillis(now));
  if (campaign) due->Bind(3, campaign->value);
  if (Status run = due->Run(); !run.ok()) return run.error();
  return static_cast<std::size_t>(connection_.Changes());
}

Result<bool> SqliteDeliveryRepository::HasUnfinished(CampaignId campaign) {
  auto any = connection_.Prepare(
      "SELECT EXISTS (SELECT 1 FROM deliveries WHERE campaign_id = ?1 AND state = 'queued') OR "
      "EXISTS (SELECT 1 FROM deliveries WHERE campaign_id = ?1 AND state = 'sending')");
  if (!any.ok()) return any.error();
  any->Bind(1, campaign.value);
  auto row = any->Step();
  if (!row.ok()) return row.error();
  return *row && any->ColumnInt(0) != 0;
}

Result<DeliveryCounts> SqliteDeliveryRepository::CountByState(std::optional<CampaignId> campaign) {
  auto count = connection_.Prepare("SELECT state, count(*) FROM deliveries WHERE " +
                                   CampaignClause(campaign, 1) + " GROUP BY state");
  if (!count.ok()) return count.error();
  if (campaign) count->Bind(1, campaign->value);
  DeliveryCounts counts{};
  for (;;) {
    auto row = count->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    if (auto state = ParseDeliveryState(count->ColumnText(0))) {
      counts[static_cast<std::size_t>(*state)] = count->ColumnInt(1);
    }
  }
  return counts;
}

Result<std::vector<EstimateGroup>> SqliteDeliveryRepository::EstimateSummary(CampaignId campaign) {
  auto summary = connection_.Prepare(
      "SELECT coalesce(c.country, ''), refused, "
      "  CASE WHEN refused THEN coalesce(nullif(d.reason, ''), d.state) ELSE d.state END, "
      "  CASE WHEN refused THEN '' ELSE coalesce(d.estimate_category, '') END, "
      "  CASE WHEN refused THEN '' ELSE coalesce(d.estimate_basis, '') END, "
      "  count(*), sum(CASE WHEN refused THEN 0 ELSE coalesce(d.estimated_cost_micros, 0) END) "
      "FROM (SELECT *, state IN ('skipped', 'blocked', 'cancelled', 'expired') AS refused "
      "      FROM deliveries WHERE campaign_id = ?1) d "
      "LEFT JOIN contacts c ON c.id = d.contact_id "
      "GROUP BY 1, 2, 3, 4, 5");
  if (!summary.ok()) return summary.error();
  summary->Bind(1, campaign.value);
  std::vector<EstimateGroup> groups;
  for (;;) {
    auto row = summary->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    EstimateGroup group;
    group.country = summary->ColumnText(0);
    group.refused = summary->ColumnInt(1) != 0;
    group.reason = summary->ColumnText(2);
    group.category = summary->ColumnText(3);
    group.basis = summary->ColumnText(4);
    group.count = summary->ColumnInt(5);
    group.cost_micros = summary->ColumnInt(6);
    groups.push_back(std::move(group));
  }
  return groups;
}

Result<std::int64_t> SqliteDeliveryRepository::CommittedSpend(CampaignId campaign) {
  auto sum = connection_.Prepare(
      "SELECT coalesce(sum(estimated_cost_micros), 0) FROM deliveries WHERE campaign_id = ?1 "
      "AND state IN ('sending', 'sent', 'delivered', 'read', 'uncertain')");
  if (!sum.ok()) return sum.error();
  sum->Bind(1, campaign.value);
  auto row = sum->Step();
  if (!row.ok()) return row.error();
  return *row ? sum->ColumnInt(0) : std::int64_t{0};
}

Status SqliteDeliveryRepository::Scan(CampaignId campaign, std::optional<DeliveryState> state,
                                      DeliveryId after,
                                      const std::function<bool(const DeliveryRow&)>& row) {
  auto scan =
      connection_.Prepare(std::string(kRowColumns) + "WHERE d.campaign_id = ?1 AND d.id > ?2" +
                          (state ? " AND d.state = ?3" : "") + " ORDER BY d.id");
  if (!scan.ok()) return scan.error();
  scan->Bind(1, campaign.value).Bind(2, after.value);
  if (state) scan->Bind(3, DeliveryStateName(*state));
  for (;;) {
    auto step = scan->Step();
    if (!step.ok()) return step.error();
    if (!*step || !row(ReadRow(*scan))) break;
  }
  return Status::Ok();
}

Result<std::optional<DeliveryRow>> SqliteDeliveryRepository::Find(DeliveryId id) {
  auto find = connection_.Prepare(std::string(kRowColumns) + "WHERE d.id = ?1");
  if (!find.ok()) return find.error();
  find->Bind(1, id.value);
  auto row = find->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<DeliveryRow>();
  return std::optional<DeliveryRow>(ReadRow(*find));
}

}  // namespace herald::storage
