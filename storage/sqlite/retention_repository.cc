#include "storage/sqlite/retention_repository.h"

#include <string>

#include "common/time.h"

namespace herald::storage {
namespace {

constexpr std::string_view kFinished =
    "('delivered', 'read', 'failed', 'skipped', 'blocked', 'expired', 'cancelled')";

Result<std::int64_t> Changes(Connection& connection) {
  auto changes = connection.Prepare("SELECT changes()");
  if (!changes.ok()) return changes.error();
  auto row = changes->Step();
  if (!row.ok()) return row.error();
  return changes->ColumnInt(0);
}

// Deletes the first `limit` rows of `table` matching `where` (?1 bound to `before`), by id.
Result<std::int64_t> DeleteOldest(Connection& connection, std::string_view table,
                                  std::string_view where, SysTime before, std::int64_t limit) {
  auto purge = connection.Prepare("DELETE FROM " + std::string(table) +
                                  " WHERE id IN (SELECT id FROM " + std::string(table) + " WHERE " +
                                  std::string(where) + " ORDER BY id LIMIT ?2)");
  if (!purge.ok()) return purge.error();
  purge->Bind(1, ToUnixMillis(before)).Bind(2, limit);
  if (Status run = purge->Run(); !run.ok()) return run.error();
  return Changes(connection);
}

}  // namespace

Result<std::int64_t> SqliteRetentionRepository::SummariseDeliveries(SysTime before,
                                                                    std::int64_t limit) {
  const std::string finished = "updated_at < ?1 AND state IN " + std::string(kFinished);
  // The batch: the oldest ids of the finished rows; then exactly those (the same condition
  // within the range) are summed and deleted in this write job.
  auto batch =
      connection_.Prepare("SELECT min(id), max(id) FROM (SELECT id FROM deliveries WHERE " +
                          finished + " ORDER BY id LIMIT ?2)");
  if (!batch.ok()) return batch.error();
  batch->Bind(1, ToUnixMillis(before)).Bind(2, limit);
  auto row = batch->Step();
  if (!row.ok()) return row.error();
  if (!*row || batch->ColumnIsNull(0)) return std::int64_t{0};
  const std::int64_t first = batch->ColumnInt(0);
  const std::int64_t last = batch->ColumnInt(1);
  const std::string in_batch =
      "d.id BETWEEN ?2 AND ?3 AND d.updated_at < ?1 AND d.state IN " + std::string(kFinished);
  auto sum = connection_.Prepare(
      "INSERT INTO delivery_aggregates (campaign_id, day, state, reason, error_code, "
      "  estimate_category, estimate_basis, pricing_billable, pricing_category, pricing_type, "
      "  actual_known, actual_matches, count, sent, delivered, read, replied, opted_out_after, "
      "  failed, estimate_micros, actual_micros, actual_unknown, first_sent, last_sent, "
      "  example_id) "
      "SELECT coalesce(d.campaign_id, 0), coalesce(d.sent_at / 86400000, -1), d.state, "
      "  coalesce(d.reason, ''), coalesce(d.error_code, -1), coalesce(d.estimate_category, ''), "
      "  coalesce(d.estimate_basis, ''), coalesce(d.pricing_billable, -1), "
      "  coalesce(d.pricing_category, ''), coalesce(d.pricing_type, ''), "
      "  d.actual_cost_micros IS NOT NULL, "
      "  coalesce(d.actual_cost_micros = coalesce(d.estimated_cost_micros, 0), 0), "
      "  count(*), count(d.sent_at), sum(d.delivered_at IS NOT NULL OR d.read_at IS NOT NULL), "
      "  count(d.read_at), count(d.replied_at), sum(coalesce(c.opted_out_at >= d.sent_at, 0)), "
      "  sum(d.state = 'failed'), coalesce(sum(d.estimated_cost_micros), 0), "
      "  coalesce(sum(d.actual_cost_micros), 0), "
      "  sum(d.state IN ('delivered', 'read') AND d.actual_cost_micros IS NULL), "
      "  min(d.sent_at), max(d.sent_at), min(d.id) "
      "FROM deliveries d LEFT JOIN contacts c ON c.id = d.contact_id WHERE " +
      in_batch +
      " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 "
      "ON CONFLICT DO UPDATE SET count = count + excluded.count, sent = sent + excluded.sent, "
      "  delivered = delivered + excluded.delivered, read = read + excluded.read, "
      "  replied = replied + excluded.replied, "
      "  opted_out_after = opted_out_after + excluded.opted_out_after, "
      "  failed = failed + excluded.failed, "
      "  estimate_micros = estimate_micros + excluded.estimate_micros, "
      "  actual_micros = actual_micros + excluded.actual_micros, "
      "  actual_unknown = actual_unknown + excluded.actual_unknown, "
      "  first_sent = coalesce(min(first_sent, excluded.first_sent), first_sent, "
      "    excluded.first_sent), "
      "  last_sent = coalesce(max(last_sent, excluded.last_sent), last_sent, excluded.last_sent), "
      "  example_id = min(example_id, excluded.example_id)");
  if (!sum.ok()) return sum.error();
  sum->Bind(1, ToUnixMillis(before)).Bind(2, first).Bind(3, last);
  if (Status run = sum->Run(); !run.ok()) return run.error();
  auto purge = connection_.Prepare("DELETE FROM deliveries AS d WHERE " + in_batch);
  if (!purge.ok()) return purge.error();
  purge->Bind(1, ToUnixMillis(before)).Bind(2, first).Bind(3, last);
  if (Status run = purge->Run(); !run.ok()) return run.error();
  return Changes(connection_);
}

Result<std::int64_t> SqliteRetentionRepository::PurgeWebhookRequests(SysTime before,
                                                                     std::int64_t limit) {
  return DeleteOldest(connection_, "webhook_events",
                      "processed_at IS NOT NULL AND received_at < ?1", before, limit);
}

Result<std::int64_t> SqliteRetentionRepository::PurgeAudit(SysTime before, std::int64_t limit) {
  return DeleteOldest(connection_, "audit_log", "at < ?1", before, limit);
}

}  // namespace herald::storage
