// LoadSecrets: the admin token and the Cloud API token from a file, the environment or a systemd
// credential. No token value ever goes into an error message.
#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "config/config.h"
#include "config/detail/read_file.h"

namespace herald::config {
namespace {

constexpr std::size_t kMinTokenLength = 16;
constexpr const char* kTokenVariable = "HERALD_ADMIN_TOKEN";

// A token and where it came from, as the name to put in errors.
struct FoundToken {
  std::string token;
  std::string source;
  std::optional<SecretFileWarning> warning;  // the file it was read from is open to others
};

std::string WithoutTrailingSpace(std::string text) {
  const auto end = text.find_last_not_of(" \t\r\n\v\f");
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

Result<FoundToken> ReadTokenFile(const std::filesystem::path& path, std::string source) {
  auto contents = detail::ReadFile(path);
  if (!contents) {
    return MakeError(contents.error().code,
                     "cannot read \"" + path.string() + "\": " + contents.error().message, source);
  }
  std::string token = WithoutTrailingSpace(std::move(contents).value());
  if (token.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "\"" + path.string() + "\" is empty", source);
  }
  auto warning = CheckSecretFileMode(path, source);
  return FoundToken{std::move(token), std::move(source), std::move(warning)};
}

// The first configured source, in the documented order; an empty token when there is none.
Result<FoundToken> FindAdminToken(const Config& config, const EnvLookup& getenv) {
  if (!config.server.admin_token_file.empty()) {
    return ReadTokenFile(config.server.admin_token_file, "server.admin_token_file");
  }
  if (auto value = getenv(kTokenVariable)) {
    std::string token = WithoutTrailingSpace(std::move(*value));
    if (!token.empty()) return FoundToken{std::move(token), kTokenVariable, std::nullopt};
  }
  if (auto directory = getenv("CREDENTIALS_DIRECTORY"); directory && !directory->empty()) {
    const auto path = std::filesystem::path(*directory) / "admin_token";
    std::error_code ignored;
    if (std::filesystem::exists(path, ignored)) {
      return ReadTokenFile(path, "$CREDENTIALS_DIRECTORY/admin_token");
    }
  }
  return FoundToken{};
}

// Where one secret may come from, in the documented order.
struct SecretSources {
  const std::filesystem::path& file;
  const char* file_key;    // the config key naming `file`
  const char* variable;    // the environment variable
  const char* credential;  // the file's name in $CREDENTIALS_DIRECTORY
};

// The first source that is set; an empty token when none is.
Result<FoundToken> FindSecret(const SecretSources& sources, const EnvLookup& getenv) {
  if (!sources.file.empty()) return ReadTokenFile(sources.file, sources.file_key);
  if (auto value = getenv(sources.variable)) {
    std::string token = WithoutTrailingSpace(std::move(*value));
    if (!token.empty()) return FoundToken{std::move(token), sources.variable, std::nullopt};
  }
  if (auto directory = getenv("CREDENTIALS_DIRECTORY"); directory && !directory->empty()) {
    const auto path = std::filesystem::path(*directory) / sources.credential;
    std::error_code ignored;
    if (std::filesystem::exists(path, ignored)) {
      return ReadTokenFile(path, std::string("$CREDENTIALS_DIRECTORY/") + sources.credential);
    }
  }
  return FoundToken{};
}

// The Cloud API token goes into an HTTP header: it must be one printable word.
Result<FoundToken> FindCloudApiToken(const Config& config, const EnvLookup& getenv) {
  constexpr const char* kFileKey = "provider.cloud_api.access_token_file";
  auto found = FindSecret({config.provider.cloud_api.access_token_file, kFileKey,
                           "HERALD_CLOUD_API_TOKEN", "cloud_api_token"},
                          getenv);
  if (!found) return found;
  if (found->token.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "[provider] kind = \"cloud_api\" needs an access token: set " +
                         std::string(kFileKey) +
                         ", the environment variable HERALD_CLOUD_API_TOKEN or the systemd "
                         "credential cloud_api_token",
                     kFileKey);
  }
  for (char c : found->token) {
    if (c <= ' ' || c == 0x7f) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the access token contains a space or a control character; it must be "
                       "one line without spaces",
                       found->source);
    }
  }
  return found;
}

}  // namespace

