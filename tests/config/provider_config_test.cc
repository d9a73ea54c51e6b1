// The [provider] tables: every key read into ProviderConfig, each invalid value one error naming
// its key, the base URL rule (https, or http only to loopback), and where the Cloud API access
// token comes from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "config/config.h"
#include "tests/support/temp_dir.h"

namespace herald::config {
namespace {

using namespace std::chrono_literals;
using herald::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

ProviderConfig ParseProvider(std::string_view toml) {
  const ConfigResult result = ParseConfig(toml, "herald.toml");
  EXPECT_TRUE(result.ok()) << result.ErrorsToString();
  return result.ok() ? result.config->provider : ProviderConfig{};
}

TEST(ProviderConfig, DefaultsAreTheDocumentedOnes) {
  const ProviderConfig defaults;
  EXPECT_EQ(defaults.kind, ProviderKind::kSandbox);
  EXPECT_EQ(defaults.cloud_api.base_url, "https://graph.facebook.com");
  EXPECT_EQ(defaults.cloud_api.api_version, "v23.0");
  EXPECT_TRUE(defaults.cloud_api.access_token_file.empty());
  EXPECT_EQ(defaults.cloud_api.max_in_flight, 256u);
  EXPECT_EQ(defaults.cloud_api.request_timeout, 30s);
  EXPECT_EQ(defaults.cloud_api.connect_timeout, 10s);
  EXPECT_EQ(defaults.sandbox.seed, 1u);
  EXPECT_EQ(defaults.sandbox.throughput, 80u);
  EXPECT_EQ(defaults.sandbox.pair_interval, 6s);
}

TEST(ProviderConfig, ReadsEveryKey) {
  const ProviderConfig config = ParseProvider(R"(
[provider]
kind = "cloud_api"

[provider.cloud_api]
base_url = "https://graph.example.com/proxy/"
api_version = "v24.1"
access_token_file = "/etc/herald/cloud_api.token"
max_in_flight = 64
request_timeout = "45s"
connect_timeout = "3s"

[provider.sandbox]
seed = 42
latency = "0s"
throughput = 1000
pair_interval = "0s"
transient_error_rate = 0.25
undeliverable_rate = 1
read_rate = 0
reply_rate = 0.5
stop_rate = 1.0
status_delay = "10ms"
)");
  EXPECT_EQ(config.kind, ProviderKind::kCloudApi);
  EXPECT_EQ(config.cloud_api.base_url, "https://graph.example.com/proxy") << "no trailing '/'";
  EXPECT_EQ(config.cloud_api.api_version, "v24.1");
  EXPECT_EQ(config.cloud_api.access_token_file, "/etc/herald/cloud_api.token");
  EXPECT_EQ(config.cloud_api.max_in_flight, 64u);
  EXPECT_EQ(config.cloud_api.request_timeout, 45s);
  EXPECT_EQ(config.cloud_api.connect_timeout, 3s);
  EXPECT_EQ(config.sandbox.seed, 42u);
  EXPECT_EQ(config.sandbox.latency, 0ms);
  EXPECT_EQ(config.sandbox.throughput, 1000u);
  EXPECT_EQ(config.sandbox.pair_interval, 0ms);
  EXPECT_EQ(config.sandbox.transient_error_rate, 0.25);
  EXPECT_EQ(config.sandbox.undeliverable_rate, 1.0);
  EXPECT_EQ(config.sandbox.read_rate, 0.0);
  EXPECT_EQ(config.sandbox.reply_rate, 0.5);
  EXPECT_EQ(config.sandbox.stop_rate, 1.0);
  EXPECT_EQ(config.sandbox.status_delay, 10ms);
}

TEST(ProviderConfig, PlainHttpIsAcceptedOnlyForLoopbackAddresses) {
  for (const char* url :
       {"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:1/", "http://[::1]:9",
        "https://graph.facebook.com", "https://[2001:db8::1]", "https://10.0.0.1:8443/graph"}) {
    SCOPED_TRACE(url);
    EXPECT_TRUE(CheckCloudApiBaseUrl(url).ok()) << CheckCloudApiBaseUrl(url).error().message;
  }
  for (const char* url : {"http://graph.facebook.com", "http://10.0.0.1", "http://[::2]:80",
                          "http://128.0.0.1", "http://localhost.example.com"}) {
    SCOPED_TRACE(url);
    const Status checked = CheckCloudApiBaseUrl(url);
    ASSERT_FALSE(checked.ok());
    EXPECT_THAT(checked.error().message, HasSubstr("plain http:// is allowed only to a loopback"));
  }
}

struct InvalidCase {
  const char* toml;
  const char* key;
  const char* message;  // expected somewhere in the message
};

TEST(ProviderConfig, EachInvalidValueIsOneErrorNamingItsKey) {
  const InvalidCase cases[] = {
      {"[provider]\nkind = \"cloudapi\"", "provider.kind", R"(did you mean "cloud_api"?)"},
      {"[provider]\nkind = 1", "provider.kind", "expected a string"},
      {"[provider.cloud_api]\nbase_url = \"http://example.com\"", "provider.cloud_api.base_url",
       "plain http:// is allowed only to a loopback address"},
      {"[provider.cloud_api]\nbase_url = \"ftp://example.com\"", "provider.cloud_api.base_url",
       "it must start with https://"},
      {"[provider.cloud_api]\nbase_url = \"https://user:pw@example.com\"",
       "provider.cloud_api.base_url", "a user name or password does not belong in it"},
      {"[provider.cloud_api]\nbase_url = \"https://example.com/?a=b\"",
       "provider.cloud_api.base_url", "a query or fragment"},
      {"[provider.cloud_api]\nbase_url = \"https://example.com:99999\"",
       "provider.cloud_api.base_url", "invalid port \"99999\""},
      {"[provider.cloud_api]\nbase_url = \"https://\"", "provider.cloud_api.base_url",
       "it has no host"},
      {"[provider.cloud_api]\nbase_url = \"https://exa mple.com\"", "provider.cloud_api.base_url",
       "a space or a control character"},
      {"[provider.cloud_api]\napi_version = \"23.0\"", "provider.cloud_api.api_version",
       R"(expected a Graph API version like "v23.0", got "23.0")"},
      {"[provider.cloud_api]\naccess_token_file = \"token.txt\"",
       "provider.cloud_api.access_token_file", "must be an absolute path"},
      {"[provider.cloud_api]\nmax_in_flight = 0", "provider.cloud_api.max_in_flight",
       "must be between 1 and 10000, got 0"},
      {"[provider.cloud_api]\nrequest_timeout = \"500ms\"", "provider.cloud_api.request_timeout",
       "must be between 1s and 10m"},
      {"[provider.cloud_api]\nconnect_timeout = 10", "provider.cloud_api.connect_timeout",
       "expected a string"},
      {"[provider.sandbox]\nseed = -1", "provider.sandbox.seed", "must not be negative"},
      {"[provider.sandbox]\nthroughput = 0", "provider.sandbox.throughput",
       "must be between 1 and 100000"},
      {"[provider.sandbox]\nread_rate = 1.5", "provider.sandbox.read_rate",
       "must be between 0 and 1, got 1.5"},
      {"[provider.sandbox]\nreply_rate = \"5%\"", "provider.sandbox.reply_rate",
       "expected a fraction like 0.05, got string"},
      {"[provider.sandbox]\nstop_rate = nan", "provider.sandbox.stop_rate",
       "must be between 0 and 1"},
      {"[provider.sandbox]\nlatency = \"2m\"", "provider.sandbox.latency",
       "must be between 0s and 1m"},
      {"[provider.sandbox]\nsed = 1", "provider.sandbox.sed", R"(did you mean "seed"?)"},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.toml);
    const ConfigResult result = ParseConfig(c.toml, "herald.toml");
    ASSERT_EQ(result.errors.size(), 1u) << result.ErrorsToString();
    EXPECT_EQ(result.errors[0].key, c.key);
    EXPECT_EQ(result.errors[0].line, 2);
    EXPECT_THAT(result.errors[0].message, HasSubstr(c.message));
  }
}

TEST(ProviderConfig, AnAccessTokenWrittenInTheFileIsRefusedWithoutEchoingIt) {
  const ConfigResult result =
      ParseConfig("[provider.cloud_api]\naccess_token = \"EAAG-secret-value\"", "herald.toml");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].key, "provider.cloud_api.access_token");
  EXPECT_THAT(result.errors[0].message, HasSubstr("secrets must not be written"));
  EXPECT_THAT(result.ErrorsToString(), Not(HasSubstr("EAAG-secret-value")));
}

