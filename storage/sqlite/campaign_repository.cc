#include "storage/sqlite/campaign_repository.h"

#include <algorithm>
#include <boost/json.hpp>
#include <string>

#include "common/time.h"

namespace herald::storage {
namespace {

constexpr std::string_view kColumns =
    "SELECT id, name, segment, content, state, state_reason, start_at, timezone, local_time, "
    "end_by, spend_cap_micros, currency, audience_size, created_by, created_at, updated_at, "
    "started_at, finished_at FROM campaigns ";

std::optional<SysTime> OptionalTime(const Statement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return FromUnixMillis(row.ColumnInt(column));
}

std::optional<std::int64_t> OptionalInt(const Statement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return row.ColumnInt(column);
}

CampaignRecord ReadCampaign(const Statement& row) {
  CampaignRecord campaign;
  campaign.id = CampaignId{row.ColumnInt(0)};
  campaign.name = row.ColumnText(1);
  campaign.segment = row.ColumnText(2);
  campaign.content_json = row.ColumnText(3);
  campaign.state = row.ColumnText(4);
  campaign.state_reason = row.ColumnText(5);
  campaign.start_at = OptionalTime(row, 6);
  campaign.timezone = row.ColumnText(7);
  campaign.local_time = row.ColumnText(8);
  campaign.end_by = OptionalTime(row, 9);
  campaign.spend_cap_micros = OptionalInt(row, 10);
  campaign.currency = row.ColumnText(11);
  campaign.audience_size = OptionalInt(row, 12);
  campaign.created_by = row.ColumnText(13);
  campaign.created_at = FromUnixMillis(row.ColumnInt(14));
  campaign.updated_at = FromUnixMillis(row.ColumnInt(15));
  campaign.started_at = OptionalTime(row, 16);
  campaign.finished_at = OptionalTime(row, 17);
  return campaign;
}

void BindTime(Statement& statement, int index, const std::optional<SysTime>& time) {
  if (time) {
    statement.Bind(index, ToUnixMillis(*time));
  } else {
    statement.BindNull(index);
  }
}

void BindText(Statement& statement, int index, std::string_view text) {
  if (text.empty()) {
    statement.BindNull(index);
  } else {
    statement.Bind(index, text);
  }
}

bool IsFinalState(std::string_view state) {
  return state == "completed" || state == "cancelled" || state == "expired";
}

}  // namespace

Result<CampaignId> SqliteCampaignRepository::Insert(const CampaignRecord& campaign,
                                                    const Change& change) {
  auto insert = connection_.Prepare(
      "INSERT INTO campaigns (name, segment, content, state, state_reason, start_at, timezone, "
      "local_time, end_by, spend_cap_micros, currency, created_by, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13) RETURNING id");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, campaign.name)
      .Bind(2, campaign.segment)
      .Bind(3, campaign.content_json)
      .Bind(4, campaign.state)
      .Bind(11, campaign.currency)
      .Bind(12, change.actor)
      .Bind(13, ToUnixMillis(change.at));
  BindText(*insert, 5, campaign.state_reason);
  BindTime(*insert, 6, campaign.start_at);
  BindText(*insert, 7, campaign.timezone);
  BindText(*insert, 8, campaign.local_time);
  BindTime(*insert, 9, campaign.end_by);
  if (campaign.spend_cap_micros) {
    insert->Bind(10, *campaign.spend_cap_micros);
  } else {
    insert->BindNull(10);
  }
  auto row = insert->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, "INSERT … RETURNING gave no row");
  CampaignId id{insert->ColumnInt(0)};
  if (Status done = insert->Run(); !done.ok()) return done.error();
  auto add_sender = connection_.Prepare(
      "INSERT OR IGNORE INTO campaign_senders (campaign_id, sender_id) VALUES (?1, ?2)");
  if (!add_sender.ok()) return add_sender.error();
  for (SenderId sender : campaign.senders) {
    add_sender->Reset();
    add_sender->Bind(1, id.value).Bind(2, sender.value);
    if (Status added = add_sender->Run(); !added.ok()) return added.error();
  }
  boost::json::object detail{{"name", campaign.name},
                             {"segment", campaign.segment},
                             {"content", boost::json::parse(campaign.content_json)},
                             {"state", campaign.state}};
  if (Status audited =
          audit_.Append({change.at, change.actor, "campaign.create", "campaign",
                         std::to_string(id.value), change.reason, boost::json::serialize(detail)});
      !audited.ok()) {
    return audited.error();
  }
  return id;
}

