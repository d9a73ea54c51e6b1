#include "common/release.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace herald {
namespace {

using namespace std::chrono_literals;

// Records the thread that destroyed it.
struct Tracked {
  explicit Tracked(std::atomic<std::thread::id>& destroyed_on) : destroyed_on_(destroyed_on) {}
  ~Tracked() { destroyed_on_.store(std::this_thread::get_id()); }
  std::atomic<std::thread::id>& destroyed_on_;
};

TEST(ReleaseWhenUnshared, DestroysAnUnsharedObjectAtOnce) {
  std::atomic<std::thread::id> destroyed_on;
  EXPECT_TRUE(ReleaseWhenUnshared(std::make_shared<Tracked>(destroyed_on)));
  EXPECT_EQ(destroyed_on.load(), std::this_thread::get_id());
  EXPECT_TRUE(ReleaseWhenUnshared(std::shared_ptr<Tracked>()));
}

TEST(ReleaseWhenUnshared, WaitsForTheOtherHolderAndDestroysOnTheCallingThread) {
  std::atomic<std::thread::id> destroyed_on;
  auto object = std::make_shared<Tracked>(destroyed_on);
  std::atomic<bool> holding{false};
  std::thread user([copy = object, &holding]() mutable {
    holding.store(true);
    std::this_thread::sleep_for(30ms);
    copy.reset();
  });
  while (!holding.load()) std::this_thread::yield();
  EXPECT_TRUE(ReleaseWhenUnshared(std::move(object), 10s));
  EXPECT_EQ(destroyed_on.load(), std::this_thread::get_id());
  user.join();
}

TEST(ReleaseWhenUnshared, LeavesTheObjectToAHolderThatOutlastsThePatience) {
  std::atomic<std::thread::id> destroyed_on;
  auto object = std::make_shared<Tracked>(destroyed_on);
  std::shared_ptr<Tracked> holder = object;
  EXPECT_FALSE(ReleaseWhenUnshared(std::move(object), 5ms));
  EXPECT_EQ(destroyed_on.load(), std::thread::id());  // still alive: the holder has it
  std::thread last([held = std::move(holder)]() mutable { held.reset(); });
  const std::thread::id last_id = last.get_id();
  last.join();
  EXPECT_EQ(destroyed_on.load(), last_id);
}

}  // namespace
}  // namespace herald
