#include "common/chunked_input.h"

#include <algorithm>
#include <cstring>

namespace herald {

ChunkedInput::ChunkedInput(std::istream& in, std::size_t chunk_bytes, Transcoder transcoder)
    : in_(&in),
      chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)),
      transcoder_(std::move(transcoder)) {}

ChunkedInput::ChunkedInput(std::string_view text) : data_(text.data()), end_(text.size()) {}

bool ChunkedInput::ReadMore() {
  if (in_ == nullptr) return false;
  if (failed_ || !in_->good()) {
    failed_ = failed_ || in_->bad();
    return false;
  }
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const std::size_t read = ReadChunk();
  data_ = buffer_.data();
  if (in_->bad()) failed_ = true;
  return read > 0;
}

std::size_t ChunkedInput::ReadChunk() {
  if (!transcoder_.convert) {
    if (buffer_.size() < end_ + chunk_bytes_) buffer_.resize(end_ + chunk_bytes_);
    in_->read(buffer_.data() + end_, static_cast<std::streamsize>(chunk_bytes_));
    const auto read = static_cast<std::size_t>(in_->gcount());
    end_ += read;
    return read;
  }
  raw_.resize(chunk_bytes_);
  in_->read(raw_.data(), static_cast<std::streamsize>(chunk_bytes_));
  const auto read = static_cast<std::size_t>(in_->gcount());
  const std::size_t room = read * std::max<std::size_t>(transcoder_.max_expansion, 1);
  if (buffer_.size() < end_ + room) buffer_.resize(end_ + room);
  end_ += transcoder_.convert(std::string_view(raw_.data(), read), buffer_.data() + end_);
  return read;
}

void ChunkedInput::SkipByteOrderMark() {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  while (unread().size() < kBom.size() && ReadMore()) {
  }
  if (unread().starts_with(kBom)) Consume(kBom.size());
}

}  // namespace herald
