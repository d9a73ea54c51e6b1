#include "http/api_util.h"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_set>
#include <vector>

#include "common/time.h"
#include "common/utf8.h"

namespace herald::http {

namespace json = boost::json;

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kStorageFull:
      return 507;  // Insufficient Storage
    default:
      return 500;
  }
}

Response ErrorResponse(const Error& error) {
  return JsonError(HttpStatusFor(error.code), ErrorCodeName(error.code), error.message,
                   error.field);
}

Response JsonBody(int status, const json::value& body) {
  return JsonResponse(status, json::serialize(body));
}

namespace {

// A basic_parser handler that only looks for a key given twice in one object, and remembers the
// first such key with its path ("terms[2].note"). Boost.JSON's own parse keeps the last value of
// a repeated key without a word.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t max_object_size = 1'000'000;
  static constexpr std::size_t max_array_size = 10'000'000;
  static constexpr std::size_t max_key_size = 1 << 20;
  static constexpr std::size_t max_string_size = 1 << 30;

  std::optional<std::string> duplicate;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    Enter();
    levels_.back().object = true;
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) { return Leave(); }
  bool on_array_begin(boost::system::error_code&) {
    Enter();
    return true;
  }
  bool on_array_end(std::size_t, boost::system::error_code&) { return Leave(); }
  bool on_key_part(std::string_view part, std::size_t, boost::system::error_code&) {
    key_.append(part);
    return true;
  }
  bool on_key(std::string_view part, std::size_t, boost::system::error_code&) {
    key_.append(part);
    Level& level = levels_.back();
    if (!level.keys.insert(key_).second && !duplicate) duplicate = Path() + key_;
    level.last_key = std::move(key_);
    key_.clear();
    return true;
  }
  bool on_string_part(std::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string(std::string_view, std::size_t, boost::system::error_code&) { return Value(); }
  bool on_number_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, std::string_view, boost::system::error_code&) { return Value(); }
  bool on_uint64(std::uint64_t, std::string_view, boost::system::error_code&) { return Value(); }
  bool on_double(double, std::string_view, boost::system::error_code&) { return Value(); }
  bool on_bool(bool, boost::system::error_code&) { return Value(); }
  bool on_null(boost::system::error_code&) { return Value(); }
  bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_comment(std::string_view, boost::system::error_code&) { return true; }

 private:
  struct Level {
    bool object = false;
    std::size_t index = 0;  // of the next element, in an array
    std::string last_key;
    std::unordered_set<std::string> keys;
  };
  void Enter() { levels_.emplace_back(); }
  bool Leave() {
    levels_.pop_back();
    return Value();
  }
  bool Value() {
    if (!levels_.empty() && !levels_.back().object) ++levels_.back().index;
    return true;
  }
  // Where the current object is: "", or "terms[2]." for an object in an array under "terms".
  std::string Path() const {
    std::string path;
    for (std::size_t i = 0; i + 1 < levels_.size(); ++i) {
      const Level& level = levels_[i];
      if (level.object) {
        path += (path.empty() ? "" : ".") + level.last_key;
      } else {
        path += "[" + std::to_string(level.index) + "]";
      }
    }
    return path.empty() ? path : path + ".";
  }

  std::vector<Level> levels_;
  std::string key_;
};

}  // namespace

Result<json::object> JsonObjectBody(const Request& request,
                                    std::initializer_list<std::string_view> fields) {
  return JsonObjectBody(request, std::span<const std::string_view>(fields.begin(), fields.size()));
}

Result<json::object> JsonObjectBody(const Request& request,
                                    std::span<const std::string_view> fields) {
  boost::system::error_code ec;
  json::value value = json::parse(request.body, ec);
  if (ec) {
    return MakeError(ErrorCode::kInvalidArgument, "request body is not JSON: " + ec.message());
  }
  if (!value.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "request body must be a JSON object");
  }
  json::basic_parser<DuplicateKeyFinder> finder{json::parse_options{}};
  finder.write_some(false, request.body.data(), request.body.size(), ec);
  if (finder.handler().duplicate) {
    return MakeError(ErrorCode::kInvalidArgument, "given twice in the request body",
                     *finder.handler().duplicate);
  }
  std::string expected;
  for (const std::string_view field : fields) {
    expected += (expected.empty() ? "" : ", ") + std::string(field);
  }
  for (const auto& member : value.as_object()) {
    bool known = false;
    for (const std::string_view field : fields) known = known || member.key() == field;
    if (!known) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "unknown field; expected " +
                           (expected.empty() ? std::string("none") : "one of: " + expected),
                       std::string(member.key()));
    }
  }
  return std::move(value.as_object());
}

