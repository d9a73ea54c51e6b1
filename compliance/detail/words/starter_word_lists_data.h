// The bytes of data/wordlists/*.csv, defined in a source file CMake generates into the build
// directory (compliance/CMakeLists.txt).
#pragma once

#include <cstddef>

namespace herald::compliance::detail {

extern const unsigned char kStarterWordListDe[];
extern const std::size_t kStarterWordListDeSize;
extern const unsigned char kStarterWordListEn[];
extern const std::size_t kStarterWordListEnSize;

}  // namespace herald::compliance::detail