Status SqliteCampaignRepository::LoadSenders(CampaignRecord& campaign) {
  auto senders = connection_.Prepare(
      "SELECT sender_id FROM campaign_senders WHERE campaign_id = ?1 ORDER BY sender_id");
  if (!senders.ok()) return senders.error();
  senders->Bind(1, campaign.id.value);
  for (;;) {
    auto row = senders->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    campaign.senders.push_back(SenderId{senders->ColumnInt(0)});
  }
  return Status::Ok();
}

Result<std::vector<CampaignRecord>> SqliteCampaignRepository::Select(std::string_view where,
                                                                     std::int64_t id,
                                                                     std::string_view state) {
  auto select = connection_.Prepare(std::string(kColumns) + std::string(where));
  if (!select.ok()) return select.error();
  if (id != 0) select->Bind(1, id);
  if (!state.empty()) select->Bind(1, state);
  std::vector<CampaignRecord> campaigns;
  for (;;) {
    auto row = select->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    campaigns.push_back(ReadCampaign(*select));
  }
  for (CampaignRecord& campaign : campaigns) {
    if (Status loaded = LoadSenders(campaign); !loaded.ok()) return loaded.error();
  }
  return campaigns;
}

Result<std::optional<CampaignRecord>> SqliteCampaignRepository::Find(CampaignId id) {
  auto found = Select("WHERE id = ?1", id.value, "");
  if (!found.ok()) return found.error();
  if (found->empty()) return std::optional<CampaignRecord>();
  return std::optional<CampaignRecord>(std::move(found->front()));
}

Result<std::vector<CampaignRecord>> SqliteCampaignRepository::List(std::string_view state) {
  if (state.empty()) return Select("ORDER BY id DESC", 0, "");
  return Select("WHERE state = ?1 ORDER BY id DESC", 0, state);
}

Status SqliteCampaignRepository::Transition(CampaignId id, std::span<const std::string_view> from,
                                            std::string_view to, const Change& change) {
  auto current = connection_.Prepare("SELECT state FROM campaigns WHERE id = ?1");
  if (!current.ok()) return current.error();
  current->Bind(1, id.value);
  auto row = current->Step();
  if (!row.ok()) return row.error();
  if (!*row) {
    return MakeError(ErrorCode::kNotFound, "no campaign " + std::to_string(id.value), "id");
  }
  const std::string state = current->ColumnText(0);
  if (std::find(from.begin(), from.end(), state) == from.end()) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "campaign " + std::to_string(id.value) + " is " + state + "; cannot become " +
                         std::string(to),
                     "state");
  }
  auto update = connection_.Prepare(
      "UPDATE campaigns SET state = ?2, state_reason = ?3, updated_at = ?4, "
      "started_at = CASE WHEN ?2 = 'running' THEN coalesce(started_at, ?4) ELSE started_at END, "
      "finished_at = CASE WHEN ?5 THEN ?4 ELSE finished_at END WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->Bind(1, id.value)
      .Bind(2, to)
      .Bind(4, ToUnixMillis(change.at))
      .Bind(5, std::int64_t{IsFinalState(to) ? 1 : 0});
  BindText(*update, 3, change.reason);
  if (Status updated = update->Run(); !updated.ok()) return updated;
  boost::json::object detail{{"from", state}, {"to", to}};
  return audit_.Append({change.at, change.actor, "campaign." + std::string(to), "campaign",
                        std::to_string(id.value), change.reason, boost::json::serialize(detail)});
}

Status SqliteCampaignRepository::SetAudienceSize(CampaignId id, std::int64_t size, SysTime now) {
  auto update =
      connection_.Prepare("UPDATE campaigns SET audience_size = ?2, updated_at = ?3 WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->Bind(1, id.value).Bind(2, size).Bind(3, ToUnixMillis(now));
  return update->Run();
}

}  // namespace herald::storage
