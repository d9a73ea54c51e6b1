#include "provider/detail/cloud_api_answer.h"

#include <time.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <string>

namespace herald::provider::detail {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDetailBytes = 300;

std::string StringAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return std::string(value->get_string());
}

std::optional<std::int64_t> IntegerAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= INT64_MAX) {
    return static_cast<std::int64_t>(value->get_uint64());
  }
  return std::nullopt;
}

// Answers are small: parsed into `storage`, a stack buffer of the caller's.
std::optional<json::value> ParseJson(std::string_view body, json::storage_ptr storage) {
  json::error_code ec;
  json::value value = json::parse(body, ec, std::move(storage));
  if (ec) return std::nullopt;
  return value;
}

std::string Shortened(std::string text) {
  if (text.size() > kMaxDetailBytes) text.resize(kMaxDetailBytes);
  return text;
}

// messages[0] of a success body, or nullptr.
const json::object* FirstMessage(const json::value& root) {
  const json::object* object = root.if_object();
  const json::value* messages = object ? object->if_contains("messages") : nullptr;
  const json::array* array = messages ? messages->if_array() : nullptr;
  if (array == nullptr || array->empty()) return nullptr;
  return array->front().if_object();
}

void ReadSuccess(const HttpAnswer& answer, SendResult& result) {
  unsigned char buffer[4096];
  json::monotonic_resource resource(buffer, sizeof(buffer));
  const auto root = ParseJson(answer.body, &resource);
  const json::object* message = root ? FirstMessage(*root) : nullptr;
  const std::string id = message ? StringAt(*message, "id") : std::string();
  if (id.empty()) {
    result.outcome = Outcome::kUncertain;
    result.detail = "HTTP " + std::to_string(answer.status) +
                    " without a message id; the message may have been accepted";
    return;
  }
  result.outcome = Outcome::kAccepted;
  result.message_id = id;
  result.message_status = StringAt(*message, "message_status");
}

}  // namespace

std::optional<PlatformError> ParsePlatformError(std::string_view body) {
  unsigned char buffer[4096];
  json::monotonic_resource resource(buffer, sizeof(buffer));
  const auto root = ParseJson(body, &resource);
  const json::object* object = root ? root->if_object() : nullptr;
  const json::value* error_value = object ? object->if_contains("error") : nullptr;
  const json::object* error = error_value ? error_value->if_object() : nullptr;
  if (error == nullptr) return std::nullopt;
  const auto code = IntegerAt(*error, "code");
  if (!code) return std::nullopt;
  PlatformError parsed;
  parsed.code = *code;
  parsed.subcode = IntegerAt(*error, "error_subcode");
  parsed.message = StringAt(*error, "message");
  parsed.type = StringAt(*error, "type");
  parsed.fbtrace_id = StringAt(*error, "fbtrace_id");
  if (const json::value* data = error->if_contains("error_data"); data && data->is_object()) {
    parsed.details = StringAt(data->get_object(), "details");
  }
  return parsed;
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, SysTime now) {
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t seconds = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error != std::errc() || seconds > 366 * 24 * 3600) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  // IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", the form RFC 9110 requires senders to use.
  std::tm parts{};
  const std::string text(value);
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const SysTime at = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::from_time_t(::timegm(&parts)));
  return std::max(std::chrono::milliseconds(0), at - now);
}

SendResult ReadCloudApiAnswer(const HttpAnswer& answer, SysTime now) {
  SendResult result;
  result.http_status = answer.status;
  result.retry_after = ParseRetryAfter(answer.retry_after, now);
  if (answer.status >= 200 && answer.status < 300) {
    ReadSuccess(answer, result);
    return result;
  }
  result.outcome = Outcome::kRejected;
  result.error = ParsePlatformError(answer.body);
  if (result.error) {
    result.detail = Shortened("HTTP " + std::to_string(answer.status) + ", error " +
                              std::to_string(result.error->code) + ": " + result.error->message);
  } else {
    result.detail = "HTTP " + std::to_string(answer.status) + " without a platform error object";
  }
  return result;
}

Outcome TransportOutcome(bool request_started) {
  return request_started ? Outcome::kUncertain : Outcome::kNotSent;
}

}  // namespace herald::provider::detail
