// contacts/detail/chunked_input.h: reads a stream a chunk at a time, keeping the bytes not yet
// consumed, so that readers can scan in place and peek ahead without loading the whole input.
// Input in another encoding than UTF-8 is transcoded to UTF-8 chunk by chunk as it is read.
#pragma once

#include <cstddef>
#include <istream>
#include <string_view>
#include <vector>

#include "contacts/import_reader.h"

namespace herald::contacts::detail {

class ChunkedInput {
 public:
  ChunkedInput(std::istream& in, std::size_t chunk_bytes, Encoding encoding = Encoding::kUtf8);

  // The bytes read but not consumed yet. Valid until the next ReadMore.
  std::string_view unread() const { return {buffer_.data() + begin_, end_ - begin_}; }
  void Consume(std::size_t n) { begin_ += n; }

  // Reads up to one more chunk after the unread bytes (which move to the front of the buffer, so
  // views into unread() become invalid). False when nothing more could be read: at the end of the
  // input, or after a read error (then failed() is true).
  bool ReadMore();
  bool failed() const { return failed_; }

  // Consumes a UTF-8 byte order mark if the unread bytes start with one.
  void SkipByteOrderMark();

 private:
  // Reads up to chunk_bytes_ from the stream to buffer_ at end_, transcoded; the bytes read.
  std::size_t ReadChunk();

  std::istream& in_;
  std::size_t chunk_bytes_;
  Encoding encoding_;
  std::vector<char> raw_;  // a chunk as read, when it is transcoded
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unread byte
  std::size_t end_ = 0;    // one past the last byte read
  bool failed_ = false;
};

}  // namespace herald::contacts::detail