Result<std::vector<std::string>> StringList(const json::object& body, std::string_view key) {
  std::vector<std::string> list;
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return list;
  if (!value->is_array()) {
    return MakeError(ErrorCode::kInvalidArgument, "must be an array of strings", std::string(key));
  }
  for (const json::value& item : value->as_array()) {
    if (!item.is_string()) {
      return MakeError(ErrorCode::kInvalidArgument, "must be an array of strings",
                       std::string(key));
    }
    list.emplace_back(item.as_string());
  }
  return list;
}

std::string ActorOf(const Request& request) {
  return request.actor.empty() ? std::string("admin") : request.actor;
}

Result<std::string> PathParam(const Request& request, const std::string& name) {
  auto it = request.params.find(name);
  std::optional<std::string> decoded =
      it == request.params.end() ? std::nullopt : PercentDecode(it->second, false);
  if (!decoded) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed percent-escape in the path", name);
  }
  if (decoded->empty()) return MakeError(ErrorCode::kInvalidArgument, "empty", name);
  if (!IsValidUtf8(*decoded)) return MakeError(ErrorCode::kInvalidArgument, "not UTF-8", name);
  return *decoded;
}

Result<CampaignId> CampaignIdParam(const Request& request) {
  auto text = PathParam(request, "id");
  if (!text.ok()) return text.error();
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), id);
  if (error != std::errc() || end != text->data() + text->size() || id <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "expected a campaign id (a number)", "id");
  }
  return CampaignId{id};
}

Result<std::map<std::string, std::string>> QueryParams(const Request& request) {
  auto query = ParseQuery(request.query);
  if (!query) return MakeError(ErrorCode::kInvalidArgument, "malformed query string", "query");
  // Values are stored (a change's reason, a consent source) and shown in answers: UTF-8 only.
  for (const auto& [key, value] : *query) {
    if (!IsValidUtf8(key)) return MakeError(ErrorCode::kInvalidArgument, "not UTF-8", "query");
    if (!IsValidUtf8(value)) return MakeError(ErrorCode::kInvalidArgument, "not UTF-8", key);
  }
  return std::move(*query);
}

json::string TimeJson(SysTime time) { return json::string(FormatRfc3339(time)); }

json::object ContactJson(const app::Contact& contact) {
  json::array tags;
  for (const auto& tag : contact.tags) tags.emplace_back(tag);
  json::object attributes;
  for (const auto& [key, value] : contact.attributes) attributes[key] = value;
  json::object out{{"id", contact.id.value},
                   {"phone", contact.phone_e164},
                   {"name", contact.name},
                   {"country", contact.country},
                   {"language", contact.language},
                   {"timezone", contact.timezone},
                   {"tags", std::move(tags)},
                   {"opted_out", contact.opted_out},
                   {"consent", json::object{{"marketing", contact.consent_marketing},
                                            {"utility", contact.consent_utility}}},
                   {"attributes", std::move(attributes)}};
  if (contact.last_inbound) {
    out["last_inbound_ms"] = ToUnixMillis(*contact.last_inbound);
    out["last_inbound_at"] = TimeJson(*contact.last_inbound);
  }
  return out;
}

namespace {
Error WrongType(std::string_view key, std::string_view expected) {
  return MakeError(ErrorCode::kInvalidArgument, "expected " + std::string(expected),
                   std::string(key));
}
}  // namespace

Result<std::optional<std::string>> OptionalStringField(const boost::json::object& body,
                                                       std::string_view key) {
  const boost::json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) return WrongType(key, "a string");
  return std::optional<std::string>(std::string(value->as_string()));
}

Result<std::optional<double>> OptionalNumberField(const boost::json::object& body,
                                                  std::string_view key) {
  const boost::json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return std::optional<double>();
  if (value->is_int64()) return std::optional<double>(static_cast<double>(value->as_int64()));
  if (value->is_uint64()) return std::optional<double>(static_cast<double>(value->as_uint64()));
  if (value->is_double()) return std::optional<double>(value->as_double());
  return WrongType(key, "a number");
}

Result<std::optional<bool>> OptionalBoolField(const boost::json::object& body,
                                              std::string_view key) {
  const boost::json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return std::optional<bool>();
  if (!value->is_bool()) return WrongType(key, "true or false");
  return std::optional<bool>(value->as_bool());
}

Result<std::optional<SysTime>> OptionalTimeField(const boost::json::object& body,
                                                 std::string_view key) {
  auto text = OptionalStringField(body, key);
  if (!text.ok()) return WrongType(key, "an RFC 3339 time such as 2026-12-04T10:00:00Z");
  if (!*text) return std::optional<SysTime>();
  auto time = ParseRfc3339(**text);
  if (!time) return WrongType(key, "an RFC 3339 time such as 2026-12-04T10:00:00Z");
  return std::optional<SysTime>(*time);
}

json::value NumberJson(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9e15) {
    return json::value(static_cast<std::int64_t>(value));
  }
  return json::value(value);
}

}  // namespace herald::http
