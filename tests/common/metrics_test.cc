#include "common/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace herald::metrics {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(Metrics, CounterIsSerialisedWithHelpTypeAndValue) {
  Registry registry;
  Counter accepted = registry.AddCounter("herald_test_accepted_total", "Accepted things.").With();
  accepted.Increment();
  accepted.Increment(2);
  EXPECT_EQ(accepted.Value(), 3);
  std::string text = registry.Serialize();
  EXPECT_TRUE(HasLine(text, "# HELP herald_test_accepted_total Accepted things.")) << text;
  EXPECT_TRUE(HasLine(text, "# TYPE herald_test_accepted_total counter")) << text;
  EXPECT_TRUE(HasLine(text, "herald_test_accepted_total 3")) << text;
}

TEST(Metrics, EachSetOfLabelValuesIsOneSeries) {
  Registry registry;
  CounterFamily responses = registry.AddCounter("herald_test_responses_total", "Responses.");
  responses.With({{"code", "4xx"}}).Increment();
  responses.With({{"code", "2xx"}}).Increment(5);
  responses.With({{"code", "2xx"}}).Increment();  // the same series again
  responses.With({{"code", "5xx"}});              // exists with 0 once created
  std::string text = registry.Serialize();
  EXPECT_TRUE(HasLine(text, R"(herald_test_responses_total{code="2xx"} 6)")) << text;
  EXPECT_TRUE(HasLine(text, R"(herald_test_responses_total{code="4xx"} 1)")) << text;
  EXPECT_TRUE(HasLine(text, R"(herald_test_responses_total{code="5xx"} 0)")) << text;
  // Series in label order, whatever the order of creation.
  EXPECT_LT(text.find(R"({code="2xx"})"), text.find(R"({code="4xx"})"));
  EXPECT_LT(text.find(R"({code="4xx"})"), text.find(R"({code="5xx"})"));
}

TEST(Metrics, SeveralLabelsAndEscapedValues) {
  Registry registry;
  GaugeFamily info = registry.AddGauge("herald_test_info", "Information.");
  info.With({{"version", "1.2 \"beta\"\\x\ny"}, {"arch", "x86_64"}}).Set(1);
  std::string text = registry.Serialize();
  // Labels in name order; quote, backslash and newline escaped as the format requires.
  EXPECT_TRUE(HasLine(text, R"(herald_test_info{arch="x86_64",version="1.2 \"beta\"\\x\ny"} 1)"))
      << text;
}

TEST(Metrics, GaugeGoesUpAndDownAndTakesDurationsInSeconds) {
  Registry registry;
  Gauge open = registry.AddGauge("herald_test_open", "Open things.").With();
  open.Increment();
  open.Increment(3);
  open.Decrement();
  EXPECT_EQ(open.Value(), 3);
  Gauge last = registry.AddGauge("herald_test_last_seconds", "Last duration.").With();
  last.Set(milliseconds(250));
  EXPECT_EQ(last.Value(), 0.25);
  std::string text = registry.Serialize();
  EXPECT_TRUE(HasLine(text, "# TYPE herald_test_open gauge")) << text;
  EXPECT_TRUE(HasLine(text, "herald_test_open 3")) << text;
  EXPECT_TRUE(HasLine(text, "herald_test_last_seconds 0.25")) << text;
}

TEST(Metrics, HistogramHasCumulativeBucketsSumAndCount) {
  Registry registry;
  HistogramFamily durations =
      registry.AddHistogram("herald_test_duration_seconds", "Durations.", {0.1, 1});
  Histogram get = durations.With({{"route", "/a"}});
  get.Observe(0.05);
  get.Observe(milliseconds(500));
  get.Observe(2.0);
  durations.With({{"route", "/b"}}).Observe(0.5);
  std::string text = registry.Serialize();
  EXPECT_TRUE(HasLine(text, "# TYPE herald_test_duration_seconds histogram")) << text;
  EXPECT_TRUE(HasLine(text, R"(herald_test_duration_seconds_bucket{route="/a",le="0.1"} 1)"))
      << text;
  EXPECT_TRUE(HasLine(text, R"(herald_test_duration_seconds_bucket{route="/a",le="1"} 2)")) << text;
  EXPECT_TRUE(HasLine(text, R"(herald_test_duration_seconds_bucket{route="/a",le="+Inf"} 3)"))
      << text;
  EXPECT_TRUE(HasLine(text, R"(herald_test_duration_seconds_sum{route="/a"} 2.55)")) << text;
  EXPECT_TRUE(HasLine(text, R"(herald_test_duration_seconds_count{route="/a"} 3)")) << text;
  EXPECT_TRUE(HasLine(text, R"(herald_test_duration_seconds_count{route="/b"} 1)")) << text;
}

