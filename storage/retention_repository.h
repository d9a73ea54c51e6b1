// storage/retention_repository.h: data kept for a configured time, then removed in small batches
// (issue 18, item 8; docs/operations.md, "Retention"). Each call removes at most `limit` rows
// older than `before` and answers how many it removed: the caller runs one call per write job and
// repeats while it answers `limit`, so sending's jobs interleave with the purge.
#pragma once

#include <cstdint>

#include "common/clock.h"
#include "common/result.h"

namespace herald::storage {

class RetentionRepository {
 public:
  virtual ~RetentionRepository() = default;

  // Finished deliveries (delivered, read, failed, skipped, blocked, expired, cancelled) last
  // changed before `before`, oldest ids first: summed into the report aggregates (by everything
  // the reports group by, with who opted out after their message), then deleted.
  virtual Result<std::int64_t> SummariseDeliveries(SysTime before, std::int64_t limit) = 0;
  // Webhook requests processed and received before `before` (the raw payloads).
  virtual Result<std::int64_t> PurgeWebhookRequests(SysTime before, std::int64_t limit) = 0;
  // Audit entries written before `before`.
  virtual Result<std::int64_t> PurgeAudit(SysTime before, std::int64_t limit) = 0;
};

}  // namespace herald::storage
