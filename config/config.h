// config/: the daemon's TOML configuration. Parse, validate, and report every problem with the
// file, line and key at fault. Every key and its default is documented in
// systemd/herald.example.toml. Secrets are never values in the file: only `*_file` keys or
// environment variables (see LoadSecrets).
//
// Thread rules: pure functions and plain values; safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace herald::config {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };
enum class LogFormat {
  kAuto,     // journald when stderr is connected to the journal (JOURNAL_STREAM), else text
  kText,     // one human-readable line per event on stderr
  kJournal,  // structured fields to journald (native protocol)
};

struct ServerConfig {
  std::string listen_host = "127.0.0.1";  // IPv4 or IPv6 literal, or "localhost"
  std::uint16_t listen_port = 8420;       // 0 picks a free port (reported in STATUS= and the log)
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};  // until a full header
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};    // until a full body
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};  // keep-alive between requests
  std::size_t max_connections = 512;
  std::size_t max_import_bytes = 256 * 1024 * 1024;  // body limit of contact imports
  // Empty: the token comes from HERALD_ADMIN_TOKEN, then $CREDENTIALS_DIRECTORY/admin_token, then
  // a token the daemon generates once next to the database (admin.token, mode 0600).
  std::filesystem::path admin_token_file;

  bool operator==(const ServerConfig&) const = default;
};

struct StorageConfig {
  std::filesystem::path path = "herald.db";  // relative paths are relative to the working directory
  std::chrono::milliseconds busy_timeout{std::chrono::seconds(5)};
  std::size_t max_batch = 1000;        // writes grouped into one commit at most
  std::size_t cache_bytes = 16 << 20;  // the writer connection's page cache

  bool operator==(const StorageConfig&) const = default;
};

struct ContactsConfig {
  // ISO 3166 alpha-2 region for numbers written without a country code; empty: such numbers are
  // rejected. An import may override it.
  std::string default_region;
  // Imports that read and write at once; more wait for a slot (each running import holds up to
  // 4 batches of 2,000 contacts in memory).
  std::size_t max_running_imports = 2;

  bool operator==(const ContactsConfig&) const = default;
};

struct DaemonConfig {
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(10)};

  bool operator==(const DaemonConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kAuto;

  bool operator==(const LogConfig&) const = default;
};

// A daily window of local time, [start, end) in minutes after midnight; `end` may be 24:00 and is
// after `start` (a window never wraps past midnight).
struct LocalTimeWindow {
  std::chrono::minutes start{8 * 60};
  std::chrono::minutes end{21 * 60};

  bool operator==(const LocalTimeWindow&) const = default;
};

struct FrequencyCapConfig {
  std::size_t max_marketing = 2;  // marketing messages per contact in any `period`; 0: no cap
  std::chrono::milliseconds period{std::chrono::hours(24 * 7)};

  bool operator==(const FrequencyCapConfig&) const = default;
};

// The local times at which messages of `purposes` may be sent; outside them it is quiet.
struct QuietHoursConfig {
  LocalTimeWindow default_window;                  // for countries without their own window
  std::vector<std::string> purposes{"marketing"};  // "marketing" and/or "utility"
  // ISO 3166-1 alpha-2 code (upper case) -> that country's window. A config file's entries are
  // merged over these defaults.
  std::map<std::string, LocalTimeWindow> countries{{"US", LocalTimeWindow{}}};

  bool operator==(const QuietHoursConfig&) const = default;
};

struct WordFilterConfig {
  std::size_t max_matcher_memory_bytes = std::size_t{256} << 20;  // RE2 memory per list matcher

  bool operator==(const WordFilterConfig&) const = default;
};

