#include "storage/sqlite/hook_repository.h"

#include <boost/json.hpp>

#include "common/time.h"

namespace herald::storage {
namespace {

// A JSON array of `values`, bound as one parameter and read with json_each: lists of any length
// through one prepared statement.
template <typename T>
std::string JsonArray(std::span<const T> values) {
  boost::json::array array;
  for (const T& value : values) array.emplace_back(value);
  return boost::json::serialize(array);
}

HookDeliveryState StateNamed(std::string_view name) {
  if (name == "delivered") return HookDeliveryState::kDelivered;
  if (name == "dead") return HookDeliveryState::kDead;
  return HookDeliveryState::kPending;
}

constexpr std::string_view kRecordColumns =
    "SELECT d.id, d.event_id, d.endpoint, e.kind, d.state, d.attempts, e.created_at, "
    "d.last_attempt_at, d.finished_at, coalesce(d.last_error, ''), e.data "
    "FROM hook_deliveries d JOIN hook_events e ON e.id = d.event_id ";

HookDeliveryRecord ReadRecord(const Statement& row) {
  HookDeliveryRecord record;
  record.id = row.ColumnInt(0);
  record.event_id = row.ColumnInt(1);
  record.endpoint = row.ColumnText(2);
  record.kind = row.ColumnText(3);
  record.state = StateNamed(row.ColumnText(4));
  record.attempts = row.ColumnInt(5);
  record.created_at = FromUnixMillis(row.ColumnInt(6));
  if (!row.ColumnIsNull(7)) record.last_attempt_at = FromUnixMillis(row.ColumnInt(7));
  if (!row.ColumnIsNull(8)) record.finished_at = FromUnixMillis(row.ColumnInt(8));
  record.last_error = row.ColumnText(9);
  record.data_json = row.ColumnText(10);
  return record;
}

}  // namespace

std::string_view HookDeliveryStateName(HookDeliveryState state) {
  switch (state) {
    case HookDeliveryState::kPending:
      return "pending";
    case HookDeliveryState::kDelivered:
      return "delivered";
    case HookDeliveryState::kDead:
      return "dead";
  }
  return "pending";
}

Result<std::int64_t> SqliteHookRepository::Insert(std::string_view kind, std::string_view data_json,
                                                  std::span<const std::string> endpoints,
                                                  SysTime now) {
  if (endpoints.empty()) return std::int64_t{0};
  auto event = connection_.Prepare(
      "INSERT INTO hook_events (kind, data, created_at) VALUES (?1, ?2, ?3) RETURNING id");
  if (!event.ok()) return event.error();
  event->Bind(1, kind).Bind(2, data_json).Bind(3, ToUnixMillis(now));
  auto row = event->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, "INSERT … RETURNING gave no row");
  const std::int64_t id = event->ColumnInt(0);
  auto deliveries = connection_.Prepare(
      "INSERT INTO hook_deliveries (event_id, endpoint, since, next_attempt_at) "
      "SELECT ?1, value, ?2, ?2 FROM json_each(?3)");
  if (!deliveries.ok()) return deliveries.error();
  deliveries->Bind(1, id).Bind(2, ToUnixMillis(now)).Bind(3, JsonArray(endpoints));
  if (Status run = deliveries->Run(); !run.ok()) return run.error();
  return id;
}

Result<std::vector<HookDelivery>> SqliteHookRepository::Due(std::string_view endpoint, SysTime now,
                                                            std::span<const std::int64_t> busy,
                                                            std::size_t limit) {
  auto due = connection_.Prepare(
      "SELECT d.id, d.event_id, d.endpoint, e.kind, e.data, e.created_at, d.since, d.attempts, "
      "d.next_attempt_at FROM hook_deliveries d JOIN hook_events e ON e.id = d.event_id "
      "WHERE d.state = 'pending' AND d.endpoint = ?1 AND d.next_attempt_at <= ?2 "
      "AND d.id NOT IN (SELECT value FROM json_each(?3)) ORDER BY d.next_attempt_at, d.id "
      "LIMIT ?4");
  if (!due.ok()) return due.error();
  due->Bind(1, endpoint)
      .Bind(2, ToUnixMillis(now))
      .Bind(3, JsonArray(busy))
      .Bind(4, static_cast<std::int64_t>(limit));
  std::vector<HookDelivery> deliveries;
  for (;;) {
    auto row = due->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    HookDelivery delivery;
    delivery.id = due->ColumnInt(0);
    delivery.event_id = due->ColumnInt(1);
    delivery.endpoint = due->ColumnText(2);
    delivery.kind = due->ColumnText(3);
    delivery.data_json = due->ColumnText(4);
    delivery.created_at = FromUnixMillis(due->ColumnInt(5));
    delivery.since = FromUnixMillis(due->ColumnInt(6));
    delivery.attempts = due->ColumnInt(7);
    delivery.next_attempt_at = FromUnixMillis(due->ColumnInt(8));
    deliveries.push_back(std::move(delivery));
  }
  return deliveries;
}

Result<std::optional<SysTime>> SqliteHookRepository::NextDue() {
  auto next = connection_.Prepare(
      "SELECT min(next_attempt_at) FROM hook_deliveries WHERE state = 'pending'");
  if (!next.ok()) return next.error();
  auto row = next->Step();
  if (!row.ok()) return row.error();
  if (!*row || next->ColumnIsNull(0)) return std::optional<SysTime>();
  return std::optional<SysTime>(FromUnixMillis(next->ColumnInt(0)));
}

Result<std::int64_t> SqliteHookRepository::PendingCount(std::string_view endpoint) {
  auto count = connection_.Prepare(
      "SELECT count(*) FROM hook_deliveries WHERE state = 'pending' AND endpoint = ?1");
  if (!count.ok()) return count.error();
  count->Bind(1, endpoint);
  auto row = count->Step();
  if (!row.ok()) return row.error();
  return *row ? count->ColumnInt(0) : std::int64_t{0};
}

