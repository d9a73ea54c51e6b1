#include "common/chunked_input.h"

#include <algorithm>
#include <cstring>

namespace herald {

ChunkedInput::ChunkedInput(std::istream& in, std::size_t chunk_bytes)
    : in_(&in), chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)) {}

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
  if (buffer_.size() < end_ + chunk_bytes_) buffer_.resize(end_ + chunk_bytes_);
  data_ = buffer_.data();
  in_->read(buffer_.data() + end_, static_cast<std::streamsize>(chunk_bytes_));
  const auto read = static_cast<std::size_t>(in_->gcount());
  end_ += read;
  if (in_->bad()) failed_ = true;
  return read > 0;
}

void ChunkedInput::SkipByteOrderMark() {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  while (unread().size() < kBom.size() && ReadMore()) {
  }
  if (unread().starts_with(kBom)) Consume(kBom.size());
}

}  // namespace herald
