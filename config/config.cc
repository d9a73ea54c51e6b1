// Entry points: parse text or a file into a Config, and format the errors.
#include "config/config.h"

#include <toml++/toml.h>

#include "config/detail/document.h"
#include "config/detail/read_file.h"
#include "config/detail/schema.h"

namespace herald::config {

std::string ConfigError::ToString() const {
  std::string text;
  if (!file.empty()) text += file + ":";
  if (line > 0) text += std::to_string(line) + ":";
  if (line > 0 && column > 0) text += std::to_string(column) + ":";
  if (!text.empty()) text += " ";
  if (!key.empty()) text += key + ": ";
  return text + message;
}

std::string ConfigResult::ErrorsToString() const {
  std::string text;
  for (const ConfigError& error : errors) {
    if (!text.empty()) text += '\n';
    text += error.ToString();
  }
  return text;
}

ConfigResult ParseConfig(std::string_view toml_text, std::string_view source_name) {
  ConfigResult result;
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    // toml++ stops at the first syntax error, so there is exactly one.
    const toml::source_position& where = error.source().begin;
    result.errors.push_back(ConfigError{std::string(source_name), static_cast<int>(where.line),
                                        static_cast<int>(where.column), "",
                                        std::string(error.description())});
    return result;
  }
  detail::ErrorSink errors{std::string(source_name)};
  Config config = detail::ReadDocument(root, errors);
  result.errors = errors.TakeInFileOrder();
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

ConfigResult LoadConfigFile(const std::filesystem::path& path) {
  auto text = detail::ReadFile(path);
  if (!text) {
    ConfigResult result;
    result.errors.push_back(
        ConfigError{path.string(), 0, 0, "", "cannot read config file: " + text.error().message});
    return result;
  }
  return ParseConfig(*text, path.string());
}

std::string_view LogLevelName(LogLevel level) {
  const auto index = static_cast<std::size_t>(level);
  return index < detail::kLogLevelNames.size() ? detail::kLogLevelNames[index] : "unknown";
}

}  // namespace herald::config
