// ToCloudApiJson: the platform's send payload (reference/whatsapp.md, "Templates", "Send API").
#include "provider/provider.h"

#include <boost/json.hpp>
#include <type_traits>

namespace herald::provider {
namespace {

namespace json = boost::json;

// [{"type":"text","text":…}] or, for named placeholders, [{"type":"text","parameter_name":…,
// "text":…}]: the platform matches named parameters by name, positional ones by order.
json::array TextParameters(const std::vector<TextParameter>& parameters,
                           json::storage_ptr storage) {
  json::array array(storage);
  array.reserve(parameters.size());
  for (const TextParameter& parameter : parameters) {
    json::object object(storage);
    object["type"] = "text";
    if (!parameter.name.empty()) object["parameter_name"] = parameter.name;
    object["text"] = parameter.text;
    array.push_back(std::move(object));
  }
  return array;
}

json::object TemplateObject(const TemplateContent& content, json::storage_ptr storage) {
  json::object object(storage);
  object["name"] = content.name;
  object["language"] = json::object({{"code", content.language}}, storage);
  json::array components(storage);
  for (const auto& [type, parameters] :
       {std::pair{"header", &content.header}, std::pair{"body", &content.body}}) {
    if (parameters->empty()) continue;
    json::object component(storage);
    component["type"] = type;
    component["parameters"] = TextParameters(*parameters, storage);
    components.push_back(std::move(component));
  }
  if (!components.empty()) object["components"] = std::move(components);
  return object;
}

}  // namespace

std::string ToCloudApiJson(const Message& message) {
  // Messages are small: build them in one stack buffer instead of many small allocations.
  unsigned char buffer[4096];
  json::monotonic_resource resource(buffer, sizeof(buffer));
  json::storage_ptr storage(&resource);
  json::object root(storage);
  root["messaging_product"] = "whatsapp";
  root["recipient_type"] = "individual";
  root["to"] = message.to;
  std::visit(
      [&](const auto& content) {
        using Content = std::decay_t<decltype(content)>;
        if constexpr (std::is_same_v<Content, TemplateContent>) {
          root["type"] = "template";
          root["template"] = TemplateObject(content, storage);
        } else {
          root["type"] = "text";
          root["text"] =
              json::object({{"body", content.body}, {"preview_url", content.preview_url}}, storage);
        }
      },
      message.content);
  if (!message.callback_data.empty()) root["biz_opaque_callback_data"] = message.callback_data;
  return json::serialize(root);
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kNotSent:
      return "not_sent";
    case Outcome::kUncertain:
      return "uncertain";
  }
  return "unknown";
}

}  // namespace herald::provider
