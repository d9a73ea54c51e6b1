#include "daemon/admin_token.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace herald::daemon {
namespace {

TEST(AdminTokenFile, IsGeneratedOnceWithOwnerOnlyPermissionsAndThenReused) {
  herald::testing::TempDir dir;
  auto path = dir / "admin.token";
  auto first = ReadOrCreateTokenFile(path);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->token.size(), 64u);
  EXPECT_NE(first->source.find("generated"), std::string::npos);
  EXPECT_EQ(first->source.find(first->token), std::string::npos) << "never log the token";
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto second = ReadOrCreateTokenFile(path);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->token, first->token);
}

TEST(AdminTokenFile, AGeneratedFileOthersCanReadIsReusedWithAWarning) {
  herald::testing::TempDir dir;
  auto path = dir / "admin.token";
  auto first = ReadOrCreateTokenFile(path);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_TRUE(first->warnings.empty());
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);

  auto second = ReadOrCreateTokenFile(path);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->token, first->token);
  ASSERT_EQ(second->warnings.size(), 1u);
  EXPECT_EQ(second->warnings[0].path, path);
  EXPECT_EQ(second->warnings[0].mode, 0644u);
  EXPECT_NE(second->warnings[0].ToString().find("chmod 600 " + path.string()), std::string::npos);
}

TEST(AdminTokenFile, EmptyFileIsAnErrorNotAnEmptyToken) {
  herald::testing::TempDir dir;
  std::ofstream(dir / "admin.token") << "\n";
  auto token = ReadOrCreateTokenFile(dir / "admin.token");
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message.find("empty"), std::string::npos);
}

TEST(AdminTokenFile, UnwritableDirectoryIsAClearError) {
  auto token = ReadOrCreateTokenFile("/nonexistent-dir/admin.token");
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message.find("/nonexistent-dir/admin.token"), std::string::npos);
}

}  // namespace
}  // namespace herald::daemon
