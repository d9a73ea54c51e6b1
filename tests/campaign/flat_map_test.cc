// detail::FlatMap against std::map on random inserts, updates and erases, for key patterns that
// stress open addressing: dense runs, strides of powers of two, negative and extreme values.
#include "campaign/detail/flat_map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <vector>

namespace herald::campaign::detail {
namespace {

std::vector<std::int64_t> KeyPool(int pattern, std::mt19937_64& rng) {
  std::vector<std::int64_t> keys;
  for (std::int64_t i = 0; i < 3000; ++i) {
    switch (pattern) {
      case 0:
        keys.push_back(i);  // dense
        break;
      case 1:
        keys.push_back(i * 1024);  // a power-of-two stride
        break;
      case 2:
        keys.push_back(i * 8 + 3);  // one id per block
        break;
      case 3:
        keys.push_back(-i * 7);  // negative
        break;
      default:
        keys.push_back(static_cast<std::int64_t>(rng()));  // anything, extremes included
        break;
    }
  }
  keys.push_back(std::numeric_limits<std::int64_t>::min());
  keys.push_back(std::numeric_limits<std::int64_t>::max());
  return keys;
}

TEST(FlatMap, AgreesWithStdMapOnRandomOperationsForEveryKeyPattern) {
  for (int pattern = 0; pattern < 5; ++pattern) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(pattern) + 1);
    const std::vector<std::int64_t> keys = KeyPool(pattern, rng);
    FlatMap<std::int64_t> map;
    std::map<std::int64_t, std::int64_t> model;
    for (int step = 0; step < 200'000; ++step) {
      const std::int64_t key = keys[rng() % keys.size()];
      switch (rng() % 3) {
        case 0: {
          const auto [value, inserted] = map.TryEmplace(key, step);
          ASSERT_EQ(inserted, model.emplace(key, step).second);
          ASSERT_EQ(*value, model.at(key));
          break;
        }
        case 1:
          ASSERT_EQ(map.Erase(key), model.erase(key) == 1);
          break;
        default: {
          const std::int64_t* value = map.Find(key);
          const auto it = model.find(key);
          ASSERT_EQ(value != nullptr, it != model.end());
          if (value != nullptr) {
            ASSERT_EQ(*value, it->second);
          }
          break;
        }
      }
      ASSERT_EQ(map.size(), model.size()) << "pattern " << pattern << " step " << step;
    }
    for (const auto& [key, value] : model) {
      ASSERT_NE(map.Find(key), nullptr);
      EXPECT_EQ(*map.Find(key), value);
    }
  }
}

TEST(FlatMap, UpdatesThroughThePointerItReturns) {
  FlatMap<int> map;
  *map.TryEmplace(5, 1).first = 7;
  EXPECT_EQ(*map.Find(5), 7);
  EXPECT_FALSE(map.TryEmplace(5, 9).second);
  EXPECT_EQ(*map.Find(5), 7);
  EXPECT_TRUE(map.Erase(5));
  EXPECT_FALSE(map.Erase(5));
  EXPECT_EQ(map.Find(5), nullptr);
}

}  // namespace
}  // namespace herald::campaign::detail
