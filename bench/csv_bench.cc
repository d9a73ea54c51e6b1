// Google Benchmark of the contact import readers (contacts/import_reader.h): rows per second for a
// typical 8-column CSV, from an in-memory stream, on one core. See bench/RESULTS.md.
//   ninja -C build csv_bench && build/bench/csv_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <variant>

#include "contacts/import_reader.h"

namespace herald::contacts {
namespace {

// A deterministic file of `rows` contacts: 8 columns, ~20 tags, 30 countries, some quoting.
std::string MakeCsv(std::size_t rows) {
  static constexpr const char* kCountries[30] = {
      "DE", "AT", "CH", "FR", "IT", "ES", "PT", "NL", "BE", "LU", "PL", "CZ", "SK", "HU", "RO",
      "BG", "GR", "SE", "NO", "DK", "FI", "IE", "GB", "US", "CA", "MX", "BR", "AR", "IN", "ZA"};
  static constexpr const char* kPlans[4] = {"free", "silver", "gold", "platinum"};
  std::string text = "phone,name,tags,country,language,consent_marketing,plan,city\r\n";
  text.reserve(rows * 90);
  std::uint64_t state = 42;
  char row[256];
  for (std::size_t i = 0; i < rows; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // LCG: deterministic
    const auto r = static_cast<unsigned>(state >> 33);
    const char* name = (r & 7) == 0 ? "\"Doe, Jane\"" : "Jane Doe";
    std::snprintf(row, sizeof row, "+49151%08zu,%s,tag%u;tag%u,%s,de,%s,%s,Berlin\r\n", i, name,
                  r % 20, (r >> 5) % 20, kCountries[(r >> 10) % 30], (r & 16) != 0 ? "yes" : "no",
                  kPlans[(r >> 16) % 4]);
    text += row;
  }
  return text;
}

std::string MakeJsonLines(std::size_t rows) {
  std::string text;
  text.reserve(rows * 150);
  char row[256];
  for (std::size_t i = 0; i < rows; ++i) {
    std::snprintf(row, sizeof row,
                  "{\"phone\":\"+49151%08zu\",\"name\":\"Jane Doe\",\"tags\":[\"tag%zu\"],"
                  "\"country\":\"DE\",\"language\":\"de\",\"consent_marketing\":true,"
                  "\"plan\":\"gold\",\"orders\":%zu}\n",
                  i, i % 20, i % 7);
    text += row;
  }
  return text;
}

void ReadAll(benchmark::State& state, const std::string& text, std::size_t rows) {
  for (auto _ : state) {
    std::istringstream in(text);
    auto reader = ContactReader::Open(in, Format::kAuto);
    if (!reader.ok()) {
      state.SkipWithError(reader.error().message.c_str());
      return;
    }
    std::size_t records = 0;
    while (auto row = (*reader)->Next()) records += std::holds_alternative<ContactRecord>(*row);
    if (records != rows) state.SkipWithError("not every row was read");
    benchmark::DoNotOptimize(records);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["rows_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * rows),
                                                    benchmark::Counter::kIsRate);
}

void BM_ReadCsv8Columns(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const std::string text = MakeCsv(rows);
  ReadAll(state, text, rows);
}
BENCHMARK(BM_ReadCsv8Columns)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_ReadJsonLines(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const std::string text = MakeJsonLines(rows);
  ReadAll(state, text, rows);
}
BENCHMARK(BM_ReadJsonLines)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace herald::contacts

BENCHMARK_MAIN();
