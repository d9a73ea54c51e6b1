// LoadSecrets: where the admin token comes from, in order, and what is wrong with it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "config/config.h"
#include "tests/support/temp_dir.h"

namespace herald::config {
namespace {

using herald::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kFileToken = "token-from-the-file-0123";
constexpr const char* kEnvToken = "token-from-the-environment";
constexpr const char* kCredentialToken = "token-from-systemd-credential";

EnvLookup FakeEnvironment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

void WriteFile(const std::filesystem::path& path, std::string_view contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

class LoadSecretsTest : public ::testing::Test {
 protected:
  // A config whose admin_token_file holds `contents`.
  Config WithTokenFile(std::string_view contents) {
    WriteFile(dir_ / "admin.token", contents);
    Config config;
    config.server.admin_token_file = dir_ / "admin.token";
    return config;
  }
  // A credentials directory holding admin_token with `contents`.
  std::string CredentialsDirectory(std::string_view contents) {
    std::filesystem::create_directory(dir_ / "credentials");
    WriteFile(dir_ / "credentials" / "admin_token", contents);
    return (dir_ / "credentials").string();
  }

  TempDir dir_;
};

TEST_F(LoadSecretsTest, ReadsTheTokenFromTheConfiguredFile) {
  const auto secrets = LoadSecrets(WithTokenFile(kFileToken), FakeEnvironment({}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, kFileToken);
}

TEST_F(LoadSecretsTest, StripsTrailingWhitespaceAndNewlines) {
  const auto secrets =
      LoadSecrets(WithTokenFile(std::string(kFileToken) + " \t\r\n\n"), FakeEnvironment({}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, kFileToken);
}

TEST_F(LoadSecretsTest, ConfiguredFileTakesPrecedenceOverEnvironmentAndCredentials) {
  const auto environment =
      FakeEnvironment({{"HERALD_ADMIN_TOKEN", kEnvToken},
                       {"CREDENTIALS_DIRECTORY", CredentialsDirectory(kCredentialToken)}});
  const auto secrets = LoadSecrets(WithTokenFile(kFileToken), environment);
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, kFileToken);
}

TEST_F(LoadSecretsTest, EnvironmentTakesPrecedenceOverCredentials) {
  const auto environment =
      FakeEnvironment({{"HERALD_ADMIN_TOKEN", std::string(kEnvToken) + "\n"},
                       {"CREDENTIALS_DIRECTORY", CredentialsDirectory(kCredentialToken)}});
  const auto secrets = LoadSecrets(Config{}, environment);
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, kEnvToken);
}

TEST_F(LoadSecretsTest, EmptyEnvironmentVariableCountsAsUnset) {
  const auto environment =
      FakeEnvironment({{"HERALD_ADMIN_TOKEN", ""},
                       {"CREDENTIALS_DIRECTORY", CredentialsDirectory(kCredentialToken)}});
  const auto secrets = LoadSecrets(Config{}, environment);
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, kCredentialToken);
}

TEST_F(LoadSecretsTest, ReadsTheSystemdCredential) {
  const auto environment = FakeEnvironment(
      {{"CREDENTIALS_DIRECTORY", CredentialsDirectory(std::string(kCredentialToken) + "\n")}});
  const auto secrets = LoadSecrets(Config{}, environment);
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, kCredentialToken);
}

TEST_F(LoadSecretsTest, CredentialsDirectoryWithoutTheTokenYieldsNoToken) {
  const auto environment = FakeEnvironment({{"CREDENTIALS_DIRECTORY", dir_.path().string()}});
  const auto secrets = LoadSecrets(Config{}, environment);
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, "");
}

