// RepeatedNumbers against a plain map from number to first line (the oracle), with the first
// lines kept in memory, spilled to the scratch file, and lost when the file cannot be written.
#include "contacts/detail/repeated_numbers.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "tests/support/temp_dir.h"

namespace herald::contacts::detail {
namespace {

// Numbers from a few clustered ranges, many of them repeated, in a fixed pseudo-random order.
std::vector<std::string> Numbers(std::size_t count) {
  std::mt19937_64 random(7);
  const char* prefixes[] = {"+49151", "+1201", "+5511", "+4474"};
  std::vector<std::string> numbers;
  for (std::size_t i = 0; i < count; ++i) {
    std::string number = prefixes[random() % 4];
    number += std::to_string(10'000'000 + random() % (count / 2));
    numbers.push_back(std::move(number));
  }
  return numbers;
}

void CheckAgainstOracle(RepeatedNumbers& repeated, const std::vector<std::string>& numbers) {
  std::map<std::string, std::int64_t> first_line;
  std::vector<std::string> reported;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    const auto line = static_cast<std::int64_t>(i) + 2;  // line 1 is the header
    const bool expected = !first_line.emplace(numbers[i], line).second;
    ASSERT_EQ(repeated.Add(numbers[i], line), expected) << numbers[i] << " on line " << line;
    if (expected && reported.size() < 500) reported.push_back(numbers[i]);
  }
  EXPECT_EQ(repeated.distinct(), first_line.size());
  ASSERT_FALSE(reported.empty());
  const auto lines = repeated.FirstLines(reported);
  for (const std::string& number : reported) {
    ASSERT_TRUE(lines.contains(number)) << number;
    EXPECT_EQ(lines.at(number), first_line.at(number)) << number;
  }
}

TEST(RepeatedNumbers, FindsEveryRepeatAndItsFirstLineInMemory) {
  RepeatedNumbers repeated;
  CheckAgainstOracle(repeated, Numbers(20'000));
}

TEST(RepeatedNumbers, FindsTheFirstLinesOnceSpilledToTheScratchFile) {
  herald::testing::TempDir dir;
  RepeatedNumbers repeated(dir.path(), 100);  // 100 first lines in memory, the rest on disk
  CheckAgainstOracle(repeated, Numbers(50'000));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "the scratch file is unlinked at once";
}

TEST(RepeatedNumbers, LeavesOutTheFirstLinesItCouldNotStore) {
  RepeatedNumbers repeated("/nonexistent/scratch", 2);
  EXPECT_FALSE(repeated.Add("+4915112345678", 2));
  EXPECT_FALSE(repeated.Add("+4915112345679", 3));  // the buffer is full: spilling fails
  EXPECT_FALSE(repeated.Add("+4915112345670", 4));
  EXPECT_TRUE(repeated.Add("+4915112345678", 5)) << "membership does not need the file";
  EXPECT_TRUE(repeated.Add("+4915112345670", 6));
  const auto lines = repeated.FirstLines({"+4915112345678", "+4915112345670"});
  EXPECT_FALSE(lines.contains("+4915112345678"));
  EXPECT_EQ(lines.at("+4915112345670"), 4) << "still in memory";
}

TEST(RepeatedNumbers, IgnoresWhatIsNotAnE164Number) {
  RepeatedNumbers repeated;
  EXPECT_FALSE(repeated.Add("+49151abc", 2));
  EXPECT_FALSE(repeated.Add("+49151abc", 3));
  EXPECT_FALSE(repeated.Add("+1234567890123456", 4));  // 16 digits
  EXPECT_EQ(repeated.distinct(), 0u);
}

TEST(RepeatedNumbers, StaysSmallForAClusteredRangeOfAMillionNumbers) {
  RepeatedNumbers repeated;
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    repeated.Add("+49151" + std::to_string(10'000'000 + i * 3), i + 2);
  }
  EXPECT_EQ(repeated.distinct(), 1'000'000u);
  // 16 bytes per number in a hash map of first lines; a byte or less here.
  EXPECT_LT(repeated.bitmap_bytes(), 1'000'000u);
}

}  // namespace
}  // namespace herald::contacts::detail
