#include "storage/sqlite/report_repository.h"

#include <array>
#include <functional>
#include <limits>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/time.h"

namespace herald::storage {
namespace {

constexpr std::int64_t kMillisPerDay = 86'400'000;

}  // namespace

Status SqliteReportRepository::ScanCampaignRows(CampaignId campaign, std::string_view columns,
                                                const std::function<void(const Statement&)>& row) {
  auto span = connection_.Prepare("SELECT min(id), max(id) FROM deliveries WHERE campaign_id = ?1");
  if (!span.ok()) return span.error();
  span->Bind(1, campaign.value);
  auto found = span->Step();
  if (!found.ok()) return found.error();
  if (!*found || span->ColumnIsNull(0)) return Status::Ok();
  auto query = connection_.Prepare("SELECT " + std::string(columns) +
                                   " FROM deliveries WHERE id BETWEEN ?2 AND ?3 AND "
                                   "+campaign_id = ?1");
  if (!query.ok()) return query.error();
  query->Bind(1, campaign.value).Bind(2, span->ColumnInt(0)).Bind(3, span->ColumnInt(1));
  return ForEachRow(*query, row);
}

namespace {

struct FunnelKey {
  std::int64_t day;
  std::int64_t error;
  std::uint32_t reason;
  DeliveryState state;
  bool operator==(const FunnelKey&) const = default;
};

struct FunnelKeyHash {
  std::size_t operator()(const FunnelKey& key) const {
    std::size_t hash = std::hash<std::int64_t>()(key.day);
    hash = hash * 31 + std::hash<std::int64_t>()(key.error);
    hash = hash * 31 + key.reason;
    return hash * 31 + static_cast<std::size_t>(key.state);
  }
};

struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>()(text);
  }
};

constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min();

// Small numbers for the few distinct texts of a column (reasons, categories, types).
class Interner {
 public:
  std::uint32_t Of(std::string_view text) {
    auto found = index_.find(text);
    if (found == index_.end()) {
      found = index_.emplace(std::string(text), static_cast<std::uint32_t>(texts_.size())).first;
      texts_.emplace_back(text);
    }
    return found->second;
  }
  const std::string& operator[](std::uint32_t index) const { return texts_[index]; }

 private:
  std::vector<std::string> texts_;
  std::unordered_map<std::string, std::uint32_t, TextHash, std::equal_to<>> index_;
};

struct CostKey {
  std::array<std::uint32_t, 4> texts;  // estimate category, basis, pricing category, type
  DeliveryState state;
  std::int8_t billable;  // -1: not reported
  bool known;
  bool matches;
  bool operator==(const CostKey&) const = default;
};

struct CostKeyHash {
  std::size_t operator()(const CostKey& key) const {
    std::size_t hash = static_cast<std::size_t>(key.state);
    for (std::uint32_t text : key.texts) hash = hash * 31 + text;
    return ((hash * 31 + static_cast<std::size_t>(key.billable + 1)) * 2 + key.known) * 2 +
           key.matches;
  }
};

}  // namespace

// The campaign's rows lie between its lowest and highest delivery id (its audience is written in
// one go, so few rows of others are in between): that stretch of the table is read in rowid order,
// one sequential pass, and summed here. A GROUP BY in SQL sorted every row in a temporary B-tree
// and read the table through the index: about four times slower on a million deliveries.
Result<std::vector<FunnelGroup>> SqliteReportRepository::FunnelGroups(CampaignId campaign) {
  std::unordered_map<FunnelKey, FunnelGroup, FunnelKeyHash> groups;
  Interner reasons;
  const Status read = ScanCampaignRows(
      campaign,
      "sent_at, state, reason, error_code, delivered_at IS NOT NULL OR read_at IS NOT NULL, "
      "read_at IS NOT NULL, replied_at IS NOT NULL, estimated_cost_micros, actual_cost_micros",
      [&](const Statement& row) {
        FunnelKey key;
        key.day = row.ColumnIsNull(0) ? kNone : row.ColumnInt(0) / kMillisPerDay;
        key.state = ParseDeliveryState(row.ColumnView(1)).value_or(DeliveryState::kQueued);
        key.reason = reasons.Of(row.ColumnView(2));
        key.error = row.ColumnIsNull(3) ? kNone : row.ColumnInt(3);
        FunnelGroup& group = groups[key];
        ++group.count;
        group.sent += key.day != kNone;
        group.delivered += row.ColumnInt(4);
        group.read += row.ColumnInt(5);
        group.replied += row.ColumnInt(6);
        group.estimate_micros += row.ColumnInt(7);
        if (row.ColumnIsNull(8)) {
          group.actual_unknown +=
              key.state == DeliveryState::kDelivered || key.state == DeliveryState::kRead;
        } else {
          group.actual_micros += row.ColumnInt(8);
        }
      });
  if (!read.ok()) return read.error();
  // Deliveries retention summed away (delivery_aggregates), in the same groups.
  auto summed = connection_.Prepare(
      "SELECT day, state, reason, error_code, sum(count), sum(sent), sum(delivered), sum(read), "
      "  sum(replied), sum(estimate_micros), sum(actual_micros), sum(actual_unknown) "
      "FROM delivery_aggregates WHERE campaign_id = ?1 GROUP BY 1, 2, 3, 4");
  if (!summed.ok()) return summed.error();
  summed->Bind(1, campaign.value);
  const Status read_summed = ForEachRow(*summed, [&](const Statement& row) {
    FunnelKey key;
    key.day = row.ColumnInt(0) < 0 ? kNone : row.ColumnInt(0);
    key.state = ParseDeliveryState(row.ColumnView(1)).value_or(DeliveryState::kQueued);
    key.reason = reasons.Of(row.ColumnView(2));
    key.error = row.ColumnInt(3) < 0 ? kNone : row.ColumnInt(3);
    FunnelGroup& group = groups[key];
    group.count += row.ColumnInt(4);
    group.sent += row.ColumnInt(5);
    group.delivered += row.ColumnInt(6);
    group.read += row.ColumnInt(7);
    group.replied += row.ColumnInt(8);
    group.estimate_micros += row.ColumnInt(9);
    group.actual_micros += row.ColumnInt(10);
    group.actual_unknown += row.ColumnInt(11);
  });
  if (!read_summed.ok()) return read_summed.error();
  std::vector<FunnelGroup> out;
  out.reserve(groups.size());
  for (auto& [key, group] : groups) {
    if (key.day != kNone) group.day = key.day;
    group.state = key.state;
    group.reason = reasons[key.reason];
    if (key.error != kNone) group.error_code = key.error;
    out.push_back(std::move(group));
  }
  return out;
}

