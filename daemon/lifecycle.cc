#include "daemon/lifecycle.h"

#include "common/log.h"

namespace herald::daemon {

LifecycleStack::~LifecycleStack() { StopAll(std::chrono::steady_clock::now()); }

Status LifecycleStack::Start(std::string name, const std::function<Status()>& start,
                             std::function<void(Deadline)> stop) {
  const auto begun = std::chrono::steady_clock::now();
  if (Status started = start(); !started.ok()) {
    const Error& error = started.error();
    return MakeError(error.code, "starting " + name + ": " + error.message, error.field);
  }
  log::Debug("event=component_started name={} ms={}", log::Quoted(name),
             std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - begun)
                 .count());
  components_.push_back({std::move(name), std::move(stop)});
  return Status::Ok();
}

void LifecycleStack::StopAll(Deadline deadline) {
  while (!components_.empty()) {
    Component component = std::move(components_.back());
    components_.pop_back();
    const auto begun = std::chrono::steady_clock::now();
    component.stop(deadline);
    const auto now = std::chrono::steady_clock::now();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(now - begun).count();
    if (now > deadline && took > 0) {
      log::Warn("event=component_stop_overran name={} ms={}", log::Quoted(component.name), took);
    } else {
      log::Debug("event=component_stopped name={} ms={}", log::Quoted(component.name), took);
    }
  }
}

}  // namespace herald::daemon
