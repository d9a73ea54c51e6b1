#include "daemon/admin_token.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace herald::daemon {
namespace {

Result<std::string> RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return MakeError(ErrorCode::kInternal, "cannot generate a random admin token");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kHex[c >> 4];
    hex += kHex[c & 0xf];
  }
  return hex;
}

Result<std::string> ReadToken(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    return MakeError(ErrorCode::kIoError,
                     "cannot read admin token file " + path.string() + ": " + std::strerror(errno));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string token = buffer.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "admin token file " + path.string() + " is empty");
  }
  return token;
}

}  // namespace

Result<AdminToken> ReadOrCreateTokenFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) {
    return MakeError(ErrorCode::kIoError, "cannot create admin token file " + path.string() + ": " +
                                              std::strerror(errno));
  }
  if (fd >= 0) {
    auto token = RandomHex(32);
    if (!token.ok()) {
      ::close(fd);
      return token.error();
    }
    std::string line = *token + "\n";
    bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    written = ::fsync(fd) == 0 && written;
    ::close(fd);
    if (!written) {
      ::unlink(path.c_str());
      return MakeError(ErrorCode::kIoError, "cannot write admin token file " + path.string());
    }
    return AdminToken{*token, path.string() + " (generated)", {}};
  }
  auto token = ReadToken(path);
  if (!token.ok()) return token.error();
  AdminToken found{*token, path.string(), {}};
  if (auto warning = config::CheckSecretFileMode(path, "generated admin token")) {
    found.warnings.push_back(std::move(*warning));
  }
  return found;
}

}  // namespace herald::daemon