struct ComplianceConfig {
  // Free-form messages stop this long before the 24-hour customer service window closes, so one
  // queued at the edge is not refused by the platform (131047).
  std::chrono::milliseconds window_margin{std::chrono::minutes(10)};
  // The language a template falls back to when it has none for the contact's language.
  std::string default_template_language = "en";
  FrequencyCapConfig frequency_cap;
  QuietHoursConfig quiet_hours;
  // Language -> inbound words that opt a contact out. A config file's languages are merged over
  // these defaults; an empty array removes a language.
  // The defaults are compliance::DefaultStopKeywords() (the FCC's 2024 opt-out words for en).
  std::map<std::string, std::vector<std::string>> stop_keywords{
      {"de", {"STOPP", "ABMELDEN", "ABBESTELLEN", "ABMELDUNG"}},
      {"en",
       {"STOP", "STOP ALL", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPT OUT",
        "OPTOUT"}},
      {"es", {"BAJA", "PARAR", "DETENER", "DARME DE BAJA", "CANCELAR SUSCRIPCIÓN"}},
      {"fr", {"ARRÊT", "ARRET", "DÉSABONNER", "DÉSINSCRIRE", "DÉSINSCRIPTION"}},
      {"it", {"BASTA", "DISISCRIVI", "CANCELLAMI"}},
      {"nl", {"AFMELDEN", "UITSCHRIJVEN"}},
      {"pt", {"PARAR", "SAIR", "DESCADASTRAR", "CANCELAR INSCRIÇÃO"}},
      {"zh", {"退订", "取消订阅", "TD"}},
  };
  WordFilterConfig word_filter;

  bool operator==(const ComplianceConfig&) const = default;
};

// [provider]: how messages leave Herald (provider/provider.h). The sandbox is the default, so a
// fresh machine runs the whole job without a platform account.
enum class ProviderKind { kSandbox, kCloudApi };

struct CloudApiConfig {
  // "https://host[:port][/path]"; "http://" only with a loopback host (for tests). Stored without a
  // trailing '/'.
  std::string base_url = "https://graph.facebook.com";
  std::string api_version = "v23.0";
  // Empty: the token comes from HERALD_CLOUD_API_TOKEN, then
  // $CREDENTIALS_DIRECTORY/cloud_api_token.
  std::filesystem::path access_token_file;
  std::size_t max_in_flight = 256;  // transfers handed to libcurl at once; more wait their turn
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};  // from hand-over to answer
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};

  bool operator==(const CloudApiConfig&) const = default;
};

// The simulated platform (provider/sandbox.h). Rates are fractions from 0 to 1.
struct SandboxConfig {
  std::uint64_t seed = 1;
  std::chrono::milliseconds latency{std::chrono::milliseconds(50)};  // the send API's answer time
  std::size_t throughput = 80;  // messages per second per number; more are answered 130429
  std::chrono::milliseconds pair_interval{std::chrono::seconds(6)};  // 131056 sooner; 0s: off
  double transient_error_rate = 0.0;  // answered 131000 with HTTP 500
  double undeliverable_rate = 0.02;   // accepted, then a failed status (131026)
  double read_rate = 0.5;             // of delivered messages
  double reply_rate = 0.05;           // of read messages: the recipient writes back
  double stop_rate = 0.1;             // of replies: the reply is "STOP"
  std::chrono::milliseconds status_delay{std::chrono::seconds(1)};  // between statuses, on average

  bool operator==(const SandboxConfig&) const = default;
};

struct ProviderConfig {
  ProviderKind kind = ProviderKind::kSandbox;
  CloudApiConfig cloud_api;
  SandboxConfig sandbox;

  bool operator==(const ProviderConfig&) const = default;
};

// Checks a [provider.cloud_api] base_url: https, or http with a loopback host ("localhost",
// 127.0.0.0/8, [::1]); no user, query or fragment. The provider checks again before it sends.
Status CheckCloudApiBaseUrl(std::string_view url);

// The send path (app/campaign_runner.h): retries, and how much it holds at once.
struct SendingConfig {
  std::size_t max_attempts = 8;  // hand-overs of one delivery; then failed:<reason>
  std::chrono::milliseconds retry_base{std::chrono::seconds(1)};  // backoff: base × 2^(attempts-1)
  std::chrono::milliseconds retry_max{std::chrono::minutes(10)};  // the backoff's ceiling
  std::size_t max_in_flight = 10000;  // handed to the provider and not answered, all numbers
  std::size_t claim_batch = 5000;     // due deliveries taken per claim, at most