// LoadSecrets for the Cloud API token.
class CloudApiTokenTest : public ::testing::Test {
 protected:
  static EnvLookup Environment(std::map<std::string, std::string> variables) {
    return
        [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
          const auto found = variables.find(name);
          if (found == variables.end()) return std::nullopt;
          return found->second;
        };
  }
  Config CloudApi() {
    Config config;
    config.provider.kind = ProviderKind::kCloudApi;
    return config;
  }
  std::filesystem::path Write(const std::string& name, std::string_view contents) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    ::chmod(path.c_str(), 0600);
    return path;
  }

  TempDir dir_;
};

TEST_F(CloudApiTokenTest, ComesFromTheFileThenTheEnvironmentThenTheCredential) {
  std::filesystem::create_directory(dir_ / "credentials");
  Write("credentials/cloud_api_token", "from-credential\n");
  Config config = CloudApi();
  const std::string credentials = (dir_ / "credentials").string();
  const std::map<std::string, std::string> both{{"HERALD_CLOUD_API_TOKEN", "from-environment"},
                                                {"CREDENTIALS_DIRECTORY", credentials}};

  auto secrets = LoadSecrets(config, Environment({{"CREDENTIALS_DIRECTORY", credentials}}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->cloud_api_token, "from-credential");

  secrets = LoadSecrets(config, Environment(both));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->cloud_api_token, "from-environment");

  config.provider.cloud_api.access_token_file = Write("cloud.token", "from-file\n");
  secrets = LoadSecrets(config, Environment(both));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_EQ(secrets->cloud_api_token, "from-file");
  EXPECT_TRUE(secrets->warnings.empty());
}

