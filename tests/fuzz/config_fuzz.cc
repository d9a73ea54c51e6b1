// libFuzzer target: ParseConfig must never crash, hang or leak on any input, and must either yield
// a config or at least one error naming a position or key.
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DHERALD_FUZZ=ON -DHERALD_BUILD_TESTS=OFF
//   cmake --build build-fuzz --target config_fuzz && build-fuzz/tests/fuzz/config_fuzz
//   -max_total_time=600
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = herald::config::ParseConfig(text, "fuzz.toml");
  if (result.ok() != result.config.has_value()) std::abort();
  for (const auto& error : result.errors) {
    if (error.message.empty()) std::abort();
    (void)error.ToString();
  }
  (void)herald::config::ParseDuration(text);
  (void)herald::config::ParseSize(text);
  return 0;
}