  bool operator==(const SendingConfig&) const = default;
};

// [webhooks]: the platform's webhooks (app/webhook_service.h). The app secret (signatures) and the
// verify token (the subscription handshake) are secrets: files, the environment
// (HERALD_WEBHOOK_APP_SECRET, HERALD_WEBHOOK_VERIFY_TOKEN) or systemd credentials
// (webhook_app_secret, webhook_verify_token); never values in the file.
struct WebhooksConfig {
  std::filesystem::path app_secret_file;
  std::filesystem::path verify_token_file;
  // Empty: /webhooks/whatsapp is served on the admin listener. Set ("0.0.0.0:8443"): served only
  // on a listener of its own (which serves nothing else), so the admin API can stay on loopback
  // while the platform reaches the webhooks through a proxy.
  std::string listen_host;
  std::uint16_t listen_port = 0;
  // [webhooks.reply_tags]: a reply that is one of these phrases (a quick-reply button's text or
  // payload, an interactive reply's title or id, or the whole text, compared without case and
  // surrounding space) tags its sender: `interested = ["Interested", "Yes please"]`.
  std::map<std::string, std::vector<std::string>> reply_tags;

  bool own_listener() const { return !listen_host.empty(); }
  bool operator==(const WebhooksConfig&) const = default;
};

// [reports]: what the reports assume (app/reports.h, docs/finance.md).
struct ReportsConfig {
  // What one reply to a campaign message is worth to the business, in the price table's currency
  // (value_per_reply = "0.40"): the monthly report's value and net value. 0: not valued.
  std::int64_t value_per_reply_micros = 0;

  bool operator==(const ReportsConfig&) const = default;
};

// [retention]: how long data is kept before it is removed in small batches
// (app/retention_service.h, docs/operations.md "Retention"). 0 keeps it forever.
struct RetentionConfig {
  std::chrono::milliseconds webhook_requests{std::chrono::hours(24 * 90)};  // raw payloads
  std::chrono::milliseconds deliveries{std::chrono::hours(24 * 365)};  // summed into aggregates
  std::chrono::milliseconds audit{std::chrono::hours(24 * 730)};
  std::chrono::milliseconds interval{std::chrono::hours(1)};  // between purge passes

  bool operator==(const RetentionConfig&) const = default;
};

// The event kinds the outbound hooks send (app/event_publisher.h, docs/hooks.md).
inline constexpr std::string_view kHookEventKinds[] = {"campaign.state", "message.blocked",
                                                       "contact.opted_out"};

// One [hooks.<name>] table: an endpoint of the outbound event hooks (app/event_hooks.h). Its
// signing secret is never a value in the file: hooks.<name>.secret_file, else the environment
// (HERALD_HOOK_<NAME>_SECRET, the name upper-cased, '-' as '_'), else the systemd credential
// hook_<name>_secret; none is an error at start.
struct HookEndpointConfig {
  // "https://…"; "http://" only to a loopback host (tests). May hold a query (never logged).
  std::string url;
  std::filesystem::path secret_file;
  std::vector<std::string> events{"campaign.state", "message.blocked", "contact.opted_out"};
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};    // one attempt, connect included
  std::size_t max_attempts = 12;                                  // then the event is a dead letter
  std::chrono::milliseconds retry_base{std::chrono::seconds(1)};  // backoff: base × 2^(attempts-1)
  std::chrono::milliseconds retry_max{std::chrono::minutes(10)};  // the backoff's ceiling
  // A failed attempt this long after the event was stored (or replayed) makes it a dead letter.
  std::chrono::milliseconds max_age{std::chrono::hours(24)};

  bool operator==(const HookEndpointConfig&) const = default;
};

// Checks a hook URL: https, or http with a loopback host; no user or fragment.
Status CheckHookUrl(std::string_view url);

struct Config {
  ServerConfig server;
  StorageConfig storage;
  ContactsConfig contacts;
  DaemonConfig daemon;
  LogConfig log;
  ComplianceConfig compliance;
  ProviderConfig provider;
  SendingConfig sending;
  WebhooksConfig webhooks;
  ReportsConfig reports;
  RetentionConfig retention;
  std::map<std::string, HookEndpointConfig> hooks;  // [hooks.<name>], by name