TEST(Metrics, CallbacksAreReadAtEverySerialise) {
  Registry registry;
  double jobs = 1;
  double queued = 7;
  auto counter =
      registry.AddCallbackCounter("herald_test_jobs_total", "Jobs.", [&] { return jobs; });
  auto gauge = registry.AddCallbackGauge("herald_test_queued", "Queued.", [&] { return queued; });
  EXPECT_TRUE(HasLine(registry.Serialize(), "herald_test_jobs_total 1"));
  jobs = 4;
  queued = 2;
  std::string text = registry.Serialize();
  EXPECT_TRUE(HasLine(text, "# TYPE herald_test_jobs_total counter")) << text;
  EXPECT_TRUE(HasLine(text, "herald_test_jobs_total 4")) << text;
  EXPECT_TRUE(HasLine(text, "# TYPE herald_test_queued gauge")) << text;
  EXPECT_TRUE(HasLine(text, "herald_test_queued 2")) << text;
}

TEST(Metrics, DestroyingTheRegistrationRemovesTheCallback) {
  Registry registry;
  std::optional<CallbackRegistration> registration =
      registry.AddCallbackGauge("herald_test_temporary", "Temporary.", [] { return 1.0; });
  CallbackRegistration moved = std::move(*registration);
  registration.reset();  // the moved-from registration removes nothing
  EXPECT_THAT(registry.Serialize(), HasSubstr("herald_test_temporary 1"));
  { CallbackRegistration gone = std::move(moved); }
  EXPECT_THAT(registry.Serialize(), Not(HasSubstr("herald_test_temporary")));
  // The name is free again.
  auto again = registry.AddCallbackGauge("herald_test_temporary", "Again.", [] { return 2.0; });
  EXPECT_THAT(registry.Serialize(), HasSubstr("herald_test_temporary 2"));
}

TEST(Metrics, FamiliesAreSortedByName) {
  Registry registry;
  auto zeta = registry.AddCallbackGauge("herald_test_zeta", "Z.", [] { return 0.0; });
  registry.AddGauge("herald_test_beta", "B.").With();
  registry.AddCounter("herald_test_gamma_total", "G.").With();
  auto alpha = registry.AddCallbackCounter("herald_test_alpha_total", "A.", [] { return 0.0; });
  std::string text = registry.Serialize();
  std::vector<std::size_t> positions;
  for (const char* name : {"herald_test_alpha_total ", "herald_test_beta ",
                           "herald_test_gamma_total ", "herald_test_zeta "}) {
    positions.push_back(text.find(std::string("\n") + name));
    ASSERT_NE(positions.back(), std::string::npos) << name << " in\n" << text;
  }
  EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end())) << text;
}

TEST(Metrics, SameNameAndTypeIsOneFamily) {
  Registry registry;
  registry.AddCounter("herald_test_shared_total", "Shared.").With().Increment();
  registry.AddCounter("herald_test_shared_total", "Shared.").With().Increment();
  std::string text = registry.Serialize();
  EXPECT_TRUE(HasLine(text, "herald_test_shared_total 2")) << text;
  EXPECT_EQ(text.find("# TYPE herald_test_shared_total"),
            text.rfind("# TYPE herald_test_shared_total"));
}

TEST(Metrics, ConflictingOrInvalidNamesAreProgrammingErrors) {
  Registry registry;
  registry.AddCounter("herald_test_taken_total", "Taken.");
  EXPECT_THROW(registry.AddGauge("herald_test_taken_total", "Again."), std::invalid_argument);
  EXPECT_THROW(
      (void)registry.AddCallbackCounter("herald_test_taken_total", "Again.", [] { return 0.0; }),
      std::invalid_argument);
  auto callback = registry.AddCallbackGauge("herald_test_pulled", "Pulled.", [] { return 0.0; });
  EXPECT_THROW(registry.AddGauge("herald_test_pulled", "Again."), std::invalid_argument);
  EXPECT_THROW((void)registry.AddCallbackGauge("herald_test_pulled", "Again.", [] { return 0.0; }),
               std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("herald-bad-name", "Bad."), std::invalid_argument);
  EXPECT_THROW((void)registry.AddCallbackGauge("1bad", "Bad.", [] { return 0.0; }),
               std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("herald_test_labels_total", "L.").With({{"bad-label", "x"}}),
               std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("herald_test_h_seconds", "H.", {1, 0.5}),
               std::invalid_argument);
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  Registry registry;
  Counter counter = registry.AddCounter("herald_test_concurrent_total", "C.").With();
  Histogram histogram =
      registry.AddHistogram("herald_test_concurrent_seconds", "H.", LatencyBucketsSeconds()).With();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        counter.Increment();
        histogram.Observe(0.001);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.Value(), 40000);
  EXPECT_TRUE(HasLine(registry.Serialize(), "herald_test_concurrent_seconds_count 40000"));
}

}  // namespace
}  // namespace herald::metrics