Result<Secrets> LoadSecrets(const Config& config, const EnvLookup& getenv) {
  auto found = FindAdminToken(config, getenv);
  if (!found) return std::move(found).error();
  if (!found->token.empty() && found->token.size() < kMinTokenLength) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "admin token is too short; use at least 16 characters", found->source);
  }
  Secrets secrets;
  secrets.admin_token = std::move(found->token);
  if (found->warning) secrets.warnings.push_back(std::move(*found->warning));
  if (config.provider.kind == ProviderKind::kCloudApi) {
    auto cloud = FindCloudApiToken(config, getenv);
    if (!cloud) return std::move(cloud).error();
    secrets.cloud_api_token = std::move(cloud->token);
    if (cloud->warning) secrets.warnings.push_back(std::move(*cloud->warning));
  }
  const struct {
    const std::filesystem::path& file;
    const char* key;
    const char* variable;
    const char* credential;
    std::string& into;
  } webhook_secrets[] = {
      {config.webhooks.app_secret_file, "webhooks.app_secret_file", "HERALD_WEBHOOK_APP_SECRET",
       "webhook_app_secret", secrets.webhook_app_secret},
      {config.webhooks.verify_token_file, "webhooks.verify_token_file",
       "HERALD_WEBHOOK_VERIFY_TOKEN", "webhook_verify_token", secrets.webhook_verify_token},
  };
  for (const auto& secret : webhook_secrets) {
    auto webhook =
        FindSecret({secret.file, secret.key, secret.variable, secret.credential}, getenv);
    if (!webhook) return std::move(webhook).error();
    secret.into = std::move(webhook->token);
    if (webhook->warning) secrets.warnings.push_back(std::move(*webhook->warning));
  }
  for (const auto& [name, endpoint] : config.hooks) {
    std::string variable = "HERALD_HOOK_";
    for (char c : name) {
      variable.push_back(c == '-' ? '_'
                                  : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    variable += "_SECRET";
    const std::string file_key = "hooks." + name + ".secret_file";
    const std::string credential = "hook_" + name + "_secret";
    auto hook = FindSecret(
        {endpoint.secret_file, file_key.c_str(), variable.c_str(), credential.c_str()}, getenv);
    if (!hook) return std::move(hook).error();
    if (hook->token.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "hook endpoint \"" + name + "\" needs a signing secret: set " + file_key +
                           ", the environment variable " + variable +
                           " or the systemd credential " + credential,
                       file_key);
    }
    secrets.hook_secrets[name] = std::move(hook->token);
    if (hook->warning) secrets.warnings.push_back(std::move(*hook->warning));
  }
  return secrets;
}

std::string SecretFileWarning::ModeString() const {
  char octal[8];
  std::snprintf(octal, sizeof(octal), "%04o", mode & 07777);
  return octal;
}

std::string SecretFileWarning::Fix() const {
  return "chmod 600 " + path.string() + " (or 640 for a file heraldd reads through its group)";
}

std::string SecretFileWarning::ToString() const {
  const bool writable = (mode & S_IWOTH) != 0;
  const bool readable = (mode & S_IROTH) != 0;
  const char* what = readable && writable ? "read and written" : readable ? "read" : "written";
  return source + ": " + path.string() + " can be " + what + " by other users (mode " +
         ModeString() + "); fix: " + Fix();
}

std::optional<SecretFileWarning> CheckSecretFileMode(const std::filesystem::path& path,
                                                     std::string source) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if ((st.st_mode & (S_IROTH | S_IWOTH)) == 0) return std::nullopt;
  return SecretFileWarning{std::move(source), path, static_cast<unsigned>(st.st_mode & 07777)};
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace herald::config