TEST_F(CloudApiTokenTest, MissingTokenIsAnErrorNamingTheKeyAndTheOtherSources) {
  const auto secrets = LoadSecrets(CloudApi(), Environment({}));
  ASSERT_FALSE(secrets.ok());
  EXPECT_EQ(secrets.error().field, "provider.cloud_api.access_token_file");
  EXPECT_THAT(secrets.error().message, HasSubstr("HERALD_CLOUD_API_TOKEN"));
  EXPECT_THAT(secrets.error().message, HasSubstr("cloud_api_token"));
}

TEST_F(CloudApiTokenTest, TheSandboxNeedsNoToken) {
  const auto secrets = LoadSecrets(Config{}, Environment({}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  EXPECT_TRUE(secrets->cloud_api_token.empty());
}

TEST_F(CloudApiTokenTest, ATokenWithASpaceInsideIsRefusedWithoutEchoingIt) {
  Config config = CloudApi();
  config.provider.cloud_api.access_token_file = Write("cloud.token", "EAAG secret\nX-Evil: 1\n");
  const auto secrets = LoadSecrets(config, Environment({}));
  ASSERT_FALSE(secrets.ok());
  EXPECT_EQ(secrets.error().field, "provider.cloud_api.access_token_file");
  EXPECT_THAT(secrets.error().ToString(), Not(HasSubstr("EAAG")));
}

TEST_F(CloudApiTokenTest, AFileOthersCanReadIsAWarningNamingTheKey) {
  Config config = CloudApi();
  config.provider.cloud_api.access_token_file = Write("cloud.token", "token\n");
  ::chmod(config.provider.cloud_api.access_token_file.c_str(), 0644);
  const auto secrets = LoadSecrets(config, Environment({}));
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  ASSERT_EQ(secrets->warnings.size(), 1u);
  EXPECT_EQ(secrets->warnings[0].source, "provider.cloud_api.access_token_file");
}

TEST_F(CloudApiTokenTest, AnUnreadableFileIsAnErrorNamingTheKey) {
  Config config = CloudApi();
  config.provider.cloud_api.access_token_file = dir_ / "missing.token";
  const auto secrets = LoadSecrets(config, Environment({{"HERALD_CLOUD_API_TOKEN", "x"}}));
  ASSERT_FALSE(secrets.ok());
  EXPECT_EQ(secrets.error().field, "provider.cloud_api.access_token_file");
  EXPECT_THAT(secrets.error().message, HasSubstr("cannot read"));
}

TEST(SendingConfig, DefaultsAndEveryKey) {
  const SendingConfig defaults;
  EXPECT_EQ(defaults.max_attempts, 8u);
  EXPECT_EQ(defaults.retry_base, 1s);
  EXPECT_EQ(defaults.retry_max, 10min);
  EXPECT_EQ(defaults.max_in_flight, 10000u);
  EXPECT_EQ(defaults.claim_batch, 5000u);
  const ConfigResult result = ParseConfig(R"(
[sending]
max_attempts = 3
retry_base = "250ms"
retry_max = "2m"
max_in_flight = 500
claim_batch = 100
)",
                                          "herald.toml");
  ASSERT_TRUE(result.ok()) << result.ErrorsToString();
  const SendingConfig& sending = result.config->sending;
  EXPECT_EQ(sending.max_attempts, 3u);
  EXPECT_EQ(sending.retry_base, 250ms);
  EXPECT_EQ(sending.retry_max, 2min);
  EXPECT_EQ(sending.max_in_flight, 500u);
  EXPECT_EQ(sending.claim_batch, 100u);
}

TEST(SendingConfig, OutOfRangeValuesNameTheirKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"max_attempts = 0", "sending.max_attempts"}, {"retry_base = \"10ms\"", "sending.retry_base"},
      {"retry_max = \"2d\"", "sending.retry_max"},  {"max_in_flight = 0", "sending.max_in_flight"},
      {"claim_batch = 5", "sending.claim_batch"},   {"colour = 1", "sending.colour"},
  };
  for (const auto& [line, key] : cases) {
    const ConfigResult result = ParseConfig(std::string("[sending]\n") + line, "herald.toml");
    ASSERT_EQ(result.errors.size(), 1u) << line;
    EXPECT_EQ(result.errors[0].key, key) << line;
    EXPECT_EQ(result.errors[0].line, 2) << line;
  }
}

}  // namespace
}  // namespace herald::config
