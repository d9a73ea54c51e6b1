#include "common/suggest.h"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace herald {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

int EditDistance(std::string_view a, std::string_view b) {
  // d[i][j]: distance between the first i characters of a and the first j of b.
  const std::size_t width = b.size() + 1;
  std::vector<int> d((a.size() + 1) * width);
  auto at = [&](std::size_t i, std::size_t j) -> int& { return d[i * width + j]; };
  for (std::size_t i = 0; i <= a.size(); ++i) at(i, 0) = static_cast<int>(i);
  for (std::size_t j = 0; j <= b.size(); ++j) at(0, j) = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      const bool transposed = i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) &&
                              Lower(a[i - 2]) == Lower(b[j - 1]);
      if (transposed) at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.size(), b.size());
}

std::optional<std::string_view> ClosestMatch(std::string_view typed,
                                             std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  int best_distance = 0;
  for (std::string_view candidate : candidates) {
    const int distance = EditDistance(typed, candidate);
    const int allowed = std::max(2, static_cast<int>(candidate.size()) / 3);
    const bool rewrite = distance >= static_cast<int>(std::min(typed.size(), candidate.size()));
    if (distance > allowed || rewrite) continue;
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace herald
