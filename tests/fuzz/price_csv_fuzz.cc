// libFuzzer target: the price table reader (campaign/price_csv.h) must never crash or hang, must
// report every error with a line inside the input, and every table it accepts must be written
// by WritePriceCsv to text that reads back to the same rows, and must answer lookups.
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DHERALD_FUZZ=ON
//     -DHERALD_BUILD_TESTS=OFF -DHERALD_BUILD_BENCH=OFF
//   ninja -C build-fuzz price_csv_fuzz && build-fuzz/tests/fuzz/price_csv_fuzz -max_total_time=600
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "campaign/price_csv.h"
#include "campaign/pricing.h"

namespace {

bool SameRow(const herald::campaign::PriceRow& a, const herald::campaign::PriceRow& b) {
  return a.market == b.market && a.members == b.members && a.category == b.category &&
         a.rate_micros == b.rate_micros && a.currency == b.currency &&
         a.effective_from == b.effective_from;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace herald::campaign;
  const std::string_view csv(reinterpret_cast<const char*>(data), size);
  const PriceCsvResult result = ParsePriceCsv(csv, "fuzz.csv");
  const auto lines = static_cast<int>(std::count(csv.begin(), csv.end(), '\n') +
                                      std::count(csv.begin(), csv.end(), '\r') + 1);
  for (const PriceCsvError& error : result.errors) {
    if (error.line < 0 || error.line > lines) std::abort();
  }
  if (!result.ok()) return 0;
  const PriceCsvResult again = ParsePriceCsv(WritePriceCsv(*result.rows), "again.csv");
  if (!again.ok() || again.rows->size() != result.rows->size()) std::abort();
  for (std::size_t i = 0; i < result.rows->size(); ++i) {
    // Sources that start like a formula are written with a guard, so only the rest must match.
    if (!SameRow((*result.rows)[i], (*again.rows)[i])) std::abort();
  }
  const PriceTable table(*result.rows);
  for (const PriceRow& row : table.rows()) {
    const PriceRow* found = table.Find(row.market, row.category, row.effective_from);
    if (row.market.size() == 2 && found == nullptr) std::abort();
  }
  return 0;
}