// As FunnelGroups: the campaign's stretch of the table in rowid order, summed here.
Result<std::vector<CostGroup>> SqliteReportRepository::CostGroups(CampaignId campaign) {
  Interner texts;
  std::unordered_map<CostKey, CostGroup, CostKeyHash> groups;
  const auto add_sent = [](CostGroup& group, std::optional<SysTime> first,
                           std::optional<SysTime> last) {
    if (first && (!group.first_sent || *first < *group.first_sent)) group.first_sent = first;
    if (last && (!group.last_sent || *last > *group.last_sent)) group.last_sent = last;
  };
  const Status read = ScanCampaignRows(
      campaign,
      "state, estimate_category, estimate_basis, pricing_billable, pricing_category, "
      "pricing_type, estimated_cost_micros, actual_cost_micros, sent_at, id",
      [&](const Statement& row) {
        CostKey key;
        key.state = ParseDeliveryState(row.ColumnView(0)).value_or(DeliveryState::kQueued);
        key.texts = {texts.Of(row.ColumnView(1)), texts.Of(row.ColumnView(2)),
                     texts.Of(row.ColumnView(4)), texts.Of(row.ColumnView(5))};
        key.billable = row.ColumnIsNull(3) ? -1 : static_cast<std::int8_t>(row.ColumnInt(3) != 0);
        const std::int64_t estimate = row.ColumnInt(6);
        key.known = !row.ColumnIsNull(7);
        const std::int64_t actual = key.known ? row.ColumnInt(7) : 0;
        key.matches = key.known && actual == estimate;
        const std::int64_t id = row.ColumnInt(9);
        auto [found, added] = groups.try_emplace(key);
        CostGroup& group = found->second;
        if (added) group.example = DeliveryId{id};  // ids come in ascending order: the lowest
        ++group.count;
        group.estimate_micros += estimate;
        group.actual_micros += actual;
        if (!row.ColumnIsNull(8)) {
          const SysTime sent = FromUnixMillis(row.ColumnInt(8));
          add_sent(group, sent, sent);
        }
      });
  if (!read.ok()) return read.error();
  // Deliveries retention summed away (delivery_aggregates): their keys are these groups' own.
  auto summed = connection_.Prepare(
      "SELECT state, estimate_category, estimate_basis, pricing_billable, pricing_category, "
      "  pricing_type, actual_known, actual_matches, sum(count), sum(estimate_micros), "
      "  sum(actual_micros), min(first_sent), max(last_sent), min(example_id) "
      "FROM delivery_aggregates WHERE campaign_id = ?1 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8");
  if (!summed.ok()) return summed.error();
  summed->Bind(1, campaign.value);
  const Status read_summed = ForEachRow(*summed, [&](const Statement& row) {
    CostKey key;
    key.state = ParseDeliveryState(row.ColumnView(0)).value_or(DeliveryState::kQueued);
    key.texts = {texts.Of(row.ColumnView(1)), texts.Of(row.ColumnView(2)),
                 texts.Of(row.ColumnView(4)), texts.Of(row.ColumnView(5))};
    key.billable = static_cast<std::int8_t>(row.ColumnInt(3) < 0 ? -1 : row.ColumnInt(3) != 0);
    key.known = row.ColumnInt(6) != 0;
    key.matches = row.ColumnInt(7) != 0;
    auto [found, added] = groups.try_emplace(key);
    CostGroup& group = found->second;
    const DeliveryId example{row.ColumnInt(13)};
    if (added || example.value < group.example.value) group.example = example;
    group.count += row.ColumnInt(8);
    group.estimate_micros += row.ColumnInt(9);
    group.actual_micros += row.ColumnInt(10);
    add_sent(
        group,
        row.ColumnIsNull(11) ? std::nullopt : std::optional(FromUnixMillis(row.ColumnInt(11))),
        row.ColumnIsNull(12) ? std::nullopt : std::optional(FromUnixMillis(row.ColumnInt(12))));
  });
  if (!read_summed.ok()) return read_summed.error();
  std::vector<CostGroup> out;
  out.reserve(groups.size());
  for (auto& [key, group] : groups) {
    group.state = key.state;
    group.estimate_category = texts[key.texts[0]];
    group.estimate_basis = texts[key.texts[1]];
    if (key.billable >= 0) group.billable = key.billable == 1;
    group.pricing_category = texts[key.texts[2]];
    group.pricing_type = texts[key.texts[3]];
    group.actual_known = key.known;
    group.actual_matches = key.matches;
    out.push_back(std::move(group));
  }
  return out;
}

