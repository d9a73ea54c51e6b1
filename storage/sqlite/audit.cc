#include "storage/sqlite/audit.h"

#include "common/time.h"

namespace herald::storage {

Status AuditWriter::Append(const AuditEntry& entry) {
  if (!insert_) {
    auto prepared = connection_.Prepare(
        "INSERT INTO audit_log (at, actor, action, object_type, object_id, reason, detail) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!prepared.ok()) return prepared.error();
    insert_.emplace(std::move(prepared).value());
  }
  insert_->Bind(1, ToUnixMillis(entry.at))
      .Bind(2, entry.actor)
      .Bind(3, entry.action)
      .Bind(4, entry.object_type)
      .Bind(5, entry.object_id)
      .Bind(7, entry.detail_json);
  if (entry.reason.empty()) {
    insert_->BindNull(6);
  } else {
    insert_->Bind(6, entry.reason);
  }
  Status appended = insert_->Run();
  insert_->Reset();
  return appended;
}

}  // namespace herald::storage
