#include "contacts/detail/chunked_input.h"

#include <algorithm>
#include <cstring>

#include "contacts/detail/utf8.h"

namespace herald::contacts::detail {

ChunkedInput::ChunkedInput(std::istream& in, std::size_t chunk_bytes, Encoding encoding)
    : in_(in), chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)), encoding_(encoding) {}

bool ChunkedInput::ReadMore() {
  if (failed_ || !in_.good()) {
    failed_ = failed_ || in_.bad();
    return false;
  }
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const std::size_t read = ReadChunk();
  if (in_.bad()) failed_ = true;
  return read > 0;
}

std::size_t ChunkedInput::ReadChunk() {
  if (encoding_ == Encoding::kUtf8) {
    if (buffer_.size() < end_ + chunk_bytes_) buffer_.resize(end_ + chunk_bytes_);
    in_.read(buffer_.data() + end_, static_cast<std::streamsize>(chunk_bytes_));
    const auto read = static_cast<std::size_t>(in_.gcount());
    end_ += read;
    return read;
  }
  raw_.resize(chunk_bytes_);
  in_.read(raw_.data(), static_cast<std::streamsize>(chunk_bytes_));
  const auto read = static_cast<std::size_t>(in_.gcount());
  if (buffer_.size() < end_ + read * kMaxUtf8BytesPerByte) {
    buffer_.resize(end_ + read * kMaxUtf8BytesPerByte);
  }
  std::size_t written = 0;
  AppendAsUtf8(std::string_view(raw_.data(), read), encoding_, buffer_.data() + end_, &written);
  end_ += written;
  return read;
}

void ChunkedInput::SkipByteOrderMark() {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  while (unread().size() < kBom.size() && ReadMore()) {
  }
  if (unread().starts_with(kBom)) Consume(kBom.size());
}

}  // namespace herald::contacts::detail