TEST_F(LoadSecretsTest, NothingConfiguredYieldsAnEmptyToken) {
  const auto secrets = LoadSecrets(Config{}, FakeEnvironment({}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, "");
}

TEST_F(LoadSecretsTest, MissingConfiguredFileIsAnErrorNamingTheKey) {
  Config config;
  config.server.admin_token_file = dir_ / "missing.token";
  const auto environment = FakeEnvironment({{"HERALD_ADMIN_TOKEN", kEnvToken}});
  const auto secrets = LoadSecrets(config, environment);
  ASSERT_FALSE(secrets.ok());
  EXPECT_EQ(secrets.error().field, "server.admin_token_file");
  EXPECT_EQ(secrets.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(secrets.error().message, HasSubstr("missing.token"));
  EXPECT_THAT(secrets.error().message, HasSubstr("No such file or directory"));
}

TEST_F(LoadSecretsTest, ConfiguredFileThatIsADirectoryIsAnErrorNamingTheKey) {
  Config config;
  config.server.admin_token_file = dir_.path();
  const auto secrets = LoadSecrets(config, FakeEnvironment({}));
  ASSERT_FALSE(secrets.ok());
  EXPECT_EQ(secrets.error().field, "server.admin_token_file");
  EXPECT_THAT(secrets.error().message, HasSubstr("Is a directory"));
}

TEST_F(LoadSecretsTest, EmptyConfiguredFileIsAnErrorNamingTheKey) {
  const auto secrets = LoadSecrets(WithTokenFile(" \n"), FakeEnvironment({}));
  ASSERT_FALSE(secrets.ok());
  EXPECT_EQ(secrets.error().field, "server.admin_token_file");
  EXPECT_THAT(secrets.error().message, HasSubstr("is empty"));
}

TEST_F(LoadSecretsTest, TooShortTokenIsRejectedWithoutEchoingIt) {
  constexpr const char* kShort = "short-token-123";  // 15 characters
  struct Case {
    Config config;
    EnvLookup environment;
    const char* field;
  };
  const Case cases[] = {
      {WithTokenFile(std::string(kShort) + "\n"), FakeEnvironment({}), "server.admin_token_file"},
      {Config{}, FakeEnvironment({{"HERALD_ADMIN_TOKEN", kShort}}), "HERALD_ADMIN_TOKEN"},
      {Config{}, FakeEnvironment({{"CREDENTIALS_DIRECTORY", CredentialsDirectory(kShort)}}),
       "$CREDENTIALS_DIRECTORY/admin_token"},
  };
  for (const Case& c : cases) {
    const auto secrets = LoadSecrets(c.config, c.environment);
    ASSERT_FALSE(secrets.ok()) << c.field;
    EXPECT_EQ(secrets.error().field, c.field);
    EXPECT_THAT(secrets.error().message, HasSubstr("too short; use at least 16 characters"));
    EXPECT_THAT(secrets.error().ToString(), Not(HasSubstr(kShort)));
  }
}

TEST_F(LoadSecretsTest, SixteenCharactersAreEnough) {
  const auto environment = FakeEnvironment({{"HERALD_ADMIN_TOKEN", "0123456789abcdef"}});
  const auto secrets = LoadSecrets(Config{}, environment);
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, "0123456789abcdef");
}

TEST_F(LoadSecretsTest, AWorldReadableTokenFileIsAWarningNamingTheFileItsModeAndTheFix) {
  const Config config = WithTokenFile(kFileToken);
  const auto path = config.server.admin_token_file;
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  const auto secrets = LoadSecrets(config, FakeEnvironment({}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->admin_token, kFileToken) << "a warning, not an error";
  ASSERT_EQ(secrets->warnings.size(), 1u);
  const SecretFileWarning& warning = secrets->warnings[0];
  EXPECT_EQ(warning.source, "server.admin_token_file");
  EXPECT_EQ(warning.path, path);
  EXPECT_EQ(warning.mode, 0644u);
  EXPECT_EQ(warning.ModeString(), "0644");
  EXPECT_EQ(warning.ToString(), "server.admin_token_file: " + path.string() +
                                    " can be read by other users (mode 0644); fix: chmod 600 " +
                                    path.string() +
                                    " (or 640 for a file heraldd reads through its group)");
  EXPECT_THAT(warning.ToString(), Not(HasSubstr(kFileToken)));
}

TEST_F(LoadSecretsTest, ATokenFileOthersCanWriteIsAWarningToo) {
  const Config config = WithTokenFile(kFileToken);
  ASSERT_EQ(::chmod(config.server.admin_token_file.c_str(), 0602), 0);
  const auto secrets = LoadSecrets(config, FakeEnvironment({}));
  ASSERT_TRUE(secrets.ok());
  ASSERT_EQ(secrets->warnings.size(), 1u);
  EXPECT_THAT(secrets->warnings[0].ToString(),
              HasSubstr("can be written by other users (mode 0602)"));
}

TEST_F(LoadSecretsTest, OwnerOnlyAndGroupReadableTokenFilesGiveNoWarning) {
  for (unsigned mode : {0600u, 0400u, 0640u, 0660u}) {
    const Config config = WithTokenFile(kFileToken);
    ASSERT_EQ(::chmod(config.server.admin_token_file.c_str(), mode), 0);
    const auto secrets = LoadSecrets(config, FakeEnvironment({}));
    ASSERT_TRUE(secrets.ok());
    EXPECT_TRUE(secrets->warnings.empty()) << std::oct << mode;
  }
}

TEST_F(LoadSecretsTest, AWorldReadableCredentialIsAWarningNamingIt) {
  const std::string directory = CredentialsDirectory(kCredentialToken);
  ASSERT_EQ(::chmod((dir_ / "credentials" / "admin_token").c_str(), 0644), 0);
  const auto secrets =
      LoadSecrets(Config{}, FakeEnvironment({{"CREDENTIALS_DIRECTORY", directory}}));
  ASSERT_TRUE(secrets.ok());
  ASSERT_EQ(secrets->warnings.size(), 1u);
  EXPECT_EQ(secrets->warnings[0].source, "$CREDENTIALS_DIRECTORY/admin_token");
}

TEST(CheckSecretFileMode, AMissingFileIsNoWarning) {
  EXPECT_EQ(CheckSecretFileMode("/nonexistent-dir/admin.token", "x"), std::nullopt);
}

TEST(LoadSecretsEnvironment, ProcessEnvironmentLooksUpRealVariables) {
  ::setenv("HERALD_CONFIG_TEST_VARIABLE", "value", 1);
  const EnvLookup environment = ProcessEnvironment();
  EXPECT_EQ(environment("HERALD_CONFIG_TEST_VARIABLE"), "value");
  ::unsetenv("HERALD_CONFIG_TEST_VARIABLE");
  EXPECT_EQ(environment("HERALD_CONFIG_TEST_VARIABLE"), std::nullopt);
}

}  // namespace
}  // namespace herald::config