Status SqliteHookRepository::RecordAttempts(std::span<const HookAttempt> attempts) {
  auto record = connection_.Prepare(
      "UPDATE hook_deliveries SET state = ?2, attempts = attempts + 1, last_attempt_at = ?3, "
      "next_attempt_at = ?4, last_error = coalesce(nullif(?5, ''), last_error), "
      "finished_at = CASE WHEN ?2 = 'pending' THEN NULL ELSE ?3 END "
      "WHERE id = ?1 AND state = 'pending'");
  if (!record.ok()) return record.error();
  for (const HookAttempt& attempt : attempts) {
    record->Reset();
    record->Bind(1, attempt.id)
        .Bind(2, HookDeliveryStateName(attempt.state))
        .Bind(3, ToUnixMillis(attempt.at))
        .Bind(4, ToUnixMillis(attempt.next_attempt_at))
        .Bind(5, attempt.error);
    if (Status run = record->Run(); !run.ok()) return run;
  }
  return Status::Ok();
}

Result<std::size_t> SqliteHookRepository::BuryUnconfigured(std::span<const std::string> configured,
                                                           std::string_view error, SysTime now) {
  auto bury = connection_.Prepare(
      "UPDATE hook_deliveries SET state = 'dead', finished_at = ?2, last_error = ?3 "
      "WHERE state = 'pending' AND endpoint NOT IN (SELECT value FROM json_each(?1))");
  if (!bury.ok()) return bury.error();
  bury->Bind(1, JsonArray(configured)).Bind(2, ToUnixMillis(now)).Bind(3, error);
  if (Status run = bury->Run(); !run.ok()) return run.error();
  return static_cast<std::size_t>(connection_.Changes());
}

Result<std::vector<HookEndpointCounts>> SqliteHookRepository::Counts() {
  auto counts = connection_.Prepare(
      "SELECT endpoint, count(*) FILTER (WHERE state = 'pending'), "
      "count(*) FILTER (WHERE state = 'delivered'), count(*) FILTER (WHERE state = 'dead'), "
      "max(finished_at) FILTER (WHERE state = 'delivered') FROM hook_deliveries "
      "GROUP BY endpoint ORDER BY endpoint");
  if (!counts.ok()) return counts.error();
  // The last error: the latest failed attempt of the endpoint (kept on its delivery).
  auto last_error = connection_.Prepare(
      "SELECT last_attempt_at, last_error FROM hook_deliveries "
      "WHERE endpoint = ?1 AND last_error IS NOT NULL AND last_attempt_at IS NOT NULL "
      "ORDER BY last_attempt_at DESC LIMIT 1");
  if (!last_error.ok()) return last_error.error();
  std::vector<HookEndpointCounts> result;
  for (;;) {
    auto row = counts->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    HookEndpointCounts endpoint;
    endpoint.endpoint = counts->ColumnText(0);
    endpoint.pending = counts->ColumnInt(1);
    endpoint.delivered = counts->ColumnInt(2);
    endpoint.dead = counts->ColumnInt(3);
    if (!counts->ColumnIsNull(4)) endpoint.last_delivered_at = FromUnixMillis(counts->ColumnInt(4));
    last_error->Reset();
    last_error->Bind(1, endpoint.endpoint);
    auto error_row = last_error->Step();
    if (!error_row.ok()) return error_row.error();
    if (*error_row) {
      endpoint.last_error_at = FromUnixMillis(last_error->ColumnInt(0));
      endpoint.last_error = last_error->ColumnText(1);
    }
    result.push_back(std::move(endpoint));
  }
  return result;
}

Result<std::vector<HookDeliveryRecord>> SqliteHookRepository::Dead(std::string_view endpoint,
                                                                   std::int64_t before,
                                                                   std::size_t limit) {
  auto dead = connection_.Prepare(
      std::string(kRecordColumns) +
      "WHERE d.state = 'dead' AND (?1 = '' OR d.endpoint = ?1) AND (?2 = 0 OR d.id < ?2) "
      "ORDER BY d.id DESC LIMIT ?3");
  if (!dead.ok()) return dead.error();
  dead->Bind(1, endpoint).Bind(2, before).Bind(3, static_cast<std::int64_t>(limit));
  std::vector<HookDeliveryRecord> records;
  for (;;) {
    auto row = dead->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    records.push_back(ReadRecord(*dead));
  }
  return records;
}

Result<std::optional<HookDeliveryRecord>> SqliteHookRepository::Find(std::int64_t id) {
  auto find = connection_.Prepare(std::string(kRecordColumns) + "WHERE d.id = ?1");
  if (!find.ok()) return find.error();
  find->Bind(1, id);
  auto row = find->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<HookDeliveryRecord>();
  return std::optional<HookDeliveryRecord>(ReadRecord(*find));
}

Result<std::size_t> SqliteHookRepository::Replay(std::int64_t id, std::string_view endpoint,
                                                 SysTime now) {
  auto replay = connection_.Prepare(
      "UPDATE hook_deliveries SET state = 'pending', attempts = 0, since = ?3, "
      "next_attempt_at = ?3, finished_at = NULL "
      "WHERE state = 'dead' AND ((?1 <> 0 AND id = ?1) OR (?1 = 0 AND endpoint = ?2))");
  if (!replay.ok()) return replay.error();
  replay->Bind(1, id).Bind(2, endpoint).Bind(3, ToUnixMillis(now));
  if (Status run = replay->Run(); !run.ok()) return run.error();
  return static_cast<std::size_t>(connection_.Changes());
}

}  // namespace herald::storage
