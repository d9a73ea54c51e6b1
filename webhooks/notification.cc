#include "webhooks/notification.h"

#include <boost/json.hpp>
#include <charconv>
#include <map>

namespace herald::webhooks {
namespace {

namespace json = boost::json;

// A string member as text; numbers as their decimal spelling (ids are sometimes numbers); else "".
std::string Text(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return {};
  if (const auto* text = value->if_string()) return std::string(*text);
  if (const auto* number = value->if_int64()) return std::to_string(*number);
  if (const auto* number = value->if_uint64()) return std::to_string(*number);
  return {};
}

const json::object* Object(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr ? value->if_object() : nullptr;
}

const json::array* Array(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr ? value->if_array() : nullptr;
}

// Unix seconds, written as a string of digits (the platform's way) or a number.
std::optional<SysTime> UnixSeconds(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  std::int64_t seconds = 0;
  if (const auto* text = value->if_string()) {
    const char* end = text->data() + text->size();
    auto [at, error] = std::from_chars(text->data(), end, seconds);
    if (error != std::errc() || at != end || text->empty()) return std::nullopt;
  } else if (const auto* number = value->if_int64()) {
    seconds = *number;
  } else if (const auto* unsigned_number = value->if_uint64()) {
    if (*unsigned_number > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    seconds = static_cast<std::int64_t>(*unsigned_number);
  } else {
    return std::nullopt;
  }
  // Far outside any real timestamp (year 1970 to 9999): refuse rather than overflow.
  if (seconds < 0 || seconds > 253402300799) return std::nullopt;
  return SysTime(std::chrono::seconds(seconds));
}

std::optional<std::int64_t> Integer(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (const auto* number = value->if_int64()) return *number;
  if (const auto* number = value->if_uint64()) {
    if (*number <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(*number);
  }
  if (const auto* text = value->if_string()) {
    std::int64_t parsed = 0;
    const char* end = text->data() + text->size();
    auto [at, error] = std::from_chars(text->data(), end, parsed);
    if (error == std::errc() && at == end && !text->empty()) return parsed;
  }
  return std::nullopt;
}

class Parser {
 public:
  explicit Parser(Notification& out) : out_(out) {}

  void Change(const json::object& entry, const json::object& change) {
    const std::string field = Text(change, "field");
    const json::object* value = Object(change, "value");
    if (value == nullptr) return Problem("a change of field \"" + field + "\" has no value object");
    if (field == "messages") return Messages(*value);
    if (field == "message_template_status_update" || field == "message_template_quality_update" ||
        field == "template_category_update") {
      return Template(field, *value);
    }
    if (field == "phone_number_quality_update") return NumberQuality(*value);
    if (field == "account_update") return Account(Text(entry, "id"), *value);
    out_.unknown.push_back({field});
  }

 private:
  void Problem(std::string what) { out_.problems.push_back(std::move(what)); }

  void Messages(const json::object& value) {
    std::string phone_number_id;
    if (const json::object* metadata = Object(value, "metadata")) {
      phone_number_id = Text(*metadata, "phone_number_id");
    }
    std::map<std::string, std::string> names;  // wa_id -> profile name
    if (const json::array* contacts = Array(value, "contacts")) {
      for (const json::value& item : *contacts) {
        const json::object* contact = item.if_object();
        if (contact == nullptr) continue;
        const json::object* profile = Object(*contact, "profile");
        names[Text(*contact, "wa_id")] = profile != nullptr ? Text(*profile, "name") : "";
      }
    }
    if (const json::array* statuses = Array(value, "statuses")) {
      for (const json::value& item : *statuses) Status(phone_number_id, item);
    }
    if (const json::array* messages = Array(value, "messages")) {
      for (const json::value& item : *messages) Inbound(phone_number_id, names, item);
    }
    // A "messages" change with neither (e.g. only errors[] of the whole value) still counts.
    if (Array(value, "statuses") == nullptr && Array(value, "messages") == nullptr) {
      out_.unknown.push_back({"messages (no statuses or messages)"});
    }
  }

  void Status(const std::string& phone_number_id, const json::value& item) {
    const json::object* status = item.if_object();
    if (status == nullptr) return Problem("a status is not an object");
    StatusEvent event;
    event.phone_number_id = phone_number_id;
    event.message_id = Text(*status, "id");
    event.status = Text(*status, "status");
    if (event.message_id.empty()) return Problem("a status has no id");
    if (event.status.empty()) return Problem("status " + event.message_id + " has no status");
    const auto timestamp = UnixSeconds(*status, "timestamp");
    if (!timestamp) return Problem("status " + event.message_id + " has no valid timestamp");
    event.timestamp = *timestamp;
    event.recipient_id = Text(*status, "recipient_id");
    event.callback_data = Text(*status, "biz_opaque_callback_data");
    if (const json::array* errors = Array(*status, "errors"); errors && !errors->empty()) {
      if (const json::object* error = (*errors)[0].if_object()) {
        event.error_code = Integer(*error, "code");
        event.error_title = Text(*error, "title");
        if (event.error_title.empty()) event.error_title = Text(*error, "message");
        if (const json::object* data = Object(*error, "error_data")) {
          event.error_details = Text(*data, "details");
        }
      }
    }
    if (const json::object* pricing = Object(*status, "pricing")) {
      event.pricing_json = json::serialize(*pricing);
      if (const json::value* billable = pricing->if_contains("billable")) {
        if (billable->is_bool()) {
          event.billable = billable->get_bool();
        } else if (const auto* text = billable->if_string();
                   text && (*text == "true" || *text == "false")) {
          event.billable = *text == "true";
        }
      }
      event.pricing_category = Text(*pricing, "category");
      event.pricing_type = Text(*pricing, "type");
    }
    out_.statuses.push_back(std::move(event));
  }

  void Inbound(const std::string& phone_number_id, const std::map<std::string, std::string>& names,
               const json::value& item) {
    const json::object* message = item.if_object();
    if (message == nullptr) return Problem("an inbound message is not an object");
    InboundMessage event;
    event.phone_number_id = phone_number_id;
    event.message_id = Text(*message, "id");
    event.from = Text(*message, "from");
    event.type = Text(*message, "type");
    if (event.message_id.empty()) return Problem("an inbound message has no id");
    const auto timestamp = UnixSeconds(*message, "timestamp");
    if (!timestamp) return Problem("inbound " + event.message_id + " has no valid timestamp");
    event.timestamp = *timestamp;
    if (const auto name = names.find(event.from); name != names.end()) {
      event.profile_name = name->second;
    }
    if (const json::object* context = Object(*message, "context")) {
      event.context_id = Text(*context, "id");
    }
    event.from_referral = Object(*message, "referral") != nullptr;
    if (const json::object* text = Object(*message, "text")) event.text = Text(*text, "body");
    if (const json::object* button = Object(*message, "button")) {
      event.text = Text(*button, "text");
      event.payload = Text(*button, "payload");
    }
    if (const json::object* interactive = Object(*message, "interactive")) {
      for (std::string_view kind : {"button_reply", "list_reply"}) {
        if (const json::object* reply = Object(*interactive, kind)) {
          event.text = Text(*reply, "title");
          event.payload = Text(*reply, "id");
        }
      }
    }
    if (const json::object* system = Object(*message, "system")) {
      event.system_type = Text(*system, "type");
      event.system_new_wa_id = Text(*system, "wa_id");
      if (event.system_new_wa_id.empty()) event.system_new_wa_id = Text(*system, "new_wa_id");
      if (event.text.empty()) event.text = Text(*system, "body");
    }
    // A system message (a number change) comes from the user's old id; everything else needs one.
    if (event.from.empty()) return Problem("inbound " + event.message_id + " has no sender");
    out_.messages.push_back(std::move(event));
  }

  void Template(const std::string& field, const json::object& value) {
    TemplateEvent event;
    event.field = field;
    event.event = Text(value, "event");
    event.template_id = Text(value, "message_template_id");
    event.name = Text(value, "message_template_name");
    event.language = Text(value, "message_template_language");
    event.reason = Text(value, "reason");
    event.new_quality = Text(value, "new_quality_score");
    event.new_category = Text(value, "new_category");
    if (event.name.empty() && event.template_id.empty()) {
      return Problem(field + " names no template");
    }
    out_.templates.push_back(std::move(event));
  }

  void NumberQuality(const json::object& value) {
    NumberQualityEvent event;
    event.display_phone_number = Text(value, "display_phone_number");
    event.event = Text(value, "event");
    event.current_limit = Text(value, "current_limit");
    if (event.current_limit.empty()) {
      event.current_limit = Text(value, "max_daily_conversations_per_business");
    }
    event.quality = Text(value, "quality");
    if (event.display_phone_number.empty()) {
      return Problem("phone_number_quality_update names no display_phone_number");
    }
    out_.number_quality.push_back(std::move(event));
  }

  void Account(std::string waba_id, const json::object& value) {
    AccountEvent event;
    event.waba_id = std::move(waba_id);
    event.event = Text(value, "event");
    if (const json::object* info = Object(value, "restriction_info")) {
      event.restriction_type = Text(*info, "restriction_type");
      event.restriction_expiration = UnixSeconds(*info, "expiration");
    } else if (const json::array* infos = Array(value, "restriction_info");
               infos && !infos->empty() && (*infos)[0].is_object()) {
      const json::object& info = (*infos)[0].get_object();
      event.restriction_type = Text(info, "restriction_type");
      event.restriction_expiration = UnixSeconds(info, "expiration");
    }
    out_.accounts.push_back(std::move(event));
  }

  Notification& out_;
};

Error Unusable(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, "webhook: " + std::move(message));
}

}  // namespace

Result<Notification> ParseNotification(std::string_view body) {
  boost::system::error_code error;
  json::value root = json::parse(body, error);
  if (error) return Unusable("not JSON: " + error.message());
  const json::object* object = root.if_object();
  if (object == nullptr) return Unusable("the body is not a JSON object");
  const std::string kind = Text(*object, "object");
  if (kind != "whatsapp_business_account") {
    return Unusable("\"object\" is \"" + kind + "\", expected \"whatsapp_business_account\"");
  }
  const json::array* entries = Array(*object, "entry");
  if (entries == nullptr) return Unusable("\"entry\" is missing or not an array");
  Notification notification;
  Parser parser(notification);
  for (const json::value& item : *entries) {
    const json::object* entry = item.if_object();
    if (entry == nullptr) {
      notification.problems.push_back("an entry is not an object");
      continue;
    }
    const json::array* changes = Array(*entry, "changes");
    if (changes == nullptr) {
      notification.problems.push_back("an entry has no changes array");
      continue;
    }
    for (const json::value& change : *changes) {
      if (const json::object* change_object = change.if_object()) {
        parser.Change(*entry, *change_object);
      } else {
        notification.problems.push_back("a change is not an object");
      }
    }
  }
  return notification;
}

std::string Summarise(const Notification& notification) {
  std::string summary;
  const auto add = [&summary](std::string_view name, std::size_t count) {
    if (count == 0) return;
    if (!summary.empty()) summary += ' ';
    summary += std::string(name) + "=" + std::to_string(count);
  };
  add("statuses", notification.statuses.size());
  add("messages", notification.messages.size());
  add("templates", notification.templates.size());
  add("number_quality", notification.number_quality.size());
  add("accounts", notification.accounts.size());
  std::map<std::string, std::size_t> unknown;
  for (const UnknownChange& change : notification.unknown) ++unknown[change.field];
  for (const auto& [field, count] : unknown) add("unknown:" + field, count);
  add("problems", notification.problems.size());
  return summary.empty() ? "empty" : summary;
}

}  // namespace herald::webhooks
