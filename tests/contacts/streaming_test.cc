// Streaming: a large input generated on the fly, read through small chunks, gives every row once,
// with the right line numbers, while neither side ever holds the whole input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <istream>
#include <streambuf>
#include <string>

#include "contacts/import_reader.h"

namespace herald::contacts {
namespace {

// A stream of `rows` rows made by `make_row(i, &text)` (the header is row 0), handed out a few
// bytes at a time.
class GeneratedInput : public std::streambuf {
 public:
  GeneratedInput(std::size_t rows, std::function<void(std::size_t, std::string*)> make_row)
      : rows_(rows), make_row_(std::move(make_row)) {}

 protected:
  int_type underflow() override {
    if (offset_ == pending_.size()) {
      if (next_row_ > rows_) return traits_type::eof();
      pending_.clear();
      offset_ = 0;
      make_row_(next_row_++, &pending_);
    }
    const std::size_t size = std::min(kBytesPerRead, pending_.size() - offset_);
    std::copy_n(pending_.data() + offset_, size, window_);
    offset_ += size;
    setg(window_, window_, window_ + size);
    return traits_type::to_int_type(window_[0]);
  }

 private:
  static constexpr std::size_t kBytesPerRead = 37;
  std::size_t rows_;
  std::function<void(std::size_t, std::string*)> make_row_;
  std::size_t next_row_ = 0;
  std::string pending_;
  std::size_t offset_ = 0;
  char window_[kBytesPerRead];
};

struct Counts {
  std::size_t records = 0;
  std::size_t rejects = 0;
  std::int64_t last_line = 0;
};

Counts ReadThrough(std::istream& in, std::size_t chunk_bytes) {
  ReaderOptions options;
  options.chunk_bytes = chunk_bytes;
  auto reader = ContactReader::Open(in, Format::kAuto, options);
  EXPECT_TRUE(reader.ok());
  Counts counts;
  if (!reader.ok()) return counts;
  while (auto row = (*reader)->Next()) {
    if (const auto* record = std::get_if<ContactRecord>(&*row)) {
      ++counts.records;
      counts.last_line = record->line;
    } else {
      ++counts.rejects;
    }
  }
  EXPECT_TRUE((*reader)->status().ok());
  return counts;
}

TEST(ContactReaderStreaming, Reads200kCsvRowsThroughSmallChunks) {
  constexpr std::size_t kRows = 200'000;
  GeneratedInput source(kRows, [](std::size_t i, std::string* text) {
    char row[160];
    if (i == 0) {
      *text = "phone,name,tags,country,language,consent_marketing,plan,city\r\n";
      return;
    }
    // Every 10000th row has a bad country; every 1000th a name over two lines.
    const char* country = i % 10'000 == 0 ? "Germany" : "DE";
    const char* name = i % 1'000 == 0 ? "\"Anna\r\nSmith\"" : "Anna Smith";
    std::snprintf(row, sizeof row, "+49151%08zu,%s,vip;t%zu,%s,de,yes,gold,Berlin\r\n", i, name,
                  i % 20, country);
    *text = row;
  });
  std::istream in(&source);
  const Counts counts = ReadThrough(in, 1000);
  EXPECT_EQ(counts.records, kRows - kRows / 10'000);
  EXPECT_EQ(counts.rejects, kRows / 10'000);
  // Row 199999 starts after the header, 199998 rows and 199 extra lines.
  EXPECT_EQ(counts.last_line, 1 + 199'998 + 199 + 1);
}

TEST(ContactReaderStreaming, Reads50kJsonLinesThroughSmallChunks) {
  constexpr std::size_t kRows = 50'000;
  GeneratedInput source(kRows, [](std::size_t i, std::string* text) {
    char row[160];
    if (i == 0) {
      *text = "\n";  // a blank first line
      return;
    }
    std::snprintf(row, sizeof row, "{\"phone\":\"+49151%08zu\",\"tags\":[\"t%zu\"],\"n\":%zu}\n", i,
                  i % 20, i);
    *text = i % 5'000 == 0 ? "not json\n" : row;
  });
  std::istream in(&source);
  const Counts counts = ReadThrough(in, 333);
  EXPECT_EQ(counts.records, kRows - kRows / 5'000);
  EXPECT_EQ(counts.rejects, kRows / 5'000);
  EXPECT_EQ(counts.last_line, 1 + 49'999);
}

}  // namespace
}  // namespace herald::contacts
