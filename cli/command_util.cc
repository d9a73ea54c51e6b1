#include "cli/command_util.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <fstream>

namespace herald::cli {
namespace {

// Counts UTF-8 characters, as the segment parser does for its positions.
std::size_t CharacterCount(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

// N from a message "position N: ...", or 0 when it does not start so.
std::size_t ErrorPosition(std::string_view message) {
  constexpr std::string_view kPrefix = "position ";
  if (!message.starts_with(kPrefix)) return 0;
  message.remove_prefix(kPrefix.size());
  std::size_t position = 0;
  auto [end, error] = std::from_chars(message.data(), message.data() + message.size(), position);
  if (error != std::errc() || end == message.data() + message.size() || *end != ':') return 0;
  return position;
}

}  // namespace

const boost::json::value* JsonField(const boost::json::value& json, std::string_view key) {
  const boost::json::object* object = json.if_object();
  return object != nullptr ? object->if_contains(key) : nullptr;
}

std::string JsonString(const boost::json::value& json, std::string_view key) {
  const boost::json::value* field = JsonField(json, key);
  return field != nullptr && field->is_string() ? std::string(field->as_string()) : std::string();
}

std::string JsonNumberText(const boost::json::value& json, std::string_view key) {
  const boost::json::value* value = JsonField(json, key);
  if (value == nullptr || value->is_null()) return "-";
  std::ostringstream out;
  if (value->is_double()) {
    out << value->as_double();
  } else if (value->is_int64()) {
    out << value->as_int64();
  } else if (value->is_uint64()) {
    out << value->as_uint64();
  } else {
    return "-";
  }
  return out.str();
}

std::int64_t JsonInteger(const boost::json::value& json, std::string_view key) {
  const boost::json::value* field = JsonField(json, key);
  if (field == nullptr || !field->is_number()) return 0;
  boost::system::error_code ec;
  std::int64_t number = field->to_number<std::int64_t>(ec);
  return ec ? 0 : number;
}

bool JsonBool(const boost::json::value& json, std::string_view key) {
  const boost::json::value* field = JsonField(json, key);
  return field != nullptr && field->is_bool() && field->as_bool();
}

std::string JsonStringList(const boost::json::value& json, std::string_view key) {
  const boost::json::value* field = JsonField(json, key);
  std::string joined;
  if (field == nullptr || !field->is_array()) return joined;
  for (const boost::json::value& item : field->as_array()) {
    if (!item.is_string()) continue;
    if (!joined.empty()) joined += ", ";
    joined += item.as_string();
  }
  return joined;
}

std::string PercentEncode(std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(text.size());
  for (char c : text) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      encoded += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0x0f];
    }
  }
  return encoded;
}

boost::json::array ToJsonArray(const std::vector<std::string>& strings) {
  boost::json::array array;
  for (const std::string& text : strings) array.emplace_back(text);
  return array;
}

Result<boost::json::value> JsonObjectOf(const ApiResponse& response) {
  Result<boost::json::value> json = response.Json();
  if (json.ok() && !json->is_object()) {
    return MakeError(ErrorCode::kInternal,
                     "the answer from " + response.url + " is not a JSON object");
  }
  return json;
}

std::string FormatUtcMillis(std::int64_t millis) {
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  if (::gmtime_r(&seconds, &utc) == nullptr) return std::to_string(millis);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &utc);
  return text;
}

ExitCode RunJsonCall(CommandContext& context, const ApiCall& call, const HumanPrinter& print,
                     std::string_view expression) {
  Result<ApiClient> client = context.AuthenticatedClient();
  if (!client.ok()) return context.Fail(client.error());
  Result<ApiResponse> response = call(*client);
  if (!response.ok()) return FailWithExpression(context, response.error(), expression);
  Result<boost::json::value> answer = JsonObjectOf(*response);
  if (!answer.ok()) return context.Fail(answer.error());
  if (context.json()) {
    PrintJson(context.out(), *answer);
  } else {
    print(context.out(), *answer);
  }
  return ExitCode::kOk;
}

ExitCode FailListingLines(CommandContext& context, const Error& error) {
  const std::size_t first_end = error.message.find('\n');
  if (first_end == std::string::npos) return context.Fail(error);
  Error first = error;
  first.message.resize(first_end);
  const ExitCode code = context.Fail(first);
  std::istringstream rest(error.message.substr(first_end + 1));
  for (std::string line; std::getline(rest, line);) {
    if (!line.empty()) context.err() << "  " << line << "\n";
  }
  return code;
}

ExitCode FailWithExpression(CommandContext& context, const Error& error,
                            std::string_view expression) {
  ExitCode code = context.Fail(error);
  const std::size_t position = expression.empty() ? 0 : ErrorPosition(error.message);
  if (position > 0) {
    // Past the end (an unexpected end of the expression) points just after the last character.
    const std::size_t column = std::min(position - 1, CharacterCount(expression));
    context.err() << "  " << expression << "\n  " << std::string(column, ' ') << "^\n";
  }
  return code;
}

ExitCode UsageError(CommandContext& context, std::string_view message) {
  context.err() << "herald: error: " << message << "\nRun 'herald --help' for usage.\n";
  return ExitCode::kUsage;
}

void AddTagChangeOptions(CLI::App& command, std::vector<std::string>& add,
                         std::vector<std::string>& remove) {
  // One value per --add: `--add vip +4915…` must not take the number for a tag.
  command.add_option("--add", add, "Add this tag (repeatable)")
      ->type_name("TAG")
      ->allow_extra_args(false);
  command.add_option("--remove", remove, "Remove this tag (repeatable)")
      ->type_name("TAG")
      ->allow_extra_args(false);
}

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], CharacterCount(row[i]));
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - CharacterCount(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

Status WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    return MakeError(ErrorCode::kIoError, "cannot write '" + path + "': " + std::strerror(errno));
  }
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file) return MakeError(ErrorCode::kIoError, "cannot write '" + path + "'");
  return Status::Ok();
}

}  // namespace herald::cli
