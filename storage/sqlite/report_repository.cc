#include "storage/sqlite/report_repository.h"

#include <utility>

#include "common/time.h"

namespace herald::storage {
namespace {

constexpr std::int64_t kMillisPerDay = 86'400'000;

std::optional<SysTime> OptionalTime(const Statement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return FromUnixMillis(row.ColumnInt(column));
}

// Steps `query` to its end, handing each row to `read`.
template <typename Read>
Status EachRow(Statement& query, Read read) {
  for (;;) {
    auto row = query.Step();
    if (!row.ok()) return row.error();
    if (!*row) return Status::Ok();
    read(query);
  }
}

}  // namespace

Result<std::vector<CostGroup>> SqliteReportRepository::CostGroups(CampaignId campaign) {
  auto query = connection_.Prepare(
      "SELECT state, coalesce(estimate_category, ''), coalesce(estimate_basis, ''), "
      "  pricing_billable, coalesce(pricing_category, ''), coalesce(pricing_type, ''), "
      "  actual_cost_micros IS NOT NULL, "
      "  actual_cost_micros IS NOT NULL AND actual_cost_micros = coalesce(estimated_cost_micros, "
      "0),"
      "  count(*), coalesce(sum(estimated_cost_micros), 0), coalesce(sum(actual_cost_micros), 0), "
      "  min(sent_at), max(sent_at), min(id) "
      "FROM deliveries WHERE campaign_id = ?1 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8");
  if (!query.ok()) return query.error();
  query->Bind(1, campaign.value);
  std::vector<CostGroup> groups;
  const Status read = EachRow(*query, [&groups](const Statement& row) {
    CostGroup group;
    group.state = ParseDeliveryState(row.ColumnText(0)).value_or(DeliveryState::kQueued);
    group.estimate_category = row.ColumnText(1);
    group.estimate_basis = row.ColumnText(2);
    if (!row.ColumnIsNull(3)) group.billable = row.ColumnInt(3) != 0;
    group.pricing_category = row.ColumnText(4);
    group.pricing_type = row.ColumnText(5);
    group.actual_known = row.ColumnInt(6) != 0;
    group.actual_matches = row.ColumnInt(7) != 0;
    group.count = row.ColumnInt(8);
    group.estimate_micros = row.ColumnInt(9);
    group.actual_micros = row.ColumnInt(10);
    group.first_sent = OptionalTime(row, 11);
    group.last_sent = OptionalTime(row, 12);
    group.example = DeliveryId{row.ColumnInt(13)};
    groups.push_back(std::move(group));
  });
  if (!read.ok()) return read.error();
  return groups;
}

Result<std::vector<FunnelGroup>> SqliteReportRepository::FunnelGroups(CampaignId campaign) {
  auto query = connection_.Prepare(
      "SELECT sent_at / ?2, state, coalesce(reason, ''), error_code, count(*), count(sent_at), "
      "  sum(delivered_at IS NOT NULL OR read_at IS NOT NULL), count(read_at), "
      "  count(replied_at), coalesce(sum(estimated_cost_micros), 0), "
      "  coalesce(sum(actual_cost_micros), 0), "
      "  sum(state IN ('delivered', 'read') AND actual_cost_micros IS NULL) "
      "FROM deliveries WHERE campaign_id = ?1 GROUP BY 1, 2, 3, 4");
  if (!query.ok()) return query.error();
  query->Bind(1, campaign.value).Bind(2, kMillisPerDay);
  std::vector<FunnelGroup> groups;
  const Status read = EachRow(*query, [&groups](const Statement& row) {
    FunnelGroup group;
    if (!row.ColumnIsNull(0)) group.day = row.ColumnInt(0);
    group.state = ParseDeliveryState(row.ColumnText(1)).value_or(DeliveryState::kQueued);
    group.reason = row.ColumnText(2);
    if (!row.ColumnIsNull(3)) group.error_code = row.ColumnInt(3);
    group.count = row.ColumnInt(4);
    group.sent = row.ColumnInt(5);
    group.delivered = row.ColumnInt(6);
    group.read = row.ColumnInt(7);
    group.replied = row.ColumnInt(8);
    group.estimate_micros = row.ColumnInt(9);
    group.actual_micros = row.ColumnInt(10);
    group.actual_unknown = row.ColumnInt(11);
    groups.push_back(std::move(group));
  });
  if (!read.ok()) return read.error();
  return groups;
}

Result<std::vector<OptOutDay>> SqliteReportRepository::OptOutsAfter(CampaignId campaign) {
  // From the (few) contacts who opted out to their delivery of the campaign, by its unique
  // (campaign, contact) index.
  auto query = connection_.Prepare(
      "SELECT d.sent_at / ?2, count(*) FROM contacts c "
      "JOIN deliveries d ON d.campaign_id = ?1 AND d.contact_id = c.id "
      "WHERE c.opted_out_at IS NOT NULL AND d.sent_at IS NOT NULL AND c.opted_out_at >= d.sent_at "
      "GROUP BY 1 ORDER BY 1");
  if (!query.ok()) return query.error();
  query->Bind(1, campaign.value).Bind(2, kMillisPerDay);
  std::vector<OptOutDay> days;
  const Status read = EachRow(*query, [&days](const Statement& row) {
    days.push_back(OptOutDay{row.ColumnInt(0), row.ColumnInt(1)});
  });
  if (!read.ok()) return read.error();
  return days;
}

Result<std::vector<MonthGroup>> SqliteReportRepository::SentBetween(SysTime from, SysTime to) {
  auto query = connection_.Prepare(
      "SELECT d.campaign_id, coalesce(cp.name, ''), count(*), "
      "  sum(d.delivered_at IS NOT NULL OR d.read_at IS NOT NULL), count(d.read_at), "
      "  count(d.replied_at), sum(d.state = 'failed'), "
      "  sum(coalesce(c.opted_out_at >= d.sent_at, 0)), "
      "  coalesce(sum(d.estimated_cost_micros), 0), coalesce(sum(d.actual_cost_micros), 0), "
      "  sum(d.state IN ('delivered', 'read') AND d.actual_cost_micros IS NULL) "
      "FROM deliveries d LEFT JOIN campaigns cp ON cp.id = d.campaign_id "
      "LEFT JOIN contacts c ON c.id = d.contact_id "
      "WHERE d.sent_at >= ?1 AND d.sent_at < ?2 GROUP BY d.campaign_id ORDER BY d.campaign_id");
  if (!query.ok()) return query.error();
  query->Bind(1, ToUnixMillis(from)).Bind(2, ToUnixMillis(to));
  std::vector<MonthGroup> groups;
  const Status read = EachRow(*query, [&groups](const Statement& row) {
    MonthGroup group;
    if (!row.ColumnIsNull(0)) group.campaign = CampaignId{row.ColumnInt(0)};
    group.campaign_name = row.ColumnText(1);
    group.sent = row.ColumnInt(2);
    group.delivered = row.ColumnInt(3);
    group.read = row.ColumnInt(4);
    group.replied = row.ColumnInt(5);
    group.failed = row.ColumnInt(6);
    group.opted_out = row.ColumnInt(7);
    group.estimate_micros = row.ColumnInt(8);
    group.actual_micros = row.ColumnInt(9);
    group.actual_unknown = row.ColumnInt(10);
    groups.push_back(std::move(group));
  });
  if (!read.ok()) return read.error();
  return groups;
}

}  // namespace herald::storage
