// storage/webhook_repository.h: webhook requests as received (issue 17). A verified request is
// appended before it is answered and processed later: a crash after the answer loses nothing.
// Repeats of a body (the platform retries a request it got no answer to) are recognised by the
// caller, in memory, from the bodies' hashes (RecentHashes after a restart).
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace herald::storage {

struct WebhookRequest {
  std::int64_t id = 0;
  std::string source;  // "platform" (POST /webhooks/whatsapp) or "sandbox"
  SysTime received_at{};
  std::string payload;  // the body as received
  std::int64_t attempts = 0;
};

struct WebhookCounts {
  std::int64_t pending = 0;
  std::int64_t processed = 0;
  std::int64_t failed = 0;  // processed with an error (unusable, or given up)
};

// The requests not processed yet (a status put off, a request that failed and waits for its
// retry are among them).
struct WebhookBacklog {
  std::int64_t pending = 0;
  std::optional<SysTime> oldest_received_at{};  // the oldest of them; nullopt when none
};

// One stored request as the API lists it.
struct WebhookRecord {
  std::int64_t id = 0;
  std::string source;
  SysTime received_at{};
  std::optional<SysTime> processed_at;
  std::string summary;  // webhooks::Summarise, once processed
  std::string error;
  std::int64_t attempts = 0;
  std::size_t bytes = 0;
};

class WebhookRepository {
 public:
  virtual ~WebhookRepository() = default;

  // Appends a request; answers its id.
  virtual Result<std::int64_t> Insert(std::int64_t body_hash, std::string_view source,
                                      std::string_view payload, SysTime now) = 0;
  // The body hashes of the requests received at or after `since`, oldest first.
  virtual Result<std::vector<std::int64_t>> RecentHashes(SysTime since) = 0;
  // Requests not processed yet with an id above `after`, oldest first.
  virtual Result<std::vector<WebhookRequest>> Pending(std::int64_t after, std::size_t limit) = 0;
  virtual Result<std::optional<WebhookRequest>> Find(std::int64_t id) = 0;
  // Marks a request processed, with what it held and the error (empty: none).
  virtual Status MarkProcessed(std::int64_t id, std::string_view summary, std::string_view error,
                               SysTime now) = 0;
  // Counts one more processing attempt that had to be put off (a status for a delivery whose
  // send answer is not recorded yet).
  virtual Status CountAttempt(std::int64_t id) = 0;
  virtual Result<WebhookCounts> Counts() = 0;
  // Reads only the requests not processed yet (an index of them): cheap while they are few.
  virtual Result<WebhookBacklog> Backlog() = 0;
  // The newest requests first, below `before` (0: from the newest); with `failed_only`, those
  // processed with an error.
  virtual Result<std::vector<WebhookRecord>> List(std::int64_t before, std::size_t limit,
                                                  bool failed_only) = 0;
};

}  // namespace herald::storage
