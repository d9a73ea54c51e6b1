#include "common/temp_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace herald {

Result<std::shared_ptr<TempFile>> TempFile::Create(std::string_view prefix) {
  std::error_code ec;
  const std::filesystem::path directory = std::filesystem::temp_directory_path(ec);
  if (ec) return MakeError(ErrorCode::kIoError, "no temporary directory: " + ec.message());
  // mkstemp replaces the six trailing characters of its template.
  std::string path = (directory / ("herald-" + std::string(prefix) + "-XXXXXX")).string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    return MakeError(ErrorCode::kIoError, "cannot create a temporary file in " +
                                              directory.string() + ": " +
                                              std::generic_category().message(errno));
  }
  ::close(fd);
  return std::make_shared<TempFile>(std::filesystem::path(path));
}

TempFile::~TempFile() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

}  // namespace herald
