#include "storage/sqlite/recipient_repository.h"

#include "common/time.h"
#include "storage/sqlite/contact_repository.h"

namespace herald::storage {

SqliteRecipientRepository::SqliteRecipientRepository(Connection& connection)
    : connection_(connection), contacts_(std::make_unique<SqliteContactRepository>(connection)) {}

SqliteRecipientRepository::~SqliteRecipientRepository() = default;

Result<std::vector<RecipientRecord>> SqliteRecipientRepository::Load(std::span<const ContactId> ids,
                                                                     SysTime sends_since) {
  if (!windows_) {
    auto windows = connection_.Prepare(
        "SELECT sender_id, last_inbound_at, entry_point_until FROM service_windows "
        "WHERE contact_id = ?1");
    if (!windows.ok()) return windows.error();
    windows_.emplace(std::move(*windows));
    auto sends = connection_.Prepare(
        "SELECT sent_at, sender_id FROM deliveries WHERE contact_id = ?1 AND sent_at >= ?2 "
        "AND campaign_id IS NOT NULL ORDER BY sent_at DESC LIMIT 100");
    if (!sends.ok()) return sends.error();
    sends_.emplace(std::move(*sends));
  }
  std::vector<RecipientRecord> out;
  out.reserve(ids.size());
  for (ContactId id : ids) {
    auto contact = contacts_->FindById(id);
    if (!contact.ok()) return contact.error();
    if (!*contact || (*contact)->phone_e164.empty()) continue;
    RecipientRecord record{std::move(**contact), {}, {}, std::nullopt};
    windows_->Reset();
    windows_->Bind(1, id.value);
    for (;;) {
      auto row = windows_->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      WindowRecord window{SenderId{windows_->ColumnInt(0)}, std::nullopt, std::nullopt};
      if (!windows_->ColumnIsNull(1)) window.last_inbound = FromUnixMillis(windows_->ColumnInt(1));
      if (!windows_->ColumnIsNull(2)) {
        window.entry_point_until = FromUnixMillis(windows_->ColumnInt(2));
      }
      record.windows.push_back(window);
    }
    sends_->Reset();
    sends_->Bind(1, id.value).Bind(2, ToUnixMillis(sends_since));
    for (;;) {
      auto row = sends_->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      record.recent_campaign_sends.push_back(FromUnixMillis(sends_->ColumnInt(0)));
      if (!record.last_sender && !sends_->ColumnIsNull(1)) {
        record.last_sender = SenderId{sends_->ColumnInt(1)};
      }
    }
    out.push_back(std::move(record));
  }
  return out;
}

Result<std::vector<ContactWindows>> SqliteRecipientRepository::WindowsSince(SysTime since) {
  auto find = connection_.Prepare(
      "SELECT contact_id, max(last_inbound_at), max(entry_point_until) FROM service_windows "
      "WHERE last_inbound_at >= ?1 OR entry_point_until > ?1 GROUP BY contact_id "
      "ORDER BY contact_id");
  if (!find.ok()) return find.error();
  find->Bind(1, ToUnixMillis(since));
  std::vector<ContactWindows> windows;
  for (;;) {
    auto row = find->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    ContactWindows latest{ContactId{find->ColumnInt(0)}, FromUnixMillis(find->ColumnInt(1)),
                          std::nullopt};
    if (!find->ColumnIsNull(2)) latest.entry_point_until = FromUnixMillis(find->ColumnInt(2));
    windows.push_back(latest);
  }
  return windows;
}

}  // namespace herald::storage
