// How much memory the import's repeated-number check (contacts/detail/repeated_numbers.h) needs
// as the numbers spread out: 3.6M random numbers under one prefix, spread over 10^7 to 10^11,
// heap measured with mallinfo2(). Run by hand: build/bench/repeated_numbers_spread [count].
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "contacts/detail/repeated_numbers.h"

int main(int argc, char** argv) {
  const std::uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 3'600'000;
  for (std::uint64_t spread = 10'000'000; spread <= 100'000'000'000; spread *= 10) {
    std::mt19937_64 random(1);
    const struct mallinfo2 before = mallinfo2();
    {
      herald::contacts::detail::RepeatedNumbers numbers;
      for (std::uint64_t i = 0; i < count; ++i) {
        numbers.Add("+" + std::to_string(4915000000000ull + random() % spread),
                    static_cast<std::int64_t>(i) + 2);
      }
      const struct mallinfo2 after = mallinfo2();
      const double heap = static_cast<double>(after.uordblks - before.uordblks);
      std::printf("spread=1e%d distinct=%llu heap=%.1f MB (%.1f B/number)\n",
                  static_cast<int>(std::to_string(spread).size() - 1),
                  static_cast<unsigned long long>(numbers.distinct()), heap / 1e6,
                  heap / static_cast<double>(count));
    }
  }
}
