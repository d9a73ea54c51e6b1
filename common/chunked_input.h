// common/chunked_input.h: reads a stream a chunk at a time, keeping the bytes not yet consumed, so
// that readers (the CSV tokenizer, the JSON Lines reader) can scan in place and peek ahead without
// loading the whole input. Text already in memory is read in place, without a copy. Input in
// another encoding than UTF-8 is transcoded chunk by chunk as it is read.
//
// Thread rules: one thread at a time; the stream or text must outlive the ChunkedInput.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <string_view>
#include <vector>

namespace herald {

// Turns bytes of another encoding into UTF-8 as they are read: `convert` writes the UTF-8 of
// `bytes` to `out` (room for bytes.size() * max_expansion) and returns how many bytes it wrote.
// Only for single-byte encodings, whose characters never span two chunks.
struct Transcoder {
  std::function<std::size_t(std::string_view bytes, char* out)> convert;
  std::size_t max_expansion = 1;
};

class ChunkedInput {
 public:
  // Reads `in` as it is (UTF-8), or through `transcoder` when it has a convert function.
  ChunkedInput(std::istream& in, std::size_t chunk_bytes, Transcoder transcoder = {});
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
  // Reads up to chunk_bytes_ from the stream into buffer_ at end_ (transcoded); the bytes read.
  std::size_t ReadChunk();

  std::istream* in_ = nullptr;  // null for text in memory
  std::size_t chunk_bytes_ = 0;
  Transcoder transcoder_;
  std::vector<char> raw_;  // a chunk as read, when it is transcoded
  std::vector<char> buffer_;
  const char* data_ = nullptr;  // buffer_.data(), or the text in memory
  std::size_t begin_ = 0;       // first unread byte
  std::size_t end_ = 0;         // one past the last byte read
  bool failed_ = false;
};

}  // namespace herald
