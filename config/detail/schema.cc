// The schema: which keys each table has and how each value is read and checked.
#include "config/detail/schema.h"

#include <cctype>
#include <chrono>
#include <filesystem>
#include <optional>
#include <span>
#include <system_error>

#include "common/money.h"
#include "common/names.h"
#include "common/suggest.h"
#include "config/detail/compliance.h"
#include "config/detail/document.h"
#include "config/detail/hooks.h"
#include "config/detail/listen.h"
#include "config/detail/provider.h"

namespace herald::config::detail {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = kKiB * kKiB;
constexpr std::size_t kGiB = kMiB * kKiB;
constexpr DurationRange kTimeoutRange{milliseconds(100), hours(1)};

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

void ReadListen(const Field& field, Config& config) {
  const auto text = field.String("127.0.0.1:8420");
  if (!text) return;
  auto address = ParseListenAddress(*text);
  if (!address) return field.Fail(address.error().message);
  config.server.listen_host = std::move(address->host);
  config.server.listen_port = address->port;
}

void ReadAdminTokenFile(const Field& field, Config& config) {
  const auto text = field.String("/etc/herald/admin.token");
  if (!text) return;
  // The daemon's working directory depends on how it is started; a relative path would be a trap.
  if (!text->empty() && !std::filesystem::path(*text).is_absolute()) {
    return field.Fail("must be an absolute path, got " + Quoted(*text));
  }
  config.server.admin_token_file = *text;
}

void ReadDatabasePath(const Field& field, Config& config) {
  const auto text = field.String("/var/lib/herald/herald.db");
  if (!text) return;
  if (text->empty()) return field.Fail("must not be empty; expected the database file's path");
  std::error_code ignored;
  if (std::filesystem::is_directory(*text, ignored)) {
    const auto inside = std::filesystem::path(*text) / "herald.db";
    return field.Fail(Quoted(*text) + " is a directory; expected the database file's path, e.g. " +
                      Quoted(inside.string()));
  }
  config.storage.path = *text;
}

void ReadLogLevel(const Field& field, Config& config) {
  auto index = static_cast<std::size_t>(config.log.level);
  ReadChoice(field, kLogLevelNames, index);
  config.log.level = static_cast<LogLevel>(index);
}

void ReadLogFormat(const Field& field, Config& config) {
  auto index = static_cast<std::size_t>(config.log.format);
  ReadChoice(field, kLogFormatNames, index);
  config.log.format = static_cast<LogFormat>(index);
}

struct KeySpec {
  std::string_view name;
  void (*read)(const Field& field, Config& config);
};

struct TableSpec {
  std::string_view name;
  std::span<const KeySpec> keys;
  std::span<const TableSpec> tables = {};  // nested tables: [compliance.quiet_hours]
  // A table whose keys are data (country codes, languages) rather than names the schema knows:
  // it has no `keys` or `tables`; every entry is read by `read_entry`, merged over the defaults,
  // and `default_entries` lists the default config's keys (for KnownKeys and the example file).
  void (*read_entry)(const Field& field, std::string_view key, Config& config) = nullptr;
  std::vector<std::string> (*default_entries)() = nullptr;
};

// Ranges are part of the documented schema: keep systemd/herald.example.toml in step.
constexpr KeySpec kServerKeys[] = {
    {"listen", ReadListen},
    {"max_body_size",
     [](const Field& f, Config& c) { ReadSize(f, kKiB, kGiB, c.server.max_body_bytes); }},
    {"header_timeout",
     [](const Field& f, Config& c) { ReadDuration(f, kTimeoutRange, c.server.header_timeout); }},
    {"read_timeout",
     [](const Field& f, Config& c) { ReadDuration(f, kTimeoutRange, c.server.read_timeout); }},
    {"idle_timeout",
     [](const Field& f, Config& c) { ReadDuration(f, kTimeoutRange, c.server.idle_timeout); }},
    {"max_connections",
     [](const Field& f, Config& c) { ReadCount(f, 1, 100000, c.server.max_connections); }},
    {"admin_token_file", ReadAdminTokenFile},
    {"max_import_size",
     [](const Field& f, Config& c) { ReadSize(f, kKiB, 16 * kGiB, c.server.max_import_bytes); }},
};

constexpr KeySpec kStorageKeys[] = {
    {"path", ReadDatabasePath},
    {"busy_timeout",
     [](const Field& f, Config& c) {
       ReadDuration(f, {milliseconds(0), minutes(10)}, c.storage.busy_timeout);
     }},
    {"max_batch", [](const Field& f, Config& c) { ReadCount(f, 1, 100000, c.storage.max_batch); }},
    {"cache_size",
     [](const Field& f, Config& c) { ReadSize(f, kMiB, 4 * kGiB, c.storage.cache_bytes); }},
};

void ReadDefaultRegion(const Field& field, Config& config) {
  const auto text = field.String("DE");
  if (!text) return;
  bool alpha2 = text->size() == 2 && std::isalpha(static_cast<unsigned char>((*text)[0])) &&
                std::isalpha(static_cast<unsigned char>((*text)[1]));
  if (!text->empty() && !alpha2) {
    return field.Fail("expected an ISO 3166 alpha-2 region like \"DE\" or \"\", got " +
                      Quoted(*text));
  }
  std::string upper = *text;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  config.contacts.default_region = upper;
}

constexpr KeySpec kContactsKeys[] = {
    {"default_region", ReadDefaultRegion},
    {"max_running_imports",
     [](const Field& f, Config& c) { ReadCount(f, 1, 64, c.contacts.max_running_imports); }},
};

constexpr KeySpec kDaemonKeys[] = {
    {"shutdown_grace",
     [](const Field& f, Config& c) {
       ReadDuration(f, {milliseconds(100), minutes(10)}, c.daemon.shutdown_grace);
     }},
};

constexpr KeySpec kLogKeys[] = {
    {"level", ReadLogLevel},
    {"format", ReadLogFormat},
};

constexpr KeySpec kComplianceKeys[] = {
    {"window_margin", ReadWindowMargin},
    {"default_template_language", ReadDefaultTemplateLanguage},
};

constexpr KeySpec kFrequencyCapKeys[] = {
    {"max_marketing", ReadMaxMarketing},
    {"period", ReadFrequencyCapPeriod},
};

constexpr KeySpec kQuietHoursKeys[] = {
    {"default", ReadQuietHoursDefault},
    {"purposes", ReadQuietHoursPurposes},
};

constexpr TableSpec kQuietHoursTables[] = {
    {"countries", {}, {}, ReadQuietHoursCountry, DefaultQuietHoursCountries},
};

constexpr KeySpec kWordFilterKeys[] = {
    {"max_matcher_memory", ReadMaxMatcherMemory},
};

constexpr TableSpec kComplianceTables[] = {
    {"frequency_cap", kFrequencyCapKeys},
    {"quiet_hours", kQuietHoursKeys, kQuietHoursTables},
    {"stop_keywords", {}, {}, ReadStopKeywords, DefaultStopKeywordLanguages},
    {"word_filter", kWordFilterKeys},
};

constexpr KeySpec kProviderKeys[] = {
    {"kind", ReadProviderKind},
};

constexpr KeySpec kCloudApiKeys[] = {
    {"base_url", ReadCloudApiBaseUrl},
    {"api_version", ReadCloudApiVersion},
    {"access_token_file", ReadCloudApiTokenFile},
    {"max_in_flight", ReadCloudApiMaxInFlight},
    {"request_timeout", ReadCloudApiRequestTimeout},
    {"connect_timeout", ReadCloudApiConnectTimeout},
};

constexpr KeySpec kSandboxKeys[] = {
    {"seed", ReadSandboxSeed},
    {"latency", ReadSandboxLatency},
    {"throughput", ReadSandboxThroughput},
    {"pair_interval", ReadSandboxPairInterval},
    {"transient_error_rate",
     [](const Field& f, Config& c) { ReadRate(f, c.provider.sandbox.transient_error_rate); }},
    {"undeliverable_rate",
     [](const Field& f, Config& c) { ReadRate(f, c.provider.sandbox.undeliverable_rate); }},
    {"read_rate", [](const Field& f, Config& c) { ReadRate(f, c.provider.sandbox.read_rate); }},
    {"reply_rate", [](const Field& f, Config& c) { ReadRate(f, c.provider.sandbox.reply_rate); }},
    {"stop_rate", [](const Field& f, Config& c) { ReadRate(f, c.provider.sandbox.stop_rate); }},
    {"status_delay", ReadSandboxStatusDelay},
};

constexpr TableSpec kProviderTables[] = {
    {"cloud_api", kCloudApiKeys},
    {"sandbox", kSandboxKeys},
};

constexpr KeySpec kSendingKeys[] = {
    {"max_attempts",
     [](const Field& f, Config& c) { ReadCount(f, 1, 100, c.sending.max_attempts); }},
    {"retry_base",
     [](const Field& f, Config& c) {
       ReadDuration(f, {std::chrono::milliseconds(100), std::chrono::hours(1)},
                    c.sending.retry_base);
     }},
    {"retry_max",
     [](const Field& f, Config& c) {
       ReadDuration(f, {std::chrono::seconds(1), std::chrono::hours(24)}, c.sending.retry_max);
     }},
    {"max_in_flight",
     [](const Field& f, Config& c) { ReadCount(f, 1, 100000, c.sending.max_in_flight); }},
    {"claim_batch",
     [](const Field& f, Config& c) { ReadCount(f, 20, 50000, c.sending.claim_batch); }},
};

void ReadSecretPath(const Field& field, std::filesystem::path& into) {
  const auto text = field.String("/etc/herald/webhook_app_secret");
  if (!text) return;
  if (!text->empty() && !std::filesystem::path(*text).is_absolute()) {
    return field.Fail("must be an absolute path, got " + Quoted(*text));
  }
  into = *text;
}

void ReadWebhooksListen(const Field& field, Config& config) {
  const auto text = field.String("0.0.0.0:8443");
  if (!text) return;
  if (text->empty()) {
    config.webhooks.listen_host.clear();
    return;
  }
  auto address = ParseListenAddress(*text);
  if (!address) return field.Fail(address.error().message);
  config.webhooks.listen_host = std::move(address->host);
  config.webhooks.listen_port = address->port;
}

void ReadReplyTag(const Field& field, std::string_view tag, Config& config) {
  if (Status valid = names::CheckTag(tag); !valid.ok()) {
    return field.Fail("the key is the tag to apply: " + valid.error().message);
  }
  const auto phrases = ReadStrings(field, R"(["Interested", "Yes please"])");
  if (!phrases) return;
  for (const std::string& phrase : *phrases) {
    if (phrase.find_first_not_of(" \t") == std::string::npos) {
      return field.Fail("a phrase is empty");
    }
    if (phrase.size() > 256) return field.Fail("phrase " + Quoted(phrase) + " is too long");
  }
  config.webhooks.reply_tags[std::string(tag)] = *phrases;
}

std::vector<std::string> NoDefaultEntries() { return {}; }

constexpr TableSpec kWebhooksTables[] = {
    {"reply_tags", {}, {}, ReadReplyTag, NoDefaultEntries},
};

constexpr KeySpec kWebhooksKeys[] = {
    {"app_secret_file",
     [](const Field& f, Config& c) { ReadSecretPath(f, c.webhooks.app_secret_file); }},
    {"verify_token_file",
     [](const Field& f, Config& c) { ReadSecretPath(f, c.webhooks.verify_token_file); }},
    {"listen", ReadWebhooksListen},
};

void ReadMoney(const Field& field, std::int64_t& out) {
  const auto text = field.String("0.40");
  if (!text) return;
  const auto micros = ParseMicros(*text);
  if (!micros) {
    return field.Fail(
        "expected an amount like \"0.40\" (digits, at most six after the point), got " +
        Quoted(*text));
  }
  out = *micros;
}

constexpr KeySpec kReportsKeys[] = {
    {"value_per_reply",
     [](const Field& f, Config& c) { ReadMoney(f, c.reports.value_per_reply_micros); }},
};

constexpr DurationRange kRetentionRange{std::chrono::milliseconds(0), hours(24 * 365 * 100)};

constexpr KeySpec kRetentionKeys[] = {
    {"webhook_requests",
     [](const Field& f, Config& c) {
       ReadDuration(f, kRetentionRange, c.retention.webhook_requests);
     }},
    {"deliveries",
     [](const Field& f, Config& c) { ReadDuration(f, kRetentionRange, c.retention.deliveries); }},
    {"audit",
     [](const Field& f, Config& c) { ReadDuration(f, kRetentionRange, c.retention.audit); }},
    {"interval",
     [](const Field& f, Config& c) {
       ReadDuration(f, {std::chrono::seconds(1), hours(24 * 7)}, c.retention.interval);
     }},
};

constexpr TableSpec kTables[] = {
    {"server", kServerKeys},
    {"storage", kStorageKeys},
    {"contacts", kContactsKeys},
    {"daemon", kDaemonKeys},
    {"log", kLogKeys},
    {"compliance", kComplianceKeys, kComplianceTables},
    {"provider", kProviderKeys, kProviderTables},
    {"sending", kSendingKeys},
    {"webhooks", kWebhooksKeys, kWebhooksTables},
    {"reports", kReportsKeys},
    {"retention", kRetentionKeys},
    {"hooks", {}, {}, ReadHookEndpoint, NoHookEndpoints},
};

// Every key of `table` and the tables within it, as dotted paths below `prefix`.
void AppendKeys(const TableSpec& table, const std::string& prefix, std::vector<std::string>& keys) {
  const std::string path = prefix + std::string(table.name);
  for (const KeySpec& key : table.keys) keys.push_back(path + "." + std::string(key.name));
  if (table.default_entries != nullptr) {
    for (const std::string& entry : table.default_entries()) keys.push_back(path + "." + entry);
  }
  for (const TableSpec& nested : table.tables) AppendKeys(nested, path + ".", keys);
}

}  // namespace

