#include "daemon/lifecycle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace herald::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Deadline = LifecycleStack::Deadline;

// Records which components stopped, in order, and the deadline each was given.
struct StopLog {
  std::vector<std::string> stopped;
  std::vector<Deadline> deadlines;

  std::function<void(Deadline)> StopOf(std::string name) {
    return [this, name = std::move(name)](Deadline deadline) {
      stopped.push_back(name);
      deadlines.push_back(deadline);
    };
  }
};

Status StartOk() { return Status::Ok(); }

void StartAll(LifecycleStack& stack, StopLog& log, std::initializer_list<const char*> names) {
  for (const char* name : names) ASSERT_TRUE(stack.Start(name, StartOk, log.StopOf(name)).ok());
}

TEST(LifecycleStack, StopsComponentsInReverseOrderOfStart) {
  StopLog log;
  LifecycleStack stack;
  StartAll(stack, log, {"storage", "services", "http"});
  EXPECT_EQ(stack.size(), 3u);
  stack.StopAll(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  EXPECT_THAT(log.stopped, ElementsAre("http", "services", "storage"));
  EXPECT_EQ(stack.size(), 0u);
}

TEST(LifecycleStack, StartRunsTheStartFunctionOnce) {
  StopLog log;
  LifecycleStack stack;
  int starts = 0;
  ASSERT_TRUE(stack
                  .Start(
                      "storage",
                      [&] {
                        ++starts;
                        return Status::Ok();
                      },
                      log.StopOf("storage"))
                  .ok());
  EXPECT_EQ(starts, 1);
  EXPECT_THAT(log.stopped, IsEmpty()) << "starting must not stop anything";
}

TEST(LifecycleStack, FailedStartIsNotStoppedAndItsErrorNamesTheComponent) {
  StopLog log;
  LifecycleStack stack;
  StartAll(stack, log, {"storage"});
  Status failed = stack.Start(
      "http",
      [] { return Status(MakeError(ErrorCode::kUnavailable, "port 8080 in use", "server.port")); },
      log.StopOf("http"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(failed.error().message, HasSubstr("http"));
  EXPECT_THAT(failed.error().message, HasSubstr("port 8080 in use"));
  EXPECT_EQ(failed.error().field, "server.port");
  EXPECT_EQ(stack.size(), 1u);

  stack.StopAll(std::chrono::steady_clock::now());
  EXPECT_THAT(log.stopped, ElementsAre("storage"));
}

TEST(LifecycleStack, StopAllIsIdempotent) {
  StopLog log;
  LifecycleStack stack;
  StartAll(stack, log, {"storage", "services"});
  stack.StopAll(std::chrono::steady_clock::now());
  stack.StopAll(std::chrono::steady_clock::now());
  EXPECT_THAT(log.stopped, ElementsAre("services", "storage"));
}

TEST(LifecycleStack, DestructorStopsWhatIsStillRunningOnce) {
  StopLog log;
  {
    LifecycleStack stack;
    StartAll(stack, log, {"storage", "services", "http"});
  }
  EXPECT_THAT(log.stopped, ElementsAre("http", "services", "storage"));

  StopLog stopped_early;
  {
    LifecycleStack stack;
    StartAll(stack, stopped_early, {"storage"});
    stack.StopAll(std::chrono::steady_clock::now());
    StartAll(stack, stopped_early, {"restarted"});
  }
  EXPECT_THAT(stopped_early.stopped, ElementsAre("storage", "restarted"));
}

TEST(LifecycleStack, EveryStopGetsTheDeadlineGivenToStopAll) {
  StopLog log;
  LifecycleStack stack;
  StartAll(stack, log, {"storage", "services"});
  const Deadline deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  stack.StopAll(deadline);
  EXPECT_THAT(log.deadlines, ElementsAre(deadline, deadline));
}

TEST(LifecycleStack, StopThatOverrunsTheDeadlineDoesNotSkipTheOthers) {
  StopLog log;
  LifecycleStack stack;
  StartAll(stack, log, {"storage"});
  ASSERT_TRUE(stack
                  .Start("slow", StartOk,
                         [&log](Deadline deadline) {
                           std::this_thread::sleep_until(deadline + std::chrono::milliseconds(5));
                           log.StopOf("slow")(deadline);
                         })
                  .ok());
  stack.StopAll(std::chrono::steady_clock::now());
  EXPECT_THAT(log.stopped, ElementsAre("slow", "storage"));
}

}  // namespace
}  // namespace herald::daemon
