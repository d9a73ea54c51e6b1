// contacts/detail/repeated_numbers.h: finds the numbers an import file holds more than once, and
// the line each one was first seen on, in memory that does not grow with the file's size as a map
// would. Membership is a Roaring bitmap of the E.164 digits: a phone list is clustered in a few
// country and operator ranges, and 3.6M numbers cost 0.4 bytes each spread over a 7-digit range,
// 5 bytes over a 10-digit one (a country's whole mobile plan), and 25 bytes at worst, spread so
// thinly (over 10^11) that each is alone in its 65,536-wide container. The first line of each
// number goes to a scratch file (16 bytes per distinct number, on disk, deleted as it is created)
// that is only read back for the few repeats an import reports (FirstLines), in one sequential
// pass.
//
// Thread rules: one thread (the importing thread), in file order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <roaring/roaring64map.hh>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace herald::contacts::detail {

class RepeatedNumbers {
 public:
  // `scratch_dir`: where the scratch file goes (empty: the temporary directory). The first
  // `buffered` first-seen lines stay in memory; the file is only created past them, so a small
  // import never touches the disk.
  explicit RepeatedNumbers(std::filesystem::path scratch_dir = {},
                           std::size_t buffered = kDefaultBuffered);
  ~RepeatedNumbers();
  RepeatedNumbers(const RepeatedNumbers&) = delete;
  RepeatedNumbers& operator=(const RepeatedNumbers&) = delete;

  // Records that `e164` ("+" and up to 15 digits) is on `line`; true when it was on an earlier
  // line (lines must come in increasing order).
  bool Add(std::string_view e164, std::int64_t line);

  // The line each of `numbers` (E.164, each reported by Add) was first seen on. A number is
  // missing from the answer only when the scratch file could not be written or read back; the
  // caller then says "an earlier line".
  std::unordered_map<std::string, std::int64_t> FirstLines(const std::vector<std::string>& numbers);

  // Distinct numbers seen so far, and the bitmap's serialised size in bytes, close to what it
  // holds in memory (for tests and benchmarks).
  std::uint64_t distinct() const { return seen_.cardinality(); }
  std::size_t bitmap_bytes() const { return seen_.getSizeInBytes(false); }

  static constexpr std::size_t kDefaultBuffered = 65536;  // 1 MiB of first lines

 private:
  struct FirstSeen {
    std::uint64_t key;
    std::int64_t line;
  };
  static std::optional<std::uint64_t> KeyOf(std::string_view e164);
  void Spill();  // moves the buffer to the scratch file

  std::filesystem::path scratch_dir_;
  std::size_t buffered_;
  Roaring64Map seen_;
  std::vector<FirstSeen> buffer_;
  int fd_ = -1;
  std::uint64_t spilled_ = 0;  // entries in the scratch file
  bool spill_failed_ = false;
};

}  // namespace herald::contacts::detail
