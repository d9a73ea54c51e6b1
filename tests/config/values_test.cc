// ParseDuration, ParseSize and the edit distance behind "did you mean".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "common/suggest.h"
#include "config/config.h"

namespace herald::config {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

struct Rejected {
  const char* text;
  const char* reason;  // expected somewhere in the message
};

TEST(ParseDuration, AcceptsOneIntegerAndOneUnit) {
  struct Case {
    const char* text;
    std::chrono::milliseconds expected;
  };
  for (const Case& c :
       {Case{"0ms", 0ms}, Case{"250ms", 250ms}, Case{"1s", 1s}, Case{"30s", 30s}, Case{"5m", 5min},
        Case{"1h", 1h}, Case{"2d", 48h}, Case{"007s", 7s}, Case{"90m", 90min}}) {
    const auto duration = ParseDuration(c.text);
    ASSERT_TRUE(duration.ok()) << c.text << ": " << duration.error().ToString();
    EXPECT_EQ(*duration, c.expected) << c.text;
  }
}

TEST(ParseDuration, RejectsAnythingElseSayingWhatIsValid) {
  for (const Rejected& c : {
           Rejected{"", "it is empty"},
           Rejected{"10", "it has no unit"},
           Rejected{"1.5s", "the amount must be a whole number"},
           Rejected{"-1s", "it is negative"},
           Rejected{"+1s", "it does not start with a number"},
           Rejected{"s", "it does not start with a number"},
           Rejected{"10x", "unknown unit \"x\""},
           Rejected{"10S", "unknown unit \"S\""},
           Rejected{"10sec", "unknown unit \"sec\""},
           Rejected{"1m30s", "unknown unit \"m30s\""},
           Rejected{"10 s", "no space before the unit"},
           Rejected{" 10s", "it does not start with a number"},
           Rejected{"99999999999999999999ms", "it is too large"},
           Rejected{"106751991168d", "it is too large"},
       }) {
    const auto duration = ParseDuration(c.text);
    ASSERT_FALSE(duration.ok()) << '"' << c.text << '"';
    EXPECT_EQ(duration.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(duration.error().message, HasSubstr(c.reason)) << c.text;
    EXPECT_THAT(duration.error().message, HasSubstr("e.g. \"250ms\", \"30s\" or \"5m\""));
  }
}

TEST(ParseSize, AcceptsBytesAndDecimalOrBinaryUnits) {
  struct Case {
    const char* text;
    std::size_t expected;
  };
  for (const Case& c : {Case{"0", 0}, Case{"512", 512}, Case{"512B", 512}, Case{"1KB", 1000},
                        Case{"10MB", 10'000'000}, Case{"1GB", 1'000'000'000}, Case{"64KiB", 65536},
                        Case{"10MiB", 10 * 1024 * 1024}, Case{"1GiB", 1024 * 1024 * 1024},
                        Case{"18446744073709551615", std::numeric_limits<std::size_t>::max()}}) {
    const auto size = ParseSize(c.text);
    ASSERT_TRUE(size.ok()) << c.text << ": " << size.error().ToString();
    EXPECT_EQ(*size, c.expected) << c.text;
  }
}

TEST(ParseSize, RejectsNegativesOverflowAndUnknownUnits) {
  for (const Rejected& c : {
           Rejected{"", "it is empty"},
           Rejected{"-1", "it is negative"},
           Rejected{"-1KiB", "it is negative"},
           Rejected{"1TB", "unknown unit \"TB\""},
           Rejected{"1kib", "unknown unit \"kib\""},
           Rejected{"1.5MiB", "the amount must be a whole number"},
           Rejected{"1 MiB", "no space before the unit"},
           Rejected{"MiB", "it does not start with a number"},
           Rejected{"18446744073709551616", "it is too large"},
           Rejected{"17179869184GiB", "it is too large"},
       }) {
    const auto size = ParseSize(c.text);
    ASSERT_FALSE(size.ok()) << '"' << c.text << '"';
    EXPECT_THAT(size.error().message, HasSubstr(c.reason)) << c.text;
    EXPECT_THAT(size.error().message, HasSubstr("(B, KB, MB, GB, KiB, MiB or GiB)"));
  }
}

TEST(ConfigSuggestion, EditDistanceCountsInsertionsDeletionsSubstitutionsAndSwaps) {
  struct Case {
    const char* a;
    const char* b;
    int distance;
  };
  for (const Case& c :
       {Case{"listen", "listen", 0}, Case{"listn", "listen", 1}, Case{"listenn", "listen", 1},
        Case{"lister", "listen", 1}, Case{"lsiten", "listen", 1}, Case{"LISTEN", "listen", 0},
        Case{"", "abc", 3}, Case{"abc", "", 3}, Case{"kitten", "sitting", 3},
        Case{"max_bacth", "max_batch", 1}}) {
    EXPECT_EQ(herald::EditDistance(c.a, c.b), c.distance) << c.a << " / " << c.b;
    EXPECT_EQ(herald::EditDistance(c.b, c.a), c.distance) << c.b << " / " << c.a;
  }
}

TEST(ConfigSuggestion, ClosestMatchOnlySuggestsLikelyTypos) {
  const std::vector<std::string_view> keys{"read_timeout", "idle_timeout", "listen", "path"};
  EXPECT_EQ(herald::ClosestMatch("idle_timout", keys), "idle_timeout");
  EXPECT_EQ(herald::ClosestMatch("listn", keys), "listen");
  EXPECT_EQ(herald::ClosestMatch("PATH", keys), "path");
  EXPECT_EQ(herald::ClosestMatch("colour", keys), std::nullopt);
  EXPECT_EQ(herald::ClosestMatch("x", keys), std::nullopt);
  EXPECT_EQ(herald::ClosestMatch("pa", keys), std::nullopt);
}

}  // namespace
}  // namespace herald::config
