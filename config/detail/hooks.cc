#include "config/detail/hooks.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>

#include "common/suggest.h"

namespace herald::config::detail {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::size_t kMaxNameBytes = 64;
constexpr std::array<std::string_view, 8> kEndpointKeys{"url",     "secret_file", "events",
                                                        "timeout", "retry_base",  "retry_max",
                                                        "max_age", "max_attempts"};

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

void ReadUrl(const Field& field, HookEndpointConfig& endpoint) {
  const auto text = field.String("https://crm.example.com/herald-events");
  if (!text) return;
  if (Status checked = CheckHookUrl(*text); !checked) return field.Fail(checked.error().message);
  endpoint.url = *text;
}

void ReadSecretFile(const Field& field, HookEndpointConfig& endpoint) {
  const auto text = field.String("/etc/herald/hook_crm_secret");
  if (!text) return;
  if (!text->empty() && !std::filesystem::path(*text).is_absolute()) {
    return field.Fail("must be an absolute path, got " + Quoted(*text));
  }
  endpoint.secret_file = *text;
}

void ReadEvents(const Field& field, HookEndpointConfig& endpoint) {
  constexpr std::string_view kExample = R"(["campaign.state", "message.blocked"])";
  const auto* array = field.node().as_array();
  if (array == nullptr) {
    return field.Fail("expected an array of event kinds like " + std::string(kExample) + ", got " +
                      std::string(TypeName(field.node().type())));
  }
  std::vector<std::string> events;
  bool ok = true;
  for (const toml::node& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) {
      field.Element(element).Fail("expected a string, got " +
                                  std::string(TypeName(element.type())));
      ok = false;
      continue;
    }
    const std::string kind = text->get();
    if (std::find(std::begin(kHookEventKinds), std::end(kHookEventKinds), kind) ==
        std::end(kHookEventKinds)) {
      std::string message = "unknown event kind " + Quoted(kind);
      if (const auto close = ClosestMatch(kind, kHookEventKinds)) {
        message += "; did you mean " + Quoted(*close) + "?";
      } else {
        message += "; expected campaign.state, message.blocked or contact.opted_out";
      }
      field.Element(element).Fail(std::move(message));
      ok = false;
      continue;
    }
    if (std::find(events.begin(), events.end(), kind) != events.end()) {
      field.Element(element).Fail("event kind " + Quoted(kind) + " is listed twice");
      ok = false;
      continue;
    }
    events.push_back(kind);
  }
  if (!ok) return;
  if (events.empty())
    return field.Fail("is empty; list at least one event kind, e.g. " + std::string(kExample));
  endpoint.events = std::move(events);
}

void ReadKey(const Field& field, std::string_view key, HookEndpointConfig& endpoint) {
  if (key == "url") return ReadUrl(field, endpoint);
  if (key == "secret_file") return ReadSecretFile(field, endpoint);
  if (key == "events") return ReadEvents(field, endpoint);
  if (key == "timeout")
    return ReadDuration(field, {milliseconds(100), minutes(5)}, endpoint.timeout);
  if (key == "retry_base") {
    return ReadDuration(field, {milliseconds(10), hours(1)}, endpoint.retry_base);
  }
  if (key == "retry_max")
    return ReadDuration(field, {milliseconds(10), hours(24)}, endpoint.retry_max);
  if (key == "max_age") return ReadDuration(field, {seconds(1), hours(24 * 30)}, endpoint.max_age);
  if (key == "max_attempts") return ReadCount(field, 1, 1000, endpoint.max_attempts);
}

}  // namespace

void ReadHookEndpoint(const Field& field, std::string_view name, Config& config) {
  if (name.empty() || name.size() > kMaxNameBytes ||
      !std::all_of(name.begin(), name.end(), IsNameChar)) {
    return field.Fail(
        "an endpoint's name has 1 to 64 letters, digits, '_' or '-', like "
        "[hooks.crm]; got " +
        Quoted(name));
  }
  const auto* table = field.node().as_table();
  if (table == nullptr) {
    return field.Fail("expected a table like [hooks." + std::string(name) +
                      "] with url and secret_file, got " +
                      std::string(TypeName(field.node().type())));
  }
  HookEndpointConfig endpoint;
  for (auto&& [key, value] : *table) {
    const Field member = field.Member(value, key.str());
    if (std::find(kEndpointKeys.begin(), kEndpointKeys.end(), key.str()) == kEndpointKeys.end()) {
      // Never quote the value: an unknown key such as "secret" may hold the secret itself.
      const bool secret_like = key.str().find("secret") != std::string_view::npos ||
                               key.str().find("token") != std::string_view::npos ||
                               key.str().find("password") != std::string_view::npos;
      std::string message = secret_like
                                ? "unknown key; secrets must not be written in the config file: "
                                  "name a file holding it with secret_file"
                                : "unknown key";
      if (const auto close = ClosestMatch(key.str(), kEndpointKeys)) {
        message += "; did you mean " + Quoted(*close) + "?";
      }
      member.Fail(std::move(message));
      continue;
    }
    ReadKey(member, key.str(), endpoint);
  }
  if (endpoint.url.empty() && !table->contains("url")) {
    field.Fail("missing url; every endpoint needs one, e.g. url = " +
               Quoted("https://crm.example.com/herald-events"));
  }
  if (endpoint.retry_max < endpoint.retry_base) {
    field.Fail("retry_max must not be below retry_base");
  }
  config.hooks[std::string(name)] = std::move(endpoint);
}

std::vector<std::string> NoHookEndpoints() { return {}; }

}  // namespace herald::config::detail
