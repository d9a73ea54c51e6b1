// systemd/herald.example.toml documents every key with its default: check that it still does, and
// LoadConfigFile on real files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "config/detail/schema.h"
#include "tests/support/temp_dir.h"

namespace herald::config {
namespace {

using herald::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::filesystem::path ExampleFile() {
  const char* source_dir = std::getenv("HERALD_SOURCE_DIR");
  if (source_dir == nullptr) source_dir = HERALD_SOURCE_DIR_AT_BUILD;
  return std::filesystem::path(source_dir) / "systemd" / "herald.example.toml";
}

// "table.key" for every line that sets a key (not commented out), in file order.
std::vector<std::string> KeysSetIn(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::vector<std::string> keys;
  std::string table;
  for (std::string line; std::getline(file, line);) {
    if (line.empty() || line.starts_with('#')) continue;
    if (line.starts_with('[')) {
      table = line.substr(1, line.find(']') - 1);
    } else if (const auto equals = line.find(" = "); equals != std::string::npos) {
      keys.push_back(table + "." + line.substr(0, equals));
    }
  }
  return keys;
}

TEST(ExampleConfig, ParsesToTheDefaults) {
  const ConfigResult result = LoadConfigFile(ExampleFile());
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  EXPECT_EQ(*result.config, Config{});
}

TEST(ExampleConfig, SetsEveryKnownKeyExplicitly) {
  // Together with ParsesToTheDefaults: every documented default is the code's default.
  EXPECT_EQ(KeysSetIn(ExampleFile()), detail::KnownKeys());
}

TEST(LoadConfigFile, MissingFileIsOneErrorNamingTheFileAndTheReason) {
  TempDir dir;
  const auto path = dir / "missing.toml";
  const ConfigResult result = LoadConfigFile(path);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].file, path.string());
  EXPECT_EQ(result.errors[0].ToString(),
            path.string() + ": cannot read config file: No such file or directory");
  EXPECT_FALSE(result.config.has_value());
}

TEST(LoadConfigFile, DirectoryIsOneErrorNamingTheReason) {
  TempDir dir;
  const ConfigResult result = LoadConfigFile(dir.path());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("Is a directory"));
}

TEST(LoadConfigFile, ErrorsNameTheFilesPath) {
  TempDir dir;
  const auto path = dir / "herald.toml";
  std::ofstream(path) << "[server]\nlistn = \"127.0.0.1:1\"\n";
  const ConfigResult result = LoadConfigFile(path);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].ToString(), StartsWith(path.string() + ":2:1: server.listn: "));
}

TEST(LoadConfigFile, ReadsAValidFile) {
  TempDir dir;
  const auto path = dir / "herald.toml";
  std::ofstream(path) << "[storage]\nmax_batch = 64\n";
  const ConfigResult result = LoadConfigFile(path);
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  EXPECT_EQ(result.config->storage.max_batch, 64u);
}

}  // namespace
}  // namespace herald::config
