// libFuzzer target: the contact import readers must never crash, hang or leak on any input, and
// every reject must name a line. The first byte picks the format and the read options, so that
// both readers, both delimiters and tiny chunk and row limits are explored.
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DHERALD_FUZZ=ON
//     -DHERALD_BUILD_TESTS=OFF -DHERALD_BUILD_BENCH=OFF
//   ninja -C build-fuzz contacts_fuzz && build-fuzz/tests/fuzz/contacts_fuzz -max_total_time=600
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <variant>

#include "contacts/import_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace herald::contacts;
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  static constexpr Format kFormats[] = {Format::kAuto, Format::kCsv, Format::kJsonLines,
                                        Format::kCsv};
  static constexpr char kDelimiters[] = {0, ',', ';', 0};
  ReaderOptions options;
  options.delimiter = kDelimiters[(control >> 2) & 3];
  options.chunk_bytes = (control & 0x10) != 0 ? 1 + (control >> 5) : 4096;
  options.max_row_bytes = (control & 0x80) != 0 ? 64 : std::size_t{1} << 20;

  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  auto reader = ContactReader::Open(in, kFormats[control & 3], options);
  if (!reader.ok()) {
    if (reader.error().message.empty()) std::abort();
    return 0;
  }
  std::int64_t last_line = 0;
  std::ostringstream rejects_out;
  RejectsCsvWriter writer(rejects_out, (*reader)->columns(), (*reader)->delimiter());
  while (auto row = (*reader)->Next()) {
    if (const auto* record = std::get_if<ContactRecord>(&*row)) {
      if (record->phone.empty() || record->line <= last_line) std::abort();
      last_line = record->line;
    } else {
      const auto& reject = std::get<Reject>(*row);
      if (reject.line <= last_line || !reject.reason.starts_with("line ")) std::abort();
      last_line = reject.line;
      writer.Write(reject);
    }
  }
  if (!(*reader)->status().ok()) std::abort();  // an istringstream cannot fail
  return 0;
}
