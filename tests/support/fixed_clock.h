// A clock that says what the test tells it to.
#pragma once

#include <atomic>

#include "common/clock.h"

namespace herald::testing {

class FixedClock final : public Clock {
 public:
  explicit FixedClock(SysTime now) : now_(now.time_since_epoch().count()) {}
  SysTime Now() const override { return SysTime(std::chrono::milliseconds(now_.load())); }
  void Set(SysTime now) { now_ = now.time_since_epoch().count(); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace herald::testing
