// The bit-sliced index behind last_inbound agrees with plain comparisons, including thresholds
// whose high bits no stored value has and thresholds outside uint32.
#include "campaign/detail/bit_sliced_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <vector>

namespace herald::campaign::detail {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::uint32_t>::max();

std::vector<std::uint64_t> Keys(const Bitmap& bitmap) {
  std::vector<std::uint64_t> keys;
  bitmap.iterate(
      [](std::uint64_t key, void* out) {
        static_cast<std::vector<std::uint64_t>*>(out)->push_back(key);
        return true;
      },
      &keys);
  return keys;
}

void ExpectAgreesWithBruteForce(const BitSlicedIndex& index,
                                const std::map<std::uint64_t, std::uint32_t>& values,
                                std::int64_t threshold) {
  std::vector<std::uint64_t> greater;
  std::vector<std::uint64_t> less;
  for (const auto& [key, value] : values) {
    if (value > threshold) greater.push_back(key);
    if (value < threshold) less.push_back(key);
  }
  EXPECT_EQ(Keys(*index.GreaterThan(threshold)), greater) << "> " << threshold;
  EXPECT_EQ(Keys(*index.LessThan(threshold)), less) << "< " << threshold;
}

TEST(BitSlicedIndex, AgreesWithPlainComparisonsForEveryKindOfThreshold) {
  std::mt19937_64 random(42);
  for (const std::uint32_t value_limit : {15u, 4096u, std::numeric_limits<std::uint32_t>::max()}) {
    BitSlicedIndex index;
    std::map<std::uint64_t, std::uint32_t> values;
    std::uniform_int_distribution<std::uint32_t> value(0, value_limit);
    for (std::uint64_t key = 0; key < 3000; ++key) {
      if (key % 3 == 0) continue;  // no value
      const std::uint64_t sparse_key = key * 977 + (key % 5 == 0 ? (std::uint64_t{1} << 40) : 0);
      values[sparse_key] = value(random);
      index.Set(sparse_key, values[sparse_key]);
    }
    std::vector<std::int64_t> thresholds = {-5,
                                            -1,
                                            0,
                                            1,
                                            2,
                                            16,
                                            1 << 20,
                                            kMax - 1,
                                            kMax,
                                            kMax + 1,
                                            std::numeric_limits<std::int64_t>::max()};
    for (int i = 0; i < 40; ++i) {
      const std::int64_t stored = std::next(values.begin(), i * 37)->second;
      thresholds.insert(thresholds.end(), {stored - 1, stored, stored + 1});
    }
    for (std::int64_t threshold : thresholds) ExpectAgreesWithBruteForce(index, values, threshold);
  }
}

TEST(BitSlicedIndex, ClearForgetsAKeyAndItsBits) {
  BitSlicedIndex index;
  index.Set(1, 5);
  index.Set(2, 9);
  index.Clear(1, 5);
  index.Set(1, 2);
  EXPECT_EQ(Keys(*index.GreaterThan(4)), std::vector<std::uint64_t>({2}));
  EXPECT_EQ(Keys(*index.LessThan(4)), std::vector<std::uint64_t>({1}));
  index.Clear(2, 9);
  EXPECT_EQ(Keys(index.present()), std::vector<std::uint64_t>({1}));
}

}  // namespace
}  // namespace herald::campaign::detail
