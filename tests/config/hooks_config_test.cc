// The [hooks.<name>] tables (issue 17, item 5): every key read, each invalid value one error
// naming its key, the URL rule, and where each endpoint's signing secret comes from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "config/config.h"
#include "tests/support/temp_dir.h"

namespace herald::config {
namespace {

using namespace std::chrono_literals;
using herald::testing::TempDir;
using ::testing::HasSubstr;

TEST(HooksConfig, NoEndpointsByDefault) { EXPECT_TRUE(Config{}.hooks.empty()); }

TEST(HooksConfig, ReadsEveryKeyOfEachEndpoint) {
  const ConfigResult result = ParseConfig(R"(
[hooks.crm]
url = "https://crm.example.com/herald?team=7"
secret_file = "/etc/herald/hook_crm_secret"
events = ["campaign.state", "contact.opted_out"]
timeout = "3s"
max_attempts = 5
retry_base = "2s"
retry_max = "1m"
max_age = "2h"

[hooks.local-sheet]
url = "http://127.0.0.1:9000/events"
)",
                                          "herald.toml");
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  const auto& hooks = result.config->hooks;
  ASSERT_EQ(hooks.size(), 2u);
  const HookEndpointConfig& crm = hooks.at("crm");
  EXPECT_EQ(crm.url, "https://crm.example.com/herald?team=7");
  EXPECT_EQ(crm.secret_file, "/etc/herald/hook_crm_secret");
  EXPECT_EQ(crm.events, (std::vector<std::string>{"campaign.state", "contact.opted_out"}));
  EXPECT_EQ(crm.timeout, 3s);
  EXPECT_EQ(crm.max_attempts, 5u);
  EXPECT_EQ(crm.retry_base, 2s);
  EXPECT_EQ(crm.retry_max, 1min);
  EXPECT_EQ(crm.max_age, 2h);
  const HookEndpointConfig& sheet = hooks.at("local-sheet");
  EXPECT_EQ(sheet.events.size(), 3u) << "every kind by default";
  EXPECT_EQ(sheet.max_attempts, 12u);
}

struct BadHook {
  std::string toml;
  std::string key;
  std::string message;
};

class HooksConfigErrors : public ::testing::TestWithParam<BadHook> {};

TEST_P(HooksConfigErrors, NameTheKeyAndWhatIsWrong) {
  const ConfigResult result = ParseConfig(GetParam().toml, "herald.toml");
  ASSERT_EQ(result.errors.size(), 1u) << result.ErrorsToString();
  EXPECT_EQ(result.errors[0].key, GetParam().key);
  EXPECT_THAT(result.errors[0].message, HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HooksConfigErrors,
    ::testing::Values(
        BadHook{"[hooks.crm]\nurl = \"http://crm.example.com/\"\n", "hooks.crm.url",
                "plain http:// is allowed only to a loopback address"},
        BadHook{"[hooks.crm]\nurl = \"ftp://crm.example.com/\"\n", "hooks.crm.url",
                "it must start with https://"},
        BadHook{"[hooks.crm]\nurl = \"https://u:p@crm.example.com/\"\n", "hooks.crm.url",
                "a user name or password does not belong in it"},
        BadHook{"[hooks.crm]\nsecret_file = \"/etc/herald/s\"\n", "hooks.crm", "missing url"},
        BadHook{"[hooks.crm]\nurl = \"https://c.example/\"\nurll = 1\n", "hooks.crm.urll",
                "unknown key; did you mean \"url\"?"},
        BadHook{"[hooks.crm]\nurl = \"https://c.example/\"\nsecret = \"hunter2\"\n",
                "hooks.crm.secret", "secrets must not be written in the config file"},
        BadHook{"[hooks.crm]\nurl = \"https://c.example/\"\nevents = [\"campaign.stat\"]\n",
                "hooks.crm.events", "did you mean \"campaign.state\"?"},
        BadHook{"[hooks.crm]\nurl = \"https://c.example/\"\nevents = []\n", "hooks.crm.events",
                "is empty"},
        BadHook{"[hooks.crm]\nurl = \"https://c.example/\"\nevents = [\"campaign.state\", "
                "\"campaign.state\"]\n",
                "hooks.crm.events", "listed twice"},
        BadHook{"[hooks.crm]\nurl = \"https://c.example/\"\ntimeout = \"2h\"\n",
                "hooks.crm.timeout", "out of range"},
        BadHook{"[hooks.crm]\nurl = \"https://c.example/\"\nmax_attempts = 0\n",
                "hooks.crm.max_attempts", "out of range"},
        BadHook{"[hooks.crm]\nurl = \"https://c.example/\"\nsecret_file = \"s\"\n",
                "hooks.crm.secret_file", "must be an absolute path"},
        BadHook{"[hooks.crm]\nurl = \"https://c.example/\"\nretry_base = \"1m\"\n"
                "retry_max = \"1s\"\n",
                "hooks.crm", "retry_max must not be below retry_base"},
        BadHook{"[hooks]\ncrm = \"https://c.example/\"\n", "hooks.crm", "expected a table"},
        BadHook{"[[hooks]]\nurl = \"https://c.example/\"\n", "hooks", "expected a table"},
        BadHook{"[hooks.\"c rm\"]\nurl = \"https://c.example/\"\n", "hooks.c rm",
                "an endpoint's name has"}),
    [](const ::testing::TestParamInfo<BadHook>& info) { return std::to_string(info.index); });

TEST(HooksConfig, AWrongValueIsNeverQuotedForAKeyThatLooksLikeASecret) {
  const ConfigResult result =
      ParseConfig("[hooks.crm]\nurl = \"https://c.example/\"\ntoken = \"hunter2\"\n", "h.toml");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].ToString(), ::testing::Not(HasSubstr("hunter2")));
}

Config WithHook(const std::string& name, std::filesystem::path secret_file = {}) {
  Config config;
  HookEndpointConfig endpoint;
  endpoint.url = "https://c.example/";
  endpoint.secret_file = std::move(secret_file);
  config.hooks[name] = endpoint;
  return config;
}

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

TEST(HookSecrets, FromTheFileTheEnvironmentOrACredentialInThatOrder) {
  TempDir dir;
  const auto file = dir / "crm.secret";
  std::ofstream(file) << "from-the-file\n";
  ::chmod(file.c_str(), 0600);
  auto secrets = LoadSecrets(WithHook("crm", file), Env({{"HERALD_HOOK_CRM_SECRET", "env"}}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->hook_secrets.at("crm"), "from-the-file");

  secrets = LoadSecrets(WithHook("local-sheet"), Env({{"HERALD_HOOK_LOCAL_SHEET_SECRET", "env"}}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->hook_secrets.at("local-sheet"), "env");

  std::ofstream(dir / "hook_crm_secret") << "credential";
  secrets = LoadSecrets(WithHook("crm"), Env({{"CREDENTIALS_DIRECTORY", dir.path().string()}}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->hook_secrets.at("crm"), "credential");
}

TEST(HookSecrets, NoneIsAnErrorNamingEveryWayToSetIt) {
  auto secrets = LoadSecrets(WithHook("crm"), Env({}));
  ASSERT_FALSE(secrets.ok());
  EXPECT_EQ(secrets.error().field, "hooks.crm.secret_file");
  EXPECT_THAT(secrets.error().message, HasSubstr("HERALD_HOOK_CRM_SECRET"));
  EXPECT_THAT(secrets.error().message, HasSubstr("hook_crm_secret"));
}

}  // namespace
}  // namespace herald::config
