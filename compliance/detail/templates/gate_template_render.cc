// RenderTemplate (templates.h): parameter checks, length checks and substitution. The success
// path must not allocate beyond `out`'s capacity: the gate calls it for every template message.
#include <algorithm>
#include <string>

#include "compliance/templates.h"

namespace herald::compliance {
namespace {

using detail::GateCompiledText;
using detail::GateCountCodePoints;

// Why a value breaks the platform's parameter rules (132018), or nullptr.
const char* ParameterValueProblem(std::string_view value) {
  if (value.empty()) return "is empty";
  int spaces = 0;
  for (char c : value) {
    if (c == '\n' || c == '\r') return "contains a newline";
    if (c == '\t') return "contains a tab";
    spaces = c == ' ' ? spaces + 1 : 0;
    if (spaces > 4) return "contains more than 4 consecutive spaces";
  }
  return nullptr;
}

std::string Braced(std::string_view name) { return "{{" + std::string(name) + "}}"; }

RenderOutcome ParamsProblem(std::string_view component, std::string message) {
  return RenderOutcome{TemplateProblem::kParams, std::string(component) + ": " + message};
}

std::string ExpectedList(const Placeholders& placeholders) {
  std::string list;
  for (const std::string& name : placeholders.names) {
    list += list.empty() ? "" : ", ";
    list += Braced(name);
  }
  return list;
}

// The value for placeholder `index`, once CheckArguments has passed.
std::string_view ValueOf(const Placeholders& placeholders,
                         std::span<const TemplateParameter> params, std::size_t index) {
  if (placeholders.style == PlaceholderStyle::kPositional) return params[index].value;
  const std::string& name = placeholders.names[index];
  for (const TemplateParameter& param : params) {
    if (param.name == name) return param.value;
  }
  return {};
}

RenderOutcome CheckNames(std::string_view component, const Placeholders& placeholders,
                         std::span<const TemplateParameter> params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string_view name = params[i].name;
    if (std::find(placeholders.names.begin(), placeholders.names.end(), name) ==
        placeholders.names.end()) {
      return ParamsProblem(component, "unknown parameter " + Braced(name) + " (expected " +
                                          ExpectedList(placeholders) + ")");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (params[j].name == name) {
        return ParamsProblem(component, "parameter " + Braced(name) + " is given twice");
      }
    }
  }
  return {};
}

// Count, style and names of `params` against `placeholders`, then every value.
RenderOutcome CheckArguments(std::string_view component, const Placeholders& placeholders,
                             std::span<const TemplateParameter> params) {
  std::size_t named = 0;
  for (const TemplateParameter& param : params) named += !param.name.empty();
  if (named != 0 && named != params.size()) {
    return ParamsProblem(component, "mixes named and positional parameters");
  }
  if (params.size() != placeholders.names.size()) {
    return ParamsProblem(
        component, "expects " + std::to_string(placeholders.names.size()) + " parameter(s)" +
                       (placeholders.names.empty() ? "" : " (" + ExpectedList(placeholders) + ")") +
                       ", got " + std::to_string(params.size()));
  }
  const bool want_named = placeholders.style == PlaceholderStyle::kNamed;
  if (!params.empty() && want_named != (named != 0)) {
    return ParamsProblem(component, want_named ? "expects named parameters, got positional ones"
                                               : "expects positional parameters, got named ones");
  }
  if (want_named) {
    RenderOutcome names = CheckNames(component, placeholders, params);
    if (!names.ok()) return names;
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (const char* problem = ParameterValueProblem(params[i].value)) {
      const std::string label = want_named ? std::string(params[i].name) : std::to_string(i + 1);
      return ParamsProblem(component, "parameter " + Braced(label) + " " + problem);
    }
  }
  return {};
}

std::size_t RenderedChars(const GateCompiledText& compiled, const Placeholders& placeholders,
                          std::span<const TemplateParameter> params) {
  std::size_t chars = compiled.literal_chars;
  for (const detail::GateTextPiece& piece : compiled.pieces) {
    if (piece.placeholder >= 0) {
      chars += GateCountCodePoints(ValueOf(placeholders, params, piece.placeholder));
    }
  }
  return chars;
}

RenderOutcome CheckLength(std::string_view component, std::size_t chars, std::size_t limit) {
  if (chars <= limit) return {};
  return RenderOutcome{TemplateProblem::kTooLong,
                       std::string(component) + ": " + std::to_string(chars) +
                           " characters rendered, limit " + std::to_string(limit)};
}

void Append(std::string& out, const std::string& text, const GateCompiledText& compiled,
            const Placeholders& placeholders, std::span<const TemplateParameter> params) {
  if (compiled.pieces.empty()) return;
  if (!out.empty()) out += '\n';
  for (const detail::GateTextPiece& piece : compiled.pieces) {
    if (piece.placeholder >= 0) {
      out += ValueOf(placeholders, params, piece.placeholder);
    } else {
      out.append(text, piece.begin, piece.end - piece.begin);
    }
  }
}

}  // namespace

RenderOutcome RenderTemplate(const CompiledTemplate& compiled, const TemplateArguments& arguments,
                             const TemplateLimits& limits, std::string& out) {
  out.clear();
  const TemplateComponents& components = compiled.source.components;
  RenderOutcome checked = CheckArguments("header", compiled.header_placeholders, arguments.header);
  if (!checked.ok()) return checked;
  checked = CheckArguments("body", compiled.body_placeholders, arguments.body);
  if (!checked.ok()) return checked;

  checked = CheckLength(
      "header", RenderedChars(compiled.header, compiled.header_placeholders, arguments.header),
      limits.header_max_chars);
  if (!checked.ok()) return checked;
  checked =
      CheckLength("body", RenderedChars(compiled.body, compiled.body_placeholders, arguments.body),
                  limits.body_max_chars);
  if (!checked.ok()) return checked;
  checked = CheckLength("footer", compiled.footer.literal_chars, limits.footer_max_chars);
  if (!checked.ok()) return checked;

  Append(out, components.header_text, compiled.header, compiled.header_placeholders,
         arguments.header);
  Append(out, components.body, compiled.body, compiled.body_placeholders, arguments.body);
  Append(out, components.footer, compiled.footer, {}, {});
  return {};
}

}  // namespace herald::compliance
