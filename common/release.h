// Choosing the thread that destroys a shared object.
//
// Whoever drops the last std::shared_ptr to an object runs its destructor. For a large immutable
// object that is swapped out while other threads may still be using it (a compiled word filter:
// ≈ 4 ms to destroy at 10,000 terms), that should not be a thread that sends messages or serves
// the network. ReleaseWhenUnshared is called by the thread that swapped the object out: it waits
// until nobody else holds the object, then destroys it there.
//
// Thread rules: call it on a thread that may block (a worker), never on the network thread.
#pragma once

#include <chrono>
#include <memory>
#include <thread>

namespace herald {

// Releases `retired` once this is its only reference, polling every `poll` for at most
// `patience`. Returns true when this thread destroyed it; false when another thread still held it
// after `patience` (that thread then destroys it when it lets go: still correct, only slower
// there). No new reference can appear meanwhile: the caller has already replaced it everywhere
// it was published.
template <typename T>
bool ReleaseWhenUnshared(std::shared_ptr<T> retired,
                         std::chrono::milliseconds patience = std::chrono::seconds(1),
                         std::chrono::microseconds poll = std::chrono::microseconds(200)) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (retired && retired.use_count() > 1) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  retired.reset();
  return true;
}

}  // namespace herald
