#include "common/temp_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "tests/support/temp_dir.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

// Points TMPDIR at `directory` for the test's lifetime, then restores what was there.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const fs::path& directory) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", directory.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_) {
      ::setenv("TMPDIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }
  ScopedTmpdir(const ScopedTmpdir&) = delete;
  ScopedTmpdir& operator=(const ScopedTmpdir&) = delete;

 private:
  std::optional<std::string> old_;
};

class TempFileTest : public ::testing::Test {
 protected:
  std::shared_ptr<TempFile> Create(std::string_view prefix) {
    auto file = TempFile::Create(prefix);
    EXPECT_TRUE(file.ok()) << file.error().ToString();
    return file.ok() ? *file : nullptr;
  }

  testing::TempDir dir_;
  ScopedTmpdir tmpdir_{dir_.path()};
};

TEST_F(TempFileTest, CreateMakesAnEmptyPrivateFileNamedForItsPrefixInTmpdir) {
  auto file = Create("upload");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->path().parent_path(), dir_.path());
  const std::string name = file->path().filename().string();
  EXPECT_EQ(name.rfind("herald-upload-", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("herald-upload-").size() + 6) << name;
  // mkstemp's suffix may hold an 'X' by chance (one name in 11): only the whole template is wrong.
  EXPECT_NE(name.substr(name.size() - 6), "XXXXXX") << "the template was not filled in: " << name;

  struct stat status {};
  ASSERT_EQ(::stat(file->path().c_str(), &status), 0);
  EXPECT_TRUE(S_ISREG(status.st_mode));
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  EXPECT_EQ(status.st_size, 0);
}

TEST_F(TempFileTest, EachCreateGetsAFileOfItsOwn) {
  auto first = Create("upload");
  auto second = Create("upload");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first->path(), second->path());
  EXPECT_TRUE(fs::exists(first->path()));
  EXPECT_TRUE(fs::exists(second->path()));
}

TEST_F(TempFileTest, FileIsDeletedWhenTheLastOwnerLetsGo) {
  auto owner = Create("upload");
  ASSERT_NE(owner, nullptr);
  const fs::path path = owner->path();
  std::shared_ptr<const TempFile> reader = owner;
  owner.reset();
  EXPECT_TRUE(fs::exists(path)) << "another owner still holds it";
  reader.reset();
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(TempFileTest, FileRemovedBySomeoneElseDoesNotTroubleTheDestructor) {
  auto file = Create("upload");
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(fs::remove(file->path()));
  EXPECT_NO_THROW(file.reset());
}

TEST_F(TempFileTest, TakenOverFileIsDeletedWithTheObject) {
  const fs::path path = dir_ / "spooled.csv";
  { std::ofstream(path) << "phone\n+4915112345678\n"; }
  { TempFile file(path); }
  EXPECT_FALSE(fs::exists(path));
}

// Neither can be written, even by root (who may write into any directory).
TEST_F(TempFileTest, CreateWhereTmpdirIsNoDirectoryIsAnIoError) {
  const fs::path plain_file = dir_ / "plain-file";
  { std::ofstream(plain_file) << "not a directory"; }
  for (const fs::path& tmpdir : {dir_ / "does-not-exist", plain_file}) {
    ScopedTmpdir unusable(tmpdir);
    auto file = TempFile::Create("upload");
    ASSERT_FALSE(file.ok()) << tmpdir;
    EXPECT_EQ(file.error().code, ErrorCode::kIoError) << tmpdir;
  }
  EXPECT_FALSE(fs::exists(dir_ / "does-not-exist"));
}

}  // namespace
}  // namespace herald
