// app/campaign_content.h: what a campaign sends (issue 16, item 2), as the API gives it and as it
// is stored (campaigns.content): either
//   {"template": {"name": "promo", "language": "de", "parameters": {"body": [...], "header":
//   [...]}}}
// where a plain array for "parameters" is the body's, in placeholder order, and an object keyed
// by placeholder name gives named placeholders ({"body": {"first_name": "{{name}}"}}); or
//   {"text": "Hello {{name}}"}
// for a free-form message, which only goes to recipients with an open service window. Each value
// may refer to the contact (campaign/personalise.h). "purpose" ("marketing", "utility",
// "service") may make the gate stricter than the template's category says.
//
// Thread rules: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/purpose.h"
#include "common/result.h"

namespace boost::json {
class value;
}  // namespace boost::json

namespace herald::app {

struct ParameterList {
  // Positional values ({{1}}, {{2}}, …) or named ones (name, value); one of the two.
  std::vector<std::string> positional{};
  std::vector<std::pair<std::string, std::string>> named{};
  bool empty() const { return positional.empty() && named.empty(); }
};

struct CampaignContent {
  bool is_template = true;
  std::string template_name{};
  std::string template_language{};  // empty: each recipient's language, with fallback
  ParameterList header{};
  ParameterList body{};
  std::string text{};  // for a free-form message
  std::optional<Purpose> purpose{};
};

// Reads the content from a request or from storage: the object holding "template" or "text"
// (and "purpose"). Errors name the key, e.g. "template.parameters.body[2]".
Result<CampaignContent> ParseCampaignContent(const boost::json::value& object);
std::string CampaignContentJson(const CampaignContent& content);

}  // namespace herald::app
