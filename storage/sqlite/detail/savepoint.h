// One repository operation as one unit: SAVEPOINT … RELEASE, rolled back when the body fails.
// A savepoint nests inside the storage writer's batch transaction (and its per-job savepoint), and
// outside any transaction it is a transaction of its own, so repositories can promise "all or
// nothing" whether they run as a writer job or directly on a connection (tools, tests).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/sqlite/connection.h"

namespace herald::storage::detail {

// `name` must be a plain SQL identifier (it is part of the statement text, never user input).
template <typename Body>
Status InSavepoint(Connection& connection, std::string_view name, Body&& body) {
  const std::string savepoint(name);
  if (Status begun = connection.Execute("SAVEPOINT " + savepoint); !begun.ok()) return begun;
  Status status = body();
  if (!status.ok()) (void)connection.Execute("ROLLBACK TO " + savepoint);
  if (Status released = connection.Execute("RELEASE " + savepoint); status.ok() && !released.ok()) {
    // Outside a transaction RELEASE is the commit; when it fails, nothing of the body is kept.
    (void)connection.Execute("ROLLBACK TO " + savepoint);
    (void)connection.Execute("RELEASE " + savepoint);
    return released;
  }
  return status;
}

}  // namespace herald::storage::detail
