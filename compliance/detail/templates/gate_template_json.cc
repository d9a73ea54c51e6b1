// ParseTemplateComponents (templates.h): the platform's template `components` array.
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "compliance/templates.h"

namespace herald::compliance {
namespace {

namespace json = boost::json;

std::string Upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

Error FieldError(std::string field, std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}

// The string at `key`: nullopt when absent and not required; an error when it is not a string.
Result<std::optional<std::string>> StringField(const json::object& object, std::string_view key,
                                               const std::string& path, bool required) {
  const json::value* value = object.if_contains(key);
  const std::string field = path + "." + std::string(key);
  if (value == nullptr) {
    if (required) return FieldError(field, "is missing");
    return std::optional<std::string>();
  }
  if (!value->is_string()) return FieldError(field, "expected a string");
  return std::optional<std::string>(std::string(value->as_string()));
}

Result<HeaderFormat> ParseHeaderFormat(std::string_view name, const std::string& field) {
  const std::string upper = Upper(name);
  for (HeaderFormat format : {HeaderFormat::kText, HeaderFormat::kImage, HeaderFormat::kVideo,
                              HeaderFormat::kDocument, HeaderFormat::kLocation}) {
    if (HeaderFormatName(format) == upper) return format;
  }
  return FieldError(field, "unknown header format \"" + std::string(name) +
                               "\" (expected TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION)");
}

Status ParseHeader(const json::object& object, const std::string& path, TemplateComponents& out) {
  auto format_name = StringField(object, "format", path, true);
  if (!format_name.ok()) return format_name.error();
  auto format = ParseHeaderFormat(**format_name, path + ".format");
  if (!format.ok()) return format.error();
  out.header_format = *format;
  auto text = StringField(object, "text", path, *format == HeaderFormat::kText);
  if (!text.ok()) return text.error();
  if (*format == HeaderFormat::kText) out.header_text = std::move(**text);
  return Status::Ok();
}

Status ParseButtons(const json::object& object, const std::string& path, TemplateComponents& out) {
  const json::value* buttons = object.if_contains("buttons");
  if (buttons == nullptr) return FieldError(path + ".buttons", "is missing");
  if (!buttons->is_array()) return FieldError(path + ".buttons", "expected an array");
  for (std::size_t i = 0; i < buttons->as_array().size(); ++i) {
    const std::string button_path = path + ".buttons[" + std::to_string(i) + "]";
    const json::value& item = buttons->as_array()[i];
    if (!item.is_object()) return FieldError(button_path, "expected an object");
    TemplateButton button;
    std::string* targets[] = {&button.type, &button.text, &button.url, &button.phone_number};
    const char* keys[] = {"type", "text", "url", "phone_number"};
    for (int k = 0; k < 4; ++k) {
      auto value = StringField(item.as_object(), keys[k], button_path, k == 0);
      if (!value.ok()) return value.error();
      if (*value) *targets[k] = std::move(**value);
    }
    out.buttons.push_back(std::move(button));
  }
  return Status::Ok();
}

// One element of the array; `seen` guards against a component type given twice.
Status ParseComponent(const json::value& value, const std::string& path, std::string& seen,
                      TemplateComponents& out) {
  if (!value.is_object()) return FieldError(path, "expected an object");
  const json::object& object = value.as_object();
  auto type_name = StringField(object, "type", path, true);
  if (!type_name.ok()) return type_name.error();
  const std::string type = Upper(**type_name);
  if (type != "HEADER" && type != "BODY" && type != "FOOTER" && type != "BUTTONS") {
    return FieldError(path + ".type", "unknown component type \"" + **type_name +
                                          "\" (expected HEADER, BODY, FOOTER or BUTTONS)");
  }
  if (seen.find("|" + type + "|") != std::string::npos) {
    return FieldError(path + ".type", "a second " + type + " component");
  }
  seen += "|" + type + "|";
  if (type == "HEADER") return ParseHeader(object, path, out);
  if (type == "BUTTONS") return ParseButtons(object, path, out);
  auto text = StringField(object, "text", path, true);
  if (!text.ok()) return text.error();
  (type == "BODY" ? out.body : out.footer) = std::move(**text);
  return Status::Ok();
}

}  // namespace

Result<TemplateComponents> ParseTemplateComponents(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) return FieldError("components", "invalid JSON: " + ec.message());
  if (!parsed.is_array()) return FieldError("components", "expected an array");
  TemplateComponents components;
  std::string seen;
  const json::array& array = parsed.as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    Status status =
        ParseComponent(array[i], "components[" + std::to_string(i) + "]", seen, components);
    if (!status.ok()) return status.error();
  }
  if (seen.find("|BODY|") == std::string::npos) {
    return FieldError("components", "has no BODY component");
  }
  return components;
}

}  // namespace herald::compliance
