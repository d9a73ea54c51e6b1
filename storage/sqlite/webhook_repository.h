// storage/sqlite/webhook_repository.h: the SQLite WebhookRepository (table webhook_events).
//
// Thread rules: works on the connection it was made with; one per unit of work.
#pragma once

#include <optional>

#include "storage/sqlite/connection.h"
#include "storage/webhook_repository.h"

namespace herald::storage {

class SqliteWebhookRepository final : public WebhookRepository {
 public:
  explicit SqliteWebhookRepository(Connection& connection) : connection_(connection) {}

  Result<std::int64_t> Insert(std::int64_t body_hash, std::string_view source,
                              std::string_view payload, SysTime now) override;
  Result<std::vector<std::int64_t>> RecentHashes(SysTime since) override;
  Result<std::vector<WebhookRequest>> Pending(std::int64_t after, std::size_t limit) override;
  Result<std::optional<WebhookRequest>> Find(std::int64_t id) override;
  Status MarkProcessed(std::int64_t id, std::string_view summary, std::string_view error,
                       SysTime now) override;
  Status CountAttempt(std::int64_t id) override;
  Result<WebhookCounts> Counts() override;
  Result<WebhookBacklog> Backlog() override;
  Result<std::vector<WebhookRecord>> List(std::int64_t before, std::size_t limit,
                                          bool failed_only) override;

 private:
  Connection& connection_;
  // Prepared once per unit of work (a burst of requests, a batch of marks).
  std::optional<Statement> insert_;
  std::optional<Statement> mark_;
};

}  // namespace herald::storage
