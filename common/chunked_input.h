// common/chunked_input.h: reads a stream a chunk at a time, keeping the bytes not yet consumed, so
// that readers (the CSV tokenizer, the JSON Lines reader) can scan in place and peek ahead without
// loading the whole input. Text already in memory is read in place, without a copy.
//
// Thread rules: one thread at a time; the stream or text must outlive the ChunkedInput.
#pragma once

#include <cstddef>
#include <istream>
#include <string_view>
#include <vector>

namespace herald {

class ChunkedInput {
 public:
  ChunkedInput(std::istream& in, std::size_t chunk_bytes);
  // The whole of `text` is unread from the start; ReadMore never adds anything.
  explicit ChunkedInput(std::string_view text);

  // The bytes read but not consumed yet. Valid until the next ReadMore.
  std::string_view unread() const { return {data_ + begin_, end_ - begin_}; }
  void Consume(std::size_t n) { begin_ += n; }

  // Reads up to one more chunk after the unread bytes (which move to the front of the buffer, so
  // views into unread() become invalid). False when nothing more could be read: at the end of the
  // input, or after a read error (then failed() is true).
  bool ReadMore();
  bool failed() const { return failed_; }

  // Consumes a UTF-8 byte order mark if the unread bytes start with one.
  void SkipByteOrderMark();

 private:
  std::istream* in_ = nullptr;  // null for text in memory
  std::size_t chunk_bytes_ = 0;
  std::vector<char> buffer_;
  const char* data_ = nullptr;  // buffer_.data(), or the text in memory
  std::size_t begin_ = 0;       // first unread byte
  std::size_t end_ = 0;         // one past the last byte read
  bool failed_ = false;
};

}  // namespace herald
