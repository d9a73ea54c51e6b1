// storage/hook_repository.h: the outbox of the outbound event hooks (issue 17, item 5;
// docs/hooks.md). An event (kind, data, when) is stored once, with one delivery per endpoint that
// subscribes to its kind, in the same write job as the change it reports. A delivery stays
// pending until an endpoint answered 2xx (delivered) or Herald gave up on it (dead, a dead
// letter); a dead letter can be replayed (pending again, its attempts counted anew).
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace herald::storage {

enum class HookDeliveryState { kPending, kDelivered, kDead };

// "pending", "delivered", "dead": as stored and as the API shows them.
std::string_view HookDeliveryStateName(HookDeliveryState state);

// One event for one endpoint, as the delivery worker sends it.
struct HookDelivery {
  std::int64_t id = 0;  // the delivery's id (a dead letter's id in the API)
  std::int64_t event_id = 0;
  std::string endpoint;
  std::string kind;
  std::string data_json;  // the event's data, a JSON object as stored
  SysTime created_at{};   // when the event was stored
  SysTime since{};        // created_at, or when it was last replayed (max_age counts from here)
  std::int64_t attempts = 0;
  SysTime next_attempt_at{};
};

// What became of one attempt.
struct HookAttempt {
  std::int64_t id = 0;
  HookDeliveryState state = HookDeliveryState::kPending;  // pending: retry at next_attempt_at
  std::string error{};  // empty when delivered; e.g. "HTTP 503", "timed out"
  SysTime at{};
  SysTime next_attempt_at{};
};

// One delivery as the API lists it.
struct HookDeliveryRecord {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string endpoint;
  std::string kind;
  HookDeliveryState state = HookDeliveryState::kPending;
  std::int64_t attempts = 0;
  SysTime created_at{};
  std::optional<SysTime> last_attempt_at{};
  std::optional<SysTime> finished_at{};  // delivered or dead
  std::string last_error{};
  std::string data_json{};
};

struct HookEndpointCounts {
  std::string endpoint;
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t dead = 0;
  std::optional<SysTime> last_delivered_at{};
  std::optional<SysTime> last_error_at{};
  std::string last_error{};
};

class HookRepository {
 public:
  virtual ~HookRepository() = default;

  // Stores an event with a pending delivery, due at `now`, for each of `endpoints` (none: nothing
  // is stored). Returns the event's id (0 when nothing was stored).
  virtual Result<std::int64_t> Insert(std::string_view kind, std::string_view data_json,
                                      std::span<const std::string> endpoints, SysTime now) = 0;
  // Pending deliveries to `endpoint` due at `now`, oldest first, without those in `busy` (being
  // sent or recorded).
  virtual Result<std::vector<HookDelivery>> Due(std::string_view endpoint, SysTime now,
                                                std::span<const std::int64_t> busy,
                                                std::size_t limit) = 0;
  // The earliest next attempt among pending deliveries, if any.
  virtual Result<std::optional<SysTime>> NextDue() = 0;
  // Pending deliveries to `endpoint` (the outbox's depth).
  virtual Result<std::int64_t> PendingCount(std::string_view endpoint) = 0;
  // Records attempts: each counts one more attempt and moves its delivery as told. An attempt of
  // a delivery that is no longer pending (replayed meanwhile: impossible, it is pending then) is
  // ignored.
  virtual Status RecordAttempts(std::span<const HookAttempt> attempts) = 0;
  // Pending deliveries to endpoints not in `configured` → dead with `error` (the endpoint was
  // removed from the config). Returns how many.
  virtual Result<std::size_t> BuryUnconfigured(std::span<const std::string> configured,
                                               std::string_view error, SysTime now) = 0;
  // Counts per endpoint that has deliveries, by name.
  virtual Result<std::vector<HookEndpointCounts>> Counts() = 0;
  // Dead letters, newest first, below `before` (0: from the newest); `endpoint` empty: all.
  virtual Result<std::vector<HookDeliveryRecord>> Dead(std::string_view endpoint,
                                                       std::int64_t before, std::size_t limit) = 0;
  virtual Result<std::optional<HookDeliveryRecord>> Find(std::int64_t id) = 0;
  // Dead → pending, due at `now`, attempts from 0, max_age counted from `now`: the one with `id`,
  // or (id 0) every dead letter of `endpoint`. Returns how many.
  virtual Result<std::size_t> Replay(std::int64_t id, std::string_view endpoint, SysTime now) = 0;
};

}  // namespace herald::storage
