// libFuzzer target: the shared CSV tokenizer (common/csv.h) must never crash or hang, must give
// the same rows however the input is split into chunks, and every row it reads without error must
// be written back by AppendCsvRow (guarded or not) to text that reads back to the same fields.
// The first byte picks the delimiter, the chunk size and the row limit.
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DHERALD_FUZZ=ON
//     -DHERALD_BUILD_TESTS=OFF -DHERALD_BUILD_BENCH=OFF
//   ninja -C build-fuzz csv_fuzz && build-fuzz/tests/fuzz/csv_fuzz -max_total_time=600
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv.h"

namespace {

struct Row {
  std::int64_t line;
  std::vector<std::string> fields;
  herald::CsvRowError error;
  bool operator==(const Row&) const = default;
};

std::vector<Row> Tokenize(herald::ChunkedInput& input, char delimiter, std::size_t max_row_bytes) {
  herald::CsvTokenizer tokenizer(input, max_row_bytes);
  tokenizer.set_delimiter(delimiter);
  std::vector<Row> rows;
  herald::CsvRow row;
  while (tokenizer.Next(row)) {
    if (row.line < (rows.empty() ? 1 : rows.back().line + 1)) std::abort();
    rows.push_back(Row{row.line, row.Fields(), row.error});
  }
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const char delimiter = (control & 1) != 0 ? ';' : ',';
  const std::size_t chunk_bytes = 1 + ((control >> 1) & 7);
  const std::size_t max_row_bytes = (control & 0x10) != 0 ? 32 : std::size_t{1} << 20;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

  herald::ChunkedInput whole(text);
  const std::vector<Row> rows = Tokenize(whole, delimiter, max_row_bytes);
  std::istringstream in(text);
  herald::ChunkedInput chunked(in, chunk_bytes);
  if (Tokenize(chunked, delimiter, max_row_bytes) != rows) std::abort();

  herald::CsvWriteOptions options;
  options.delimiter = delimiter;
  options.guard_formulas = (control & 0x20) != 0;
  for (const Row& row : rows) {
    if (row.error != herald::CsvRowError::kNone) continue;
    std::string written;
    herald::AppendCsvRow(written, row.fields, options);
    herald::ChunkedInput again(written);
    const std::vector<Row> read = Tokenize(again, delimiter, std::size_t{1} << 20);
    if (read.size() != 1 || read[0].fields.size() != row.fields.size()) std::abort();
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
      const std::string_view field = read[0].fields[i];
      if ((options.guard_formulas ? herald::StripFormulaGuard(field) : field) != row.fields[i]) {
        std::abort();
      }
    }
  }
  return 0;
}
