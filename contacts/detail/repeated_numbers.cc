#include "contacts/detail/repeated_numbers.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <system_error>

namespace herald::contacts::detail {
namespace {

// Writes all of `size` bytes at `offset`; false on any failure (a full disk included).
bool WriteAll(int fd, const void* data, std::size_t size, off_t offset) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::pwrite(fd, bytes, size, offset);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes += written;
    size -= static_cast<std::size_t>(written);
    offset += written;
  }
  return true;
}

}  // namespace

RepeatedNumbers::RepeatedNumbers(std::filesystem::path scratch_dir, std::size_t buffered)
    : scratch_dir_(std::move(scratch_dir)), buffered_(std::max<std::size_t>(1, buffered)) {}

RepeatedNumbers::~RepeatedNumbers() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::uint64_t> RepeatedNumbers::KeyOf(std::string_view e164) {
  if (e164.starts_with('+')) e164.remove_prefix(1);
  if (e164.empty() || e164.size() > 15) return std::nullopt;  // E.164: at most 15 digits
  std::uint64_t key = 0;
  const auto [end, error] = std::from_chars(e164.data(), e164.data() + e164.size(), key);
  if (error != std::errc() || end != e164.data() + e164.size()) return std::nullopt;
  return key;
}

bool RepeatedNumbers::Add(std::string_view e164, std::int64_t line) {
  const auto key = KeyOf(e164);
  if (!key) return false;
  if (!seen_.addChecked(*key)) return true;
  buffer_.push_back(FirstSeen{*key, line});
  if (buffer_.size() >= buffered_) Spill();
  return false;
}

void RepeatedNumbers::Spill() {
  if (spill_failed_) {
    buffer_.clear();  // the first lines are lost; FirstLines leaves those numbers out
    return;
  }
  if (fd_ < 0) {
    std::error_code ec;
    const std::filesystem::path directory =
        scratch_dir_.empty() ? std::filesystem::temp_directory_path(ec) : scratch_dir_;
    std::string path = (directory / "herald-import-lines-XXXXXX").string();
    fd_ = ec ? -1 : ::mkstemp(path.data());
    if (fd_ >= 0) ::unlink(path.c_str());  // gone with the descriptor, even after a crash
  }
  const std::size_t bytes = buffer_.size() * sizeof(FirstSeen);
  if (fd_ < 0 ||
      !WriteAll(fd_, buffer_.data(), bytes, static_cast<off_t>(spilled_ * sizeof(FirstSeen)))) {
    spill_failed_ = true;
  } else {
    spilled_ += buffer_.size();
  }
  buffer_.clear();
}

std::unordered_map<std::string, std::int64_t> RepeatedNumbers::FirstLines(
    const std::vector<std::string>& numbers) {
  std::unordered_map<std::uint64_t, std::int64_t> wanted;
  for (const std::string& number : numbers) {
    if (const auto key = KeyOf(number)) wanted.emplace(*key, 0);
  }
  std::size_t missing = wanted.size();
  auto take = [&](const FirstSeen& entry) {
    const auto it = wanted.find(entry.key);
    if (it != wanted.end() && it->second == 0) {
      it->second = entry.line;
      --missing;
    }
  };
  if (fd_ >= 0 && !spill_failed_) {
    std::vector<FirstSeen> block(4096);
    for (std::uint64_t done = 0; done < spilled_ && missing > 0;) {
      const std::size_t count = std::min<std::uint64_t>(block.size(), spilled_ - done);
      const ssize_t read = ::pread(fd_, block.data(), count * sizeof(FirstSeen),
                                   static_cast<off_t>(done * sizeof(FirstSeen)));
      if (read < 0 && errno == EINTR) continue;
      if (read <= 0 || read % static_cast<ssize_t>(sizeof(FirstSeen)) != 0) break;
      const auto entries = static_cast<std::size_t>(read) / sizeof(FirstSeen);
      for (std::size_t i = 0; i < entries; ++i) take(block[i]);
      done += entries;
    }
  }
  for (const FirstSeen& entry : buffer_) take(entry);

  std::unordered_map<std::string, std::int64_t> lines;
  for (const std::string& number : numbers) {
    const auto key = KeyOf(number);
    if (!key) continue;
    const auto it = wanted.find(*key);
    if (it != wanted.end() && it->second != 0) lines.emplace(number, it->second);
  }
  return lines;
}

}  // namespace herald::contacts::detail
