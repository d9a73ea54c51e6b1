#include "storage/sqlite/webhook_repository.h"

#include "common/time.h"

namespace herald::storage {
namespace {

constexpr std::string_view kRequestColumns =
    "SELECT id, source, received_at, payload, attempts FROM webhook_events ";

WebhookRequest ReadRequest(const Statement& row) {
  WebhookRequest request;
  request.id = row.ColumnInt(0);
  request.source = row.ColumnText(1);
  request.received_at = FromUnixMillis(row.ColumnInt(2));
  request.payload = row.ColumnText(3);
  request.attempts = row.ColumnInt(4);
  return request;
}

}  // namespace

Result<std::int64_t> SqliteWebhookRepository::Insert(std::int64_t body_hash,
                                                     std::string_view source,
                                                     std::string_view payload, SysTime now) {
  if (!insert_) {
    auto insert = connection_.Prepare(
        "INSERT INTO webhook_events (body_hash, source, received_at, payload) "
        "VALUES (?1, ?2, ?3, ?4) RETURNING id");
    if (!insert.ok()) return insert.error();
    insert_.emplace(std::move(insert).value());
  }
  insert_->Reset();
  insert_->Bind(1, body_hash).Bind(2, source).Bind(3, ToUnixMillis(now)).Bind(4, payload);
  auto row = insert_->Step();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, "INSERT … RETURNING gave no row");
  const std::int64_t id = insert_->ColumnInt(0);
  if (Status done = insert_->Run(); !done.ok()) return done.error();
  return id;
}

Result<std::vector<std::int64_t>> SqliteWebhookRepository::RecentHashes(SysTime since) {
  // Rows are appended in time order: walk back from the newest until one is older.
  auto recent =
      connection_.Prepare("SELECT body_hash, received_at FROM webhook_events ORDER BY id DESC");
  if (!recent.ok()) return recent.error();
  std::vector<std::int64_t> hashes;
  const std::int64_t from = ToUnixMillis(since);
  for (;;) {
    auto row = recent->Step();
    if (!row.ok()) return row.error();
    if (!*row || recent->ColumnInt(1) < from) break;
    hashes.push_back(recent->ColumnInt(0));
  }
  recent->Reset();
  return std::vector<std::int64_t>(hashes.rbegin(), hashes.rend());
}

Result<std::vector<WebhookRequest>> SqliteWebhookRepository::Pending(std::int64_t after,
                                                                     std::size_t limit) {
  auto pending = connection_.Prepare(std::string(kRequestColumns) +
                                     "WHERE processed_at IS NULL AND id > ?1 ORDER BY id LIMIT ?2");
  if (!pending.ok()) return pending.error();
  pending->Bind(1, after).Bind(2, static_cast<std::int64_t>(limit));
  std::vector<WebhookRequest> requests;
  for (;;) {
    auto row = pending->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    requests.push_back(ReadRequest(*pending));
  }
  return requests;
}

Result<std::optional<WebhookRequest>> SqliteWebhookRepository::Find(std::int64_t id) {
  auto find = connection_.Prepare(std::string(kRequestColumns) + "WHERE id = ?1");
  if (!find.ok()) return find.error();
  find->Bind(1, id);
  auto row = find->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<WebhookRequest>();
  return std::optional<WebhookRequest>(ReadRequest(*find));
}

Status SqliteWebhookRepository::MarkProcessed(std::int64_t id, std::string_view summary,
                                              std::string_view error, SysTime now) {
  if (!mark_) {
    auto mark = connection_.Prepare(
        "UPDATE webhook_events SET processed_at = ?2, summary = ?3, error = nullif(?4, ''), "
        "attempts = attempts + 1 WHERE id = ?1");
    if (!mark.ok()) return mark.error();
    mark_.emplace(std::move(mark).value());
  }
  mark_->Reset();
  mark_->Bind(1, id).Bind(2, ToUnixMillis(now)).Bind(3, summary).Bind(4, error);
  return mark_->Run();
}

Status SqliteWebhookRepository::CountAttempt(std::int64_t id) {
  auto count =
      connection_.Prepare("UPDATE webhook_events SET attempts = attempts + 1 WHERE id = ?1");
  if (!count.ok()) return count.error();
  count->Bind(1, id);
  return count->Run();
}

Result<WebhookCounts> SqliteWebhookRepository::Counts() {
  auto counts = connection_.Prepare(
      "SELECT count(*) FILTER (WHERE processed_at IS NULL), "
      "count(*) FILTER (WHERE processed_at IS NOT NULL), "
      "count(*) FILTER (WHERE processed_at IS NOT NULL AND error IS NOT NULL) "
      "FROM webhook_events");
  if (!counts.ok()) return counts.error();
  auto row = counts->Step();
  if (!row.ok()) return row.error();
  WebhookCounts result;
  if (*row) {
    result.pending = counts->ColumnInt(0);
    result.processed = counts->ColumnInt(1);
    result.failed = counts->ColumnInt(2);
  }
  return result;
}

Result<WebhookBacklog> SqliteWebhookRepository::Backlog() {
  // Both through the partial index webhook_events_pending; ids grow with received_at.
  auto backlog = connection_.Prepare(
      "SELECT count(*), (SELECT received_at FROM webhook_events WHERE processed_at IS NULL "
      "ORDER BY id LIMIT 1) FROM webhook_events WHERE processed_at IS NULL");
  if (!backlog.ok()) return backlog.error();
  auto row = backlog->Step();
  if (!row.ok()) return row.error();
  WebhookBacklog result;
  if (*row) {
    result.pending = backlog->ColumnInt(0);
    if (!backlog->ColumnIsNull(1))
      result.oldest_received_at = FromUnixMillis(backlog->ColumnInt(1));
  }
  return result;
}

Result<std::vector<WebhookRecord>> SqliteWebhookRepository::List(std::int64_t before,
                                                                 std::size_t limit,
                                                                 bool failed_only) {
  auto list = connection_.Prepare(
      "SELECT id, source, received_at, processed_at, coalesce(summary, ''), "
      "coalesce(error, ''), attempts, length(CAST(payload AS BLOB)) FROM webhook_events "
      "WHERE (?1 = 0 OR id < ?1) AND (?2 = 0 OR error IS NOT NULL) ORDER BY id DESC LIMIT ?3");
  if (!list.ok()) return list.error();
  list->Bind(1, before)
      .Bind(2, static_cast<std::int64_t>(failed_only))
      .Bind(3, static_cast<std::int64_t>(limit));
  std::vector<WebhookRecord> records;
  for (;;) {
    auto row = list->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    WebhookRecord record;
    record.id = list->ColumnInt(0);
    record.source = list->ColumnText(1);
    record.received_at = FromUnixMillis(list->ColumnInt(2));
    if (!list->ColumnIsNull(3)) record.processed_at = FromUnixMillis(list->ColumnInt(3));
    record.summary = list->ColumnText(4);
    record.error = list->ColumnText(5);
    record.attempts = list->ColumnInt(6);
    record.bytes = static_cast<std::size_t>(list->ColumnInt(7));
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace herald::storage