  bool operator==(const Config&) const = default;
};

// One problem in a config file. `line`/`column` are 1-based, 0 when unknown.
struct ConfigError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;      // dotted path, e.g. "server.listen"; empty for syntax errors
  std::string message;  // e.g. `unknown key; did you mean "listen"?`

  // "file:line:column: key: message" (parts that are unknown are left out).
  std::string ToString() const;
};

struct ConfigResult {
  std::optional<Config> config;     // set when errors is empty
  std::vector<ConfigError> errors;  // every problem found, in file order
  bool ok() const { return errors.empty(); }
  // All errors, one per line, for logs and --check-config.
  std::string ErrorsToString() const;
};

// Parses TOML text; `source_name` names the file in errors. Missing keys take their defaults;
// unknown keys, wrong types, bad formats and out-of-range values are errors.
ConfigResult ParseConfig(std::string_view toml_text, std::string_view source_name);

// Reads and parses a file. An unreadable file is one error naming the file.
ConfigResult LoadConfigFile(const std::filesystem::path& path);

// Parses a duration such as "250ms", "30s", "5m", "1h", "2d" (one unit, integer amount).
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Parses a size such as "512", "64KiB", "10MiB", "1GiB", "10MB" (bytes).
Result<std::size_t> ParseSize(std::string_view text);

std::string_view LogLevelName(LogLevel level);

// A file holding a secret that other users may read or write (mode bits o+r or o+w). Not an
// error: heraldd still starts, but --check-config and the start-up log say so.
struct SecretFileWarning {
  std::string source;  // where the file was named: "server.admin_token_file", …
  std::filesystem::path path;
  unsigned mode = 0;  // the permission bits, e.g. 0644

  // "server.admin_token_file: /etc/herald/admin.token can be read by other users (mode 0644);
  // fix: chmod 600 /etc/herald/admin.token (or 640 for a file heraldd reads through its group)"
  std::string ToString() const;
  std::string ModeString() const;  // "0644"
  std::string Fix() const;         // "chmod 600 /etc/herald/admin.token (or 640 ...)"
};

// A warning when other users may read or write the file at `path` (following symlinks); nullopt
// when they may not, or when it cannot be examined (reading it reports that).
std::optional<SecretFileWarning> CheckSecretFileMode(const std::filesystem::path& path,
                                                     std::string source);

struct Secrets {
  std::string admin_token;  // empty: none configured (the daemon then generates one)
  // Set when [provider] kind = "cloud_api": from provider.cloud_api.access_token_file, else
  // HERALD_CLOUD_API_TOKEN, else $CREDENTIALS_DIRECTORY/cloud_api_token; none is an error.
  std::string cloud_api_token;
  // From webhooks.app_secret_file, else HERALD_WEBHOOK_APP_SECRET, else
  // $CREDENTIALS_DIRECTORY/webhook_app_secret; empty when none is set (signed webhooks are then
  // refused, and the start-up log says so).
  std::string webhook_app_secret;
  // The same way: webhooks.verify_token_file, HERALD_WEBHOOK_VERIFY_TOKEN, webhook_verify_token.
  std::string webhook_verify_token;
  // Each [hooks.<name>] endpoint's signing secret, by name (see HookEndpointConfig).
  std::map<std::string, std::string> hook_secrets;
  std::vector<SecretFileWarning> warnings;  // the files read that other users may read or write
};

// Where secrets come from, in order: the config's `*_file` key; the environment variable
// (HERALD_ADMIN_TOKEN); the systemd credential ($CREDENTIALS_DIRECTORY/admin_token). The Cloud API
// token, needed only with [provider] kind = "cloud_api", the same way (see Secrets).
// `getenv` is injected for tests. A configured file that is missing, unreadable or empty is an
// error naming the key; one that other users may read or write is a warning in `warnings`.
// Trailing whitespace and newlines are stripped.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
Result<Secrets> LoadSecrets(const Config& config, const EnvLookup& getenv);
EnvLookup ProcessEnvironment();

}  // namespace herald::config
