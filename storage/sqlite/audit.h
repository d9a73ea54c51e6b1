// storage/sqlite/audit.h: the one writer of the audit log. Every repository that changes data
// appends its entry here, in the same transaction as the change, so an entry exists exactly when
// its change does.
//
// Thread rules: as the connection it writes through (one unit of work).
#pragma once

#include <optional>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "storage/sqlite/connection.h"

namespace herald::storage {

struct AuditEntry {
  SysTime at;
  std::string_view actor;        // who: a person or system, never personal data of a contact
  std::string_view action;       // "contact.erase", "wordlist.add", …
  std::string_view object_type;  // "contact", "tag", "segment", "word_list", "template", …
  std::string_view object_id;
  std::string_view reason;              // may be empty
  std::string_view detail_json = "{}";  // a JSON object
};

class AuditWriter {
 public:
  explicit AuditWriter(Connection& connection) : connection_(connection) {}
  Status Append(const AuditEntry& entry);

 private:
  Connection& connection_;
  std::optional<Statement> insert_;  // prepared on first use, reused after
};

}  // namespace herald::storage
