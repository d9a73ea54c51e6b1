#include "compliance/starter_word_lists.h"

#include "compliance/detail/words/starter_word_lists_data.h"

namespace herald::compliance {
namespace {

std::string_view Bytes(const unsigned char* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace

std::vector<StarterList> StarterWordLists() {
  return {
      {"de", "de", Bytes(detail::kStarterWordListDe, detail::kStarterWordListDeSize)},
      {"en", "en", Bytes(detail::kStarterWordListEn, detail::kStarterWordListEnSize)},
  };
}

}  // namespace herald::compliance
