#include "app/campaign_content.h"

#include <boost/json.hpp>

#include "common/names.h"
#include "common/utf8.h"

namespace herald::app {
namespace {

namespace json = boost::json;

Error Invalid(std::string message, std::string field) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}

constexpr std::size_t kMaxValueBytes = 4096;
constexpr std::size_t kMaxParameters = 100;

Result<std::string> Value(const json::value& value, const std::string& field) {
  if (!value.is_string()) return Invalid("expected a string", field);
  const json::string& text = value.as_string();
  if (text.empty()) return Invalid("a parameter value cannot be empty", field);
  if (text.size() > kMaxValueBytes) return Invalid("at most 4096 bytes", field);
  return std::string(text);
}

Result<ParameterList> Parameters(const json::value& value, const std::string& field) {
  ParameterList list;
  if (value.is_array()) {
    const json::array& array = value.as_array();
    if (array.size() > kMaxParameters) return Invalid("at most 100 parameters", field);
    for (std::size_t i = 0; i < array.size(); ++i) {
      auto text = Value(array[i], field + "[" + std::to_string(i) + "]");
      if (!text.ok()) return text.error();
      list.positional.push_back(std::move(*text));
    }
    return list;
  }
  if (value.is_object()) {
    const json::object& object = value.as_object();
    if (object.size() > kMaxParameters) return Invalid("at most 100 parameters", field);
    for (const auto& [key, item] : object) {
      const std::string name(key);
      // The platform's rule for named placeholders: lower-case letters, digits and '_'.
      bool valid = !name.empty() && name.size() <= 64 && !(name[0] >= '0' && name[0] <= '9');
      for (char c : name)
        valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
      if (!valid) {
        return Invalid("a placeholder name is lower-case letters, digits and '_'",
                       field + "." + name);
      }
      auto text = Value(item, field + "." + name);
      if (!text.ok()) return text.error();
      list.named.emplace_back(name, std::move(*text));
    }
    return list;
  }
  return Invalid("expected an array (positional) or an object (named placeholders)", field);
}

Status ReadTemplate(const json::object& spec, CampaignContent& content) {
  for (const auto& [key, item] : spec) {
    if (key != "name" && key != "language" && key != "parameters") {
      return Invalid("unknown key; expected name, language, parameters",
                     "template." + std::string(key));
    }
  }
  const json::value* name = spec.if_contains("name");
  if (name == nullptr || !name->is_string()) {
    return Invalid("expected the template's name", "template.name");
  }
  content.template_name = std::string(name->as_string());
  if (Status valid = names::CheckTemplate(content.template_name, "template.name"); !valid.ok()) {
    return valid;
  }
  if (const json::value* language = spec.if_contains("language");
      language != nullptr && !language->is_null()) {
    if (!language->is_string()) return Invalid("expected a language tag", "template.language");
    content.template_language = std::string(language->as_string());
    if (Status valid = names::CheckLanguage(content.template_language, "template.language");
        !valid.ok()) {
      return valid;
    }
  }
  const json::value* parameters = spec.if_contains("parameters");
  if (parameters == nullptr || parameters->is_null()) return Status::Ok();
  if (parameters->is_array()) {
    auto body = Parameters(*parameters, "template.parameters");
    if (!body.ok()) return body.error();
    content.body = std::move(*body);
    return Status::Ok();
  }
  if (!parameters->is_object()) {
    return Invalid("expected {\"body\": [...], \"header\": [...]} or an array",
                   "template.parameters");
  }
  for (const auto& [key, item] : parameters->as_object()) {
    const std::string field = "template.parameters." + std::string(key);
    if (key != "body" && key != "header") return Invalid("expected body or header", field);
    auto list = Parameters(item, field);
    if (!list.ok()) return list.error();
    (key == "body" ? content.body : content.header) = std::move(*list);
  }
  return Status::Ok();
}

json::value ParametersJson(const ParameterList& list) {
  if (!list.named.empty()) {
    json::object named;
    for (const auto& [name, value] : list.named) named[name] = value;
    return named;
  }
  json::array positional;
  for (const std::string& value : list.positional) positional.push_back(json::string(value));
  return positional;
}

}  // namespace

Result<CampaignContent> ParseCampaignContent(const json::value& value) {
  if (!value.is_object()) return Invalid("expected an object", "content");
  const json::object& object = value.as_object();
  const json::value* spec = object.if_contains("template");
  const json::value* text = object.if_contains("text");
  if (spec != nullptr && spec->is_null()) spec = nullptr;
  if (text != nullptr && text->is_null()) text = nullptr;
  if ((spec == nullptr) == (text == nullptr)) {
    return Invalid("give either template (a template message) or text (a free-form message)",
                   spec == nullptr ? "template" : "text");
  }
  CampaignContent content;
  if (const json::value* purpose = object.if_contains("purpose");
      purpose != nullptr && !purpose->is_null()) {
    if (!purpose->is_string()) return Invalid("expected a purpose", "purpose");
    auto parsed = ParsePurpose(std::string(purpose->as_string()));
    if (!parsed.ok()) return Invalid(parsed.error().message, "purpose");
    content.purpose = *parsed;
  }
  if (text != nullptr) {
    if (!text->is_string() || text->as_string().empty()) {
      return Invalid("expected the message's text", "text");
    }
    if (text->as_string().size() > 4096 * 4) return Invalid("the text is too long", "text");
    content.is_template = false;
    content.text = std::string(text->as_string());
    return content;
  }
  if (!spec->is_object())
    return Invalid("expected {\"name\", \"language\", \"parameters\"}", "template");
  if (Status read = ReadTemplate(spec->as_object(), content); !read.ok()) return read.error();
  return content;
}

std::string CampaignContentJson(const CampaignContent& content) {
  json::object out;
  if (content.is_template) {
    json::object spec{{"name", content.template_name}};
    if (!content.template_language.empty()) spec["language"] = content.template_language;
    json::object parameters;
    if (!content.body.empty()) parameters["body"] = ParametersJson(content.body);
    if (!content.header.empty()) parameters["header"] = ParametersJson(content.header);
    if (!parameters.empty()) spec["parameters"] = std::move(parameters);
    out["template"] = std::move(spec);
  } else {
    out["text"] = content.text;
  }
  if (content.purpose) out["purpose"] = PurposeName(*content.purpose);
  return json::serialize(out);
}

}  // namespace herald::app
