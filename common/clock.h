// Time comes from an injected clock so that decisions can be tested at any instant (PRODUCT.md,
// "Beyond one machine"). Implementations must be safe to call from any thread.
#pragma once

#include <chrono>

namespace herald {

using SysTime = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SysTime Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SysTime Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

}  // namespace herald
