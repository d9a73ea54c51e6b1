// common/temp_file.h: a file in the temporary directory that is deleted when the last owner lets
// go of it. Used for uploads spooled to disk as they arrive, so that a large body never sits in
// memory and never outlives the work that reads it.
//
// Thread rules: a TempFile may be shared between threads (share it through a shared_ptr); the
// file's contents are the owners' business.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "common/result.h"

namespace herald {

class TempFile {
 public:
  // Creates an empty file "herald-<prefix>-XXXXXX" (mode 0600) in the temporary directory.
  static Result<std::shared_ptr<TempFile>> Create(std::string_view prefix);
  // Takes over an existing file: it is deleted with this object.
  explicit TempFile(std::filesystem::path path) : path_(std::move(path)) {}
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace herald