std::vector<std::string> KnownKeys() {
  std::vector<std::string> keys;
  for (const TableSpec& table : kTables) AppendKeys(table, "", keys);
  return keys;
}

namespace {

const TableSpec* FindTable(std::string_view name) {
  for (const TableSpec& table : kTables) {
    if (table.name == name) return &table;
  }
  return nullptr;
}

const KeySpec* FindKey(const TableSpec& table, std::string_view name) {
  for (const KeySpec& key : table.keys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

const TableSpec* FindNestedTable(const TableSpec& table, std::string_view name) {
  for (const TableSpec& nested : table.tables) {
    if (nested.name == name) return &nested;
  }
  return nullptr;
}

// The names a table may contain: its keys and its nested tables.
std::vector<std::string_view> KeyNames(const TableSpec& table) {
  std::vector<std::string_view> names;
  for (const KeySpec& key : table.keys) names.push_back(key.name);
  for (const TableSpec& nested : table.tables) names.push_back(nested.name);
  return names;
}

std::vector<std::string_view> TableNames() {
  std::vector<std::string_view> names;
  for (const TableSpec& table : kTables) names.push_back(table.name);
  return names;
}

// `"listen"` for a misspelt key in a table.
std::optional<std::string> SuggestKey(const TableSpec& table, std::string_view typed) {
  const auto close = herald::ClosestMatch(typed, KeyNames(table));
  return close ? std::optional(Quoted(*close)) : std::nullopt;
}

// `"server"` for a misspelt table; `"listen" under [server]` for a key written outside its table.
std::optional<std::string> SuggestAtTopLevel(std::string_view typed, bool is_table) {
  if (const auto table = herald::ClosestMatch(typed, TableNames())) return Quoted(*table);
  if (is_table) return std::nullopt;
  for (const TableSpec& table : kTables) {
    if (const auto key = herald::ClosestMatch(typed, KeyNames(table))) {
      return Quoted(*key) + " under [" + std::string(table.name) + "]";
    }
  }
  return std::nullopt;
}

constexpr std::string_view kSecretMessage =
    "secrets must not be written in the config file; put the admin token in a file named by "
    "server.admin_token_file, or in the environment variable HERALD_ADMIN_TOKEN";

// A key that would hold a credential. `*_file` keys name a file holding one, which is the point.
bool LooksLikeSecret(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (lower.ends_with("_file")) return false;
  for (std::string_view word : {"token", "secret", "password", "passwd", "apikey", "api_key"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// Where to point for a key: the key itself, or its value when toml++ kept no position for the key.
const toml::source_region& Where(const toml::key& key, const toml::node& node) {
  return key.source().begin.line != 0 ? key.source() : node.source();
}

// Secrets inside an unknown table still get their own error: they are the worse mistake.
void ReportSecretsWithin(const toml::node& node, const std::string& path, ErrorSink& errors) {
  if (const auto* array = node.as_array()) {
    for (const toml::node& element : *array) ReportSecretsWithin(element, path, errors);
  }
  const auto* table = node.as_table();
  if (!table) return;
  for (auto&& [key, value] : *table) {
    const std::string dotted = path + "." + std::string(key.str());
    if (LooksLikeSecret(key.str())) {
      errors.Add(Where(key, value), dotted, std::string(kSecretMessage));
    } else {
      ReportSecretsWithin(value, dotted, errors);
    }
  }
}

void ReportUnknown(const toml::key& key, const toml::node& node, const std::string& dotted,
                   const std::optional<std::string>& suggestion, ErrorSink& errors) {
  // Never quote the value here: it may be the secret.
  if (LooksLikeSecret(key.str())) {
    return errors.Add(Where(key, node), dotted, std::string(kSecretMessage));
  }
  const bool table = node.is_table() || node.is_array_of_tables();
  std::string message = table ? "unknown table" : "unknown key";
  if (suggestion) message += "; did you mean " + *suggestion + "?";
  errors.Add(Where(key, node), dotted, std::move(message));
  ReportSecretsWithin(node, dotted, errors);
}

// `path` is the table's dotted name ("compliance.quiet_hours").
void ReadTable(const TableSpec& spec, const std::string& path, const toml::node& node,
               Config& config, ErrorSink& errors) {
  const auto* table = node.as_table();
  if (!table) {
    return errors.Add(node.source(), path,
                      "expected a table, got " + std::string(TypeName(node.type())));
  }
  for (auto&& [key, value] : *table) {
    const std::string dotted = path + "." + std::string(key.str());
    if (spec.read_entry != nullptr) {
      spec.read_entry(Field(value, dotted, errors), key.str(), config);
    } else if (const KeySpec* known = FindKey(spec, key.str())) {
      known->read(Field(value, dotted, errors), config);
    } else if (const TableSpec* nested = FindNestedTable(spec, key.str())) {
      ReadTable(*nested, dotted, value, config, errors);
    } else {
      ReportUnknown(key, value, dotted, SuggestKey(spec, key.str()), errors);
    }
  }
}

}  // namespace

Config ReadDocument(const toml::table& root, ErrorSink& errors) {
  Config config;
  for (auto&& [key, node] : root) {
    if (const TableSpec* spec = FindTable(key.str())) {
      ReadTable(*spec, std::string(spec->name), node, config, errors);
    } else {
      ReportUnknown(key, node, std::string(key.str()),
                    SuggestAtTopLevel(key.str(), node.is_table() || node.is_array_of_tables()),
                    errors);
    }
  }
  return config;
}

}  // namespace herald::config::detail
