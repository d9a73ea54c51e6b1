#include "storage/sqlite/price_repository.h"

#include <sqlite3.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <tuple>

#include "common/time.h"

namespace herald::storage {
namespace {

constexpr std::string_view kPriceColumns =
    "SELECT market, members, category, effective_from, rate_micros, currency, source, version, "
    "retired_in FROM prices ";

constexpr std::string_view kRuleColumns =
    "SELECT effective_from, utility_free_in_window, service_free, free_service_per_number_month, "
    "service_rate_category, entry_point_free, source, updated_by, updated_at FROM pricing_rules ";

using Key = std::tuple<std::string, std::string, std::string>;  // market, category, from

Key KeyOf(const PriceRecord& row) { return {row.market, row.category, row.effective_from}; }

bool SameContent(const PriceRecord& a, const PriceRecord& b) {
  return a.rate_micros == b.rate_micros && a.currency == b.currency && a.members == b.members &&
         a.source == b.source;
}

PriceRecord ReadPrice(Statement& row) {
  PriceRecord price;
  price.market = row.ColumnText(0);
  price.members = row.ColumnText(1);
  price.category = row.ColumnText(2);
  price.effective_from = row.ColumnText(3);
  price.rate_micros = row.ColumnInt(4);
  price.currency = row.ColumnText(5);
  price.source = row.ColumnText(6);
  price.version = row.ColumnInt(7);
  if (!row.ColumnIsNull(8)) price.retired_in = row.ColumnInt(8);
  return price;
}

PricingRuleRecord ReadRule(Statement& row) {
  PricingRuleRecord rule;
  rule.effective_from = row.ColumnText(0);
  rule.utility_free_in_window = row.ColumnInt(1) != 0;
  rule.service_free = row.ColumnInt(2) != 0;
  rule.free_service_per_number_month = row.ColumnInt(3);
  rule.service_rate_category = row.ColumnText(4);
  rule.entry_point_free = row.ColumnInt(5) != 0;
  rule.source = row.ColumnText(6);
  rule.updated_by = row.ColumnText(7);
  if (!row.ColumnIsNull(8)) rule.updated_at = FromUnixMillis(row.ColumnInt(8));
  return rule;
}

boost::json::object RuleJson(const PricingRuleRecord& rule) {
  return {{"effective_from", rule.effective_from},
          {"utility_free_in_window", rule.utility_free_in_window},
          {"service_free", rule.service_free},
          {"free_service_per_number_month", rule.free_service_per_number_month},
          {"service_rate_category", rule.service_rate_category},
          {"entry_point_free", rule.entry_point_free},
          {"source", rule.source}};
}

}  // namespace

Result<std::vector<PriceRecord>> SqlitePriceRepository::Select(std::string_view where,
                                                               std::int64_t version) {
  auto select = connection_.Prepare(std::string(kPriceColumns) + std::string(where) +
                                    " ORDER BY market, category, effective_from");
  if (!select.ok()) return select.error();
  if (version > 0) select->Bind(1, version);
  std::vector<PriceRecord> rows;
  for (;;) {
    auto row = select->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    rows.push_back(ReadPrice(*select));
  }
  return rows;
}

Result<std::vector<PriceRecord>> SqlitePriceRepository::Current() {
  return Select("WHERE retired_in IS NULL", 0);
}

Result<std::vector<PriceRecord>> SqlitePriceRepository::AtVersion(std::int64_t version) {
  auto known = connection_.Prepare("SELECT 1 FROM price_versions WHERE version = ?1");
  if (!known.ok()) return known.error();
  known->Bind(1, version);
  auto found = known->Step();
  if (!found.ok()) return found.error();
  if (!*found) {
    return MakeError(ErrorCode::kNotFound, "no price version " + std::to_string(version),
                     "version");
  }
  return Select("WHERE version <= ?1 AND (retired_in IS NULL OR retired_in > ?1)", version);
}

Result<std::vector<PriceVersion>> SqlitePriceRepository::Versions() {
  auto select = connection_.Prepare(
      "SELECT version, created_at, actor, source, mode, added, replaced, retired, rows "
      "FROM price_versions ORDER BY version DESC");
  if (!select.ok()) return select.error();
  std::vector<PriceVersion> versions;
  for (;;) {
    auto row = select->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    versions.push_back({select->ColumnInt(0), FromUnixMillis(select->ColumnInt(1)),
                        select->ColumnText(2), select->ColumnText(3), select->ColumnText(4),
                        select->ColumnInt(5), select->ColumnInt(6), select->ColumnInt(7),
                        select->ColumnInt(8)});
  }
  return versions;
}

Result<PriceVersion> SqlitePriceRepository::Import(std::span<const PriceRecord> rows,
                                                   PriceImportMode mode, std::string_view actor,
                                                   std::string_view source, SysTime now) {
  auto current = Current();
  if (!current.ok()) return current.error();
  std::map<Key, const PriceRecord*> existing;
  for (const PriceRecord& row : *current) existing.emplace(KeyOf(row), &row);
  if (mode == PriceImportMode::kMerge && !current->empty() && !rows.empty() &&
      rows.front().currency != current->front().currency) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "the file's prices are in " + rows.front().currency + ", the table's in " +
                         current->front().currency +
                         "; a table has one currency: import the whole table in " +
                         rows.front().currency + " with mode replace",
                     "currency");
  }
  std::vector<const PriceRecord*> to_add;
  std::vector<Key> to_retire;
  std::int64_t added = 0;
  std::int64_t replaced = 0;
  std::set<Key> in_file;
  for (const PriceRecord& row : rows) {
    const Key key = KeyOf(row);
    in_file.insert(key);
    auto old = existing.find(key);
    if (old == existing.end()) {
      ++added;
      to_add.push_back(&row);
    } else if (!SameContent(*old->second, row)) {
      ++replaced;
      to_retire.push_back(key);
      to_add.push_back(&row);
    }
  }
  std::int64_t retired = 0;
  if (mode == PriceImportMode::kReplace) {
    for (const auto& [key, row] : existing) {
      if (in_file.count(key) == 0) {
        ++retired;
        to_retire.push_back(key);
      }
    }
  }
  const std::string mode_name = mode == PriceImportMode::kMerge ? "merge" : "replace";
  if (to_add.empty() && to_retire.empty()) {
    auto versions = Versions();
    if (!versions.ok()) return versions.error();
    PriceVersion unchanged;
    if (!versions->empty()) unchanged = versions->front();
    unchanged.added = unchanged.replaced = unchanged.retired = 0;
    unchanged.rows = static_cast<std::int64_t>(current->size());
    return unchanged;
  }
  const std::int64_t rows_after = static_cast<std::int64_t>(current->size()) + added - retired;
  auto version_insert = connection_.Prepare(
      "INSERT INTO price_versions (created_at, actor, source, mode, added, replaced, retired, "
      "rows) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!version_insert.ok()) return version_insert.error();
  version_insert->Bind(1, ToUnixMillis(now))
      .Bind(2, actor)
      .Bind(3, source)
      .Bind(4, mode_name)
      .Bind(5, added)
      .Bind(6, replaced)
      .Bind(7, retired)
      .Bind(8, rows_after);
  if (Status run = version_insert->Run(); !run.ok()) return run.error();
  const std::int64_t version = sqlite3_last_insert_rowid(connection_.handle());

  auto retire = connection_.Prepare(
      "UPDATE prices SET retired_in = ?4 WHERE market = ?1 AND category = ?2 AND "
      "effective_from = ?3 AND retired_in IS NULL");
  if (!retire.ok()) return retire.error();
  for (const auto& [market, category, from] : to_retire) {
    retire->Reset();
    retire->Bind(1, market).Bind(2, category).Bind(3, from).Bind(4, version);
    if (Status run = retire->Run(); !run.ok()) return run.error();
  }
  auto insert = connection_.Prepare(
      "INSERT INTO prices (market, category, effective_from, version, members, rate_micros, "
      "currency, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!insert.ok()) return insert.error();
  for (const PriceRecord* row : to_add) {
    insert->Reset();
    insert->Bind(1, row->market)
        .Bind(2, row->category)
        .Bind(3, row->effective_from)
        .Bind(4, version)
        .Bind(5, row->members)
        .Bind(6, row->rate_micros)
        .Bind(7, row->currency)
        .Bind(8, row->source);
    if (Status run = insert->Run(); !run.ok()) return run.error();
  }
  boost::json::object detail{{"version", version}, {"mode", mode_name},    {"source", source},
                             {"added", added},     {"replaced", replaced}, {"retired", retired},
                             {"rows", rows_after}};
  if (Status audited = audit_.Append({now, actor, "price.import", "price_table",
                                      std::to_string(version), "", boost::json::serialize(detail)});
      !audited.ok()) {
    return audited.error();
  }
  return PriceVersion{version,  now,     std::string(actor), std::string(source), mode_name, added,
                      replaced, retired, rows_after};
}

Result<std::vector<PricingRuleRecord>> SqlitePriceRepository::Rules() {
  auto select = connection_.Prepare(std::string(kRuleColumns) + "ORDER BY effective_from");
  if (!select.ok()) return select.error();
  std::vector<PricingRuleRecord> rules;
  for (;;) {
    auto row = select->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    rules.push_back(ReadRule(*select));
  }
  return rules;
}

Result<std::optional<PricingRuleRecord>> SqlitePriceRepository::FindRule(
    std::string_view effective_from) {
  auto select = connection_.Prepare(std::string(kRuleColumns) + "WHERE effective_from = ?1");
  if (!select.ok()) return select.error();
  select->Bind(1, effective_from);
  auto row = select->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<PricingRuleRecord>();
  return std::optional<PricingRuleRecord>(ReadRule(*select));
}

Status SqlitePriceRepository::PutRule(const PricingRuleRecord& rule, std::string_view actor,
                                      std::string_view reason, SysTime now) {
  auto before = FindRule(rule.effective_from);
  if (!before.ok()) return before.error();
  auto put = connection_.Prepare(
      "INSERT INTO pricing_rules (effective_from, utility_free_in_window, service_free, "
      "free_service_per_number_month, service_rate_category, entry_point_free, source, "
      "updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (effective_from) DO UPDATE SET "
      "utility_free_in_window = excluded.utility_free_in_window, "
      "service_free = excluded.service_free, "
      "free_service_per_number_month = excluded.free_service_per_number_month, "
      "service_rate_category = excluded.service_rate_category, "
      "entry_point_free = excluded.entry_point_free, source = excluded.source, "
      "updated_by = excluded.updated_by, updated_at = excluded.updated_at");
  if (!put.ok()) return put.error();
  put->Bind(1, rule.effective_from)
      .Bind(2, std::int64_t{rule.utility_free_in_window})
      .Bind(3, std::int64_t{rule.service_free})
      .Bind(4, rule.free_service_per_number_month)
      .Bind(5, rule.service_rate_category)
      .Bind(6, std::int64_t{rule.entry_point_free})
      .Bind(7, rule.source)
      .Bind(8, actor)
      .Bind(9, ToUnixMillis(now));
  if (Status run = put->Run(); !run.ok()) return run;
  boost::json::object detail{{"after", RuleJson(rule)}};
  if (*before) detail["before"] = RuleJson(**before);
  return audit_.Append({now, actor, "pricing_rules.put", "pricing_rules", rule.effective_from,
                        reason, boost::json::serialize(detail)});
}

Status SqlitePriceRepository::DeleteRule(std::string_view effective_from, std::string_view actor,
                                         std::string_view reason, SysTime now) {
  auto before = FindRule(effective_from);
  if (!before.ok()) return before.error();
  if (!*before) {
    return MakeError(ErrorCode::kNotFound, "no pricing rules from " + std::string(effective_from),
                     "effective_from");
  }
  auto remove = connection_.Prepare("DELETE FROM pricing_rules WHERE effective_from = ?1");
  if (!remove.ok()) return remove.error();
  remove->Bind(1, effective_from);
  if (Status run = remove->Run(); !run.ok()) return run;
  boost::json::object detail{{"before", RuleJson(**before)}};
  return audit_.Append({now, actor, "pricing_rules.delete", "pricing_rules", effective_from, reason,
                        boost::json::serialize(detail)});
}

}  // namespace herald::storage
