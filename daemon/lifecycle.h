// daemon/lifecycle.h: the start/stop stack of heraldd's long-lived components (storage, the
// services, and next the provider and the campaign runner). Components start in the order they
// are added and stop in the reverse order, so each may rely on everything started before it for
// its whole life. Adding a component is one call.
//
// A stop gets the deadline by which the daemon means to be gone (the shutdown grace): a component
// with work in flight (an import, a send) finishes or checkpoints it by then. A stop that
// overruns the deadline is logged; the next ones still run, because each relies on the ones
// below it being alive until it returns.
//
// Thread rules: the owning (main) thread only.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"

namespace herald::daemon {

class LifecycleStack {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  ~LifecycleStack();  // StopAll with no time left

  // Runs `start`; when it succeeds, `stop` joins the stack. A failed start leaves the stack as
  // it was (the component must clean up after itself) and returns the error, naming `name`.
  Status Start(std::string name, const std::function<Status()>& start,
               std::function<void(Deadline)> stop);

  // Stops every started component, the last started first. Idempotent.
  void StopAll(Deadline deadline);

  std::size_t size() const { return components_.size(); }

 private:
  struct Component {
    std::string name;
    std::function<void(Deadline)> stop;
  };
  std::vector<Component> components_;
};

}  // namespace herald::daemon
