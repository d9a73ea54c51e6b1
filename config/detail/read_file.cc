#include "config/detail/read_file.h"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

namespace herald::config::detail {
namespace {

Error FromErrno(int error) {
  const ErrorCode code = error == ENOENT                     ? ErrorCode::kNotFound
                         : error == EACCES || error == EPERM ? ErrorCode::kPermissionDenied
                                                             : ErrorCode::kIoError;
  return MakeError(code, std::generic_category().message(error));
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

Result<std::string> ReadFile(const std::filesystem::path& path) {
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return FromErrno(errno);
  std::string contents;
  char buffer[4096];
  while (true) {
    const std::size_t read = std::fread(buffer, 1, sizeof buffer, file.get());
    contents.append(buffer, read);
    if (read < sizeof buffer) break;
  }
  // A directory opens fine on Linux; reading it is what fails (EISDIR).
  if (std::ferror(file.get())) return FromErrno(errno != 0 ? errno : EIO);
  return contents;
}

}  // namespace herald::config::detail