Result<std::vector<OptOutDay>> SqliteReportRepository::OptOutsAfter(CampaignId campaign) {
  // From the (few) contacts who opted out (contacts_opted_out) to their delivery of the campaign,
  // by its unique (campaign, contact) index; CROSS JOIN keeps that order.
  auto query = connection_.Prepare(
      "SELECT d.sent_at / ?2, count(*) FROM contacts c "
      "CROSS JOIN deliveries d ON d.campaign_id = ?1 AND d.contact_id = c.id "
      "WHERE c.opted_out_at IS NOT NULL AND d.sent_at IS NOT NULL AND c.opted_out_at >= d.sent_at "
      "GROUP BY 1 ORDER BY 1");
  if (!query.ok()) return query.error();
  query->Bind(1, campaign.value).Bind(2, kMillisPerDay);
  std::map<std::int64_t, std::int64_t> by_day;
  const Status read = ForEachRow(
      *query, [&by_day](const Statement& row) { by_day[row.ColumnInt(0)] += row.ColumnInt(1); });
  if (!read.ok()) return read.error();
  // And those counted when retention summed their deliveries away.
  auto summed = connection_.Prepare(
      "SELECT day, sum(opted_out_after) FROM delivery_aggregates WHERE campaign_id = ?1 "
      "AND opted_out_after > 0 GROUP BY 1");
  if (!summed.ok()) return summed.error();
  summed->Bind(1, campaign.value);
  const Status read_summed = ForEachRow(
      *summed, [&by_day](const Statement& row) { by_day[row.ColumnInt(0)] += row.ColumnInt(1); });
  if (!read_summed.ok()) return read_summed.error();
  std::vector<OptOutDay> days;
  for (const auto& [day, count] : by_day) days.push_back(OptOutDay{day, count});
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
  // By campaign id (0: single messages), live rows and those retention summed away together.
  std::map<std::int64_t, MonthGroup> by_campaign;
  const auto add = [&by_campaign](const Statement& row) {
    const std::int64_t id = row.ColumnIsNull(0) ? 0 : row.ColumnInt(0);
    MonthGroup& group = by_campaign[id];
    if (id != 0) group.campaign = CampaignId{id};
    group.campaign_name = row.ColumnText(1);
    group.sent += row.ColumnInt(2);
    group.delivered += row.ColumnInt(3);
    group.read += row.ColumnInt(4);
    group.replied += row.ColumnInt(5);
    group.failed += row.ColumnInt(6);
    group.opted_out += row.ColumnInt(7);
    group.estimate_micros += row.ColumnInt(8);
    group.actual_micros += row.ColumnInt(9);
    group.actual_unknown += row.ColumnInt(10);
  };
  if (Status read = ForEachRow(*query, add); !read.ok()) return read.error();
  auto summed = connection_.Prepare(
      "SELECT a.campaign_id, coalesce(cp.name, ''), sum(a.count), sum(a.delivered), sum(a.read), "
      "  sum(a.replied), sum(a.failed), sum(a.opted_out_after), sum(a.estimate_micros), "
      "  sum(a.actual_micros), sum(a.actual_unknown) "
      "FROM delivery_aggregates a LEFT JOIN campaigns cp ON cp.id = a.campaign_id "
      "WHERE a.day >= ?1 AND a.day < ?2 GROUP BY a.campaign_id");
  if (!summed.ok()) return summed.error();
  summed->Bind(1, ToUnixMillis(from) / kMillisPerDay).Bind(2, ToUnixMillis(to) / kMillisPerDay);
  if (Status read = ForEachRow(*summed, add); !read.ok()) return read.error();
  std::vector<MonthGroup> groups;
  for (auto& [id, group] : by_campaign) groups.push_back(std::move(group));
  return groups;
}

}  // namespace herald::storage
