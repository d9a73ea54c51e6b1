// storage/lease_repository.h: named leases (issue 16, item 10). The "sender" lease is held by the
// one heraldd that sends for a database: a second daemon on the same database must not send the
// same deliveries. A lease has an owner (unique per process start), the host and pid that hold
// it (so a restart on the same host can tell a dead holder from a live one) and a deadline the
// holder keeps moving while it is alive.
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace herald::storage {

struct Lease {
  std::string name;
  std::string owner;
  std::string host;
  std::int64_t pid = 0;
  SysTime acquired_at{};
  SysTime deadline{};
};

class LeaseRepository {
 public:
  virtual ~LeaseRepository() = default;

  virtual Result<std::optional<Lease>> Find(std::string_view name) = 0;
  // Takes the lease when it is free, expired (deadline <= now), already ours, or held by
  // `take_over_from` (an owner the caller knows is dead). Returns the lease as it stands after
  // the call: ours when owner matches, else the current holder's.
  virtual Result<Lease> Acquire(const Lease& wanted, SysTime now,
                                std::string_view take_over_from) = 0;
  // Moves our deadline; kFailedPrecondition (field "owner") when the lease is no longer ours.
  virtual Status Renew(std::string_view name, std::string_view owner, SysTime deadline) = 0;
  // Gives the lease up when it is ours; nothing otherwise.
  virtual Status Release(std::string_view name, std::string_view owner) = 0;
};

}  // namespace herald::storage
