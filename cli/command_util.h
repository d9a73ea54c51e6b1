// Helpers shared by the contacts, tags and segment subcommands: reading fields of the server's
// JSON, running one JSON request with --json handling, pointing at segment syntax errors, tables.
//
// Thread rules: as cli/command.h (the CLI's one thread).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"

namespace herald::cli {

// `json[key]`, or nullptr when `json` is not an object or has no `key`.
const boost::json::value* JsonField(const boost::json::value& json, std::string_view key);
// The field as a string / integer / bool; "" / 0 / false when absent or of another type.
std::string JsonString(const boost::json::value& json, std::string_view key);
std::int64_t JsonInteger(const boost::json::value& json, std::string_view key);
// A number field as text ("80", "12.5"); "-" when it is missing, null or not a number.
std::string JsonNumberText(const boost::json::value& json, std::string_view key);
bool JsonBool(const boost::json::value& json, std::string_view key);
// The strings of an array field joined by ", " ("vip, newsletter"); "" when there are none.
std::string JsonStringList(const boost::json::value& json, std::string_view key);

// `text` with every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) percent-encoded: for one
// path segment ("+4915…" -> "%2B4915…") or one query value.
std::string PercentEncode(std::string_view text);

boost::json::array ToJsonArray(const std::vector<std::string>& strings);

// The JSON object a successful response carries; an Error naming the URL when it is not one.
Result<boost::json::value> JsonObjectOf(const ApiResponse& response);

// "2024-05-01 12:00:00Z" for milliseconds since the Unix epoch.
std::string FormatUtcMillis(std::int64_t millis);

// context.Fail, but a message of several lines (a refused CSV file: every problem on its own line)
// goes out as its first line with the others indented under it.
ExitCode FailListingLines(CommandContext& context, const Error& error);

using ApiCall = std::function<Result<ApiResponse>(ApiClient&)>;
using HumanPrinter = std::function<void(std::ostream& out, const boost::json::value& answer)>;

// Sends one request with the authenticated client and prints the JSON answer: as it is with
// --json, else through `print`. Failures go through FailWithExpression with `expression` (the
// segment expression the request carries, or "").
ExitCode RunJsonCall(CommandContext& context, const ApiCall& call, const HumanPrinter& print,
                     std::string_view expression = {});

// context.Fail(error), and when the error is a syntax error in `expression` (the server's message
// starts with "position N:", N counting characters from 1), the expression and a caret under
// character N on the next two lines of err().
ExitCode FailWithExpression(CommandContext& context, const Error& error,
                            std::string_view expression);

// Prints "herald: error: <message>" and returns kUsage: for combinations of options CLI11 cannot
// check itself.
ExitCode UsageError(CommandContext& context, std::string_view message);

// Adds the repeatable `--add TAG` and `--remove TAG` options to `command`.
void AddTagChangeOptions(CLI::App& command, std::vector<std::string>& add,
                         std::vector<std::string>& remove);

// Writes rows as left-aligned columns two spaces apart (the last column unpadded).
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

// Writes `bytes` to the file at `path` (created or truncated); kIoError naming it on failure.
Status WriteFile(const std::string& path, std::string_view bytes);

}  // namespace herald::cli
