// libFuzzer target: ParseSegment must never crash, hang or leak on any input; an error must name
// a position, and whatever parses must print (ToString) to text that parses to the same tree.
//   cmake -S . -B build-fuzz-segment -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DHERALD_FUZZ=ON
//     -DHERALD_BUILD_TESTS=OFF -DHERALD_BUILD_BENCH=OFF
//   ninja -C build-fuzz-segment segment_fuzz
//   build-fuzz-segment/tests/fuzz/segment_fuzz -max_total_time=600
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "campaign/segment.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const herald::Result<herald::campaign::SegmentExpr> parsed = herald::campaign::ParseSegment(text);
  if (!parsed.ok()) {
    const std::string& message = parsed.error().message;
    const bool too_long = size > herald::campaign::kMaxSegmentLength;
    if (!too_long && message.rfind("position ", 0) != 0) std::abort();
    return 0;
  }
  const std::string printed = herald::campaign::ToString(*parsed);
  const herald::Result<herald::campaign::SegmentExpr> reparsed =
      herald::campaign::ParseSegment(printed);
  if (!reparsed.ok() || !(*reparsed == *parsed)) std::abort();
  if (herald::campaign::ToString(*reparsed) != printed) std::abort();  // canonical: a fixed point
  return 0;
}
