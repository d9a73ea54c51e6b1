#include "config/detail/provider.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

namespace herald::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}

bool IsLoopback(std::string_view host, bool bracketed) {
  const std::string text(host);
  if (bracketed) {
    in6_addr address{};
    return inet_pton(AF_INET6, text.c_str(), &address) == 1 && IN6_IS_ADDR_LOOPBACK(&address);
  }
  in_addr address{};
  if (inet_pton(AF_INET, text.c_str(), &address) == 1) {
    return (ntohl(address.s_addr) >> 24) == 127;
  }
  return text == "localhost";
}

bool IsPort(std::string_view text) {
  unsigned value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  return !text.empty() && error == std::errc() && stop == end && value >= 1 && value <= 65535;
}

// The authority's host (without brackets) and whether it was bracketed; an error's reason.
Result<std::pair<std::string_view, bool>> SplitHost(std::string_view authority) {
  const auto because = [](std::string why) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(why));
  };
  std::string_view host = authority;
  std::optional<std::string_view> port;
  const bool bracketed = authority.starts_with('[');
  if (bracketed) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return because("an IPv6 address misses its ']'");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return because("junk after the IPv6 address");
    if (!after.empty()) port = after.substr(1);
    in6_addr address{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &address) != 1) {
      return because("invalid IPv6 address " + Quoted(host));
    }
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return because("it has no host");
  if (!bracketed && !std::all_of(host.begin(), host.end(), IsHostNameChar)) {
    return because("invalid host " + Quoted(host));
  }
  if (port && !IsPort(*port)) {
    return because("invalid port " + Quoted(*port) + "; expected a number from 1 to 65535");
  }
  return std::pair{host, bracketed};
}

}  // namespace

namespace {

// https, or http to a loopback host; `what` and `example` word the errors.
Status CheckHttpsUrl(std::string_view url, std::string_view what, std::string_view example,
                     bool allow_query) {
  const auto invalid = [&](std::string why) -> Status {
    return MakeError(ErrorCode::kInvalidArgument, "invalid " + std::string(what) + " " +
                                                      Quoted(url) + " (" + std::move(why) +
                                                      "); expected e.g. " + Quoted(example));
  };
  const bool https = url.starts_with("https://");
  const bool http = url.starts_with("http://");
  if (!https && !http) return invalid("it must start with https://");
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; })) {
    return invalid("it contains a space or a control character");
  }
  if (url.find_first_of(allow_query ? "#" : "?#") != std::string_view::npos) {
    return invalid(allow_query ? "a fragment does not belong in it"
                               : "a query or fragment does not belong in it");
  }
  const std::string_view rest = url.substr(https ? 8 : 7);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.find('@') != std::string_view::npos) {
    return invalid("a user name or password does not belong in it");
  }
  auto host = SplitHost(authority);
  if (!host) return invalid(host.error().message);
  if (http && !IsLoopback(host->first, host->second)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "plain http:// is allowed only to a loopback address (localhost, 127.0.0.1, "
                     "[::1]), for tests; use https:// for " +
                         Quoted(url));
  }
  return Status::Ok();
}

}  // namespace

Status CheckCloudApiBaseUrl(std::string_view url) {
  return CheckHttpsUrl(url, "base URL", "https://graph.facebook.com", false);
}

Status CheckHookUrl(std::string_view url) {
  return CheckHttpsUrl(url, "hook URL", "https://crm.example.com/herald-events", true);
}

namespace detail {

void ReadProviderKind(const Field& field, Config& config) {
  auto index = static_cast<std::size_t>(config.provider.kind);
  ReadChoice(field, kProviderKindNames, index);
  config.provider.kind = static_cast<ProviderKind>(index);
}

void ReadCloudApiBaseUrl(const Field& field, Config& config) {
  auto text = field.String("https://graph.facebook.com");
  if (!text) return;
  if (Status checked = CheckCloudApiBaseUrl(*text); !checked) {
    return field.Fail(checked.error().message);
  }
  while (text->ends_with('/')) text->pop_back();
  config.provider.cloud_api.base_url = *text;
}

void ReadCloudApiVersion(const Field& field, Config& config) {
  const auto text = field.String("v23.0");
  if (!text) return;
  // "v23.0": the Graph API's version path segment.
  const std::size_t dot = text->find('.');
  const auto digits = [](std::string_view part) {
    return !part.empty() && part.size() <= 4 &&
           std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!text->starts_with('v') || dot == std::string::npos ||
      !digits(std::string_view(*text).substr(1, dot - 1)) ||
      !digits(std::string_view(*text).substr(dot + 1))) {
    return field.Fail(R"(expected a Graph API version like "v23.0", got )" + Quoted(*text));
  }
  config.provider.cloud_api.api_version = *text;
}

void ReadCloudApiTokenFile(const Field& field, Config& config) {
  const auto text = field.String("/etc/herald/cloud_api.token");
  if (!text) return;
  // The daemon's working directory depends on how it is started; a relative path would be a trap.
  if (!text->empty() && !std::filesystem::path(*text).is_absolute()) {
    return field.Fail("must be an absolute path, got " + Quoted(*text));
  }
  config.provider.cloud_api.access_token_file = *text;
}

void ReadCloudApiMaxInFlight(const Field& field, Config& config) {
  ReadCount(field, 1, 10000, config.provider.cloud_api.max_in_flight);
}

void ReadCloudApiRequestTimeout(const Field& field, Config& config) {
  ReadDuration(field, {seconds(1), minutes(10)}, config.provider.cloud_api.request_timeout);
}

void ReadCloudApiConnectTimeout(const Field& field, Config& config) {
  ReadDuration(field, {milliseconds(100), minutes(5)}, config.provider.cloud_api.connect_timeout);
}

void ReadSandboxSeed(const Field& field, Config& config) {
  const auto seed = field.Integer("1");
  if (!seed) return;
  if (*seed < 0) return field.Fail("must not be negative, got " + field.Written());
  config.provider.sandbox.seed = static_cast<std::uint64_t>(*seed);
}

void ReadSandboxLatency(const Field& field, Config& config) {
  ReadDuration(field, {milliseconds(0), minutes(1)}, config.provider.sandbox.latency);
}

void ReadSandboxThroughput(const Field& field, Config& config) {
  ReadCount(field, 1, 100000, config.provider.sandbox.throughput);
}

void ReadSandboxPairInterval(const Field& field, Config& config) {
  ReadDuration(field, {milliseconds(0), hours(1)}, config.provider.sandbox.pair_interval);
}

void ReadSandboxStatusDelay(const Field& field, Config& config) {
  ReadDuration(field, {milliseconds(0), hours(1)}, config.provider.sandbox.status_delay);
}

void ReadRate(const Field& field, double& out) {
  const toml::node& node = field.node();
  double rate = 0;
  if (const auto* number = node.as_floating_point()) {
    rate = number->get();
  } else if (const auto* integer = node.as_integer()) {
    rate = static_cast<double>(integer->get());
  } else {
    return field.Fail("expected a fraction like 0.05, got " + std::string(TypeName(node.type())));
  }
  if (!(rate >= 0.0 && rate <= 1.0)) {  // also refuses nan
    char written[32];
    std::snprintf(written, sizeof(written), "%g", rate);
    return field.Fail(std::string("out of range: must be between 0 and 1, got ") + written);
  }
  out = rate;
}

}  // namespace detail
}  // namespace herald::config
