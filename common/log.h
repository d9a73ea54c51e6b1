// common/log.h: the one way to write a log line. A line is `event=NAME key=value ...` (STYLE.md
// rule 15), and operators and their tools split it on spaces, `=` and quotes. A string value from
// outside the program (an actor, a name, a reason, an error message, a path) could end its field
// or the line and forge others: `actor="evil" state=completed rows=999 x=""` from a header. So
// every string value is written through log::Quoted, which always quotes and escapes it, and the
// functions below accept nothing else but numbers: a raw string argument does not compile.
//
//   log::Info("event=import_finished id={} actor={} rows={}", log::Quoted(id),
//             log::Quoted(actor), rows);
//   -> event=import_finished id="7" actor="evil\" state=completed" rows=12
//
// Numbers are written bare, strings always in quotes (so `state="completed"`): a reader never has
// to guess which rule a field followed. tests/common/log_test.cc fails if a file calls spdlog's
// logging functions directly instead of these.
//
// Thread rules: as spdlog's default logger (daemon/logging.h sets it up): any thread.
#pragma once

#include <spdlog/spdlog.h>

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace herald::log {

// `value` as a log field value: in double quotes; `"` and `\` escaped with a backslash; line feed,
// carriage return and tab as \n, \r and \t; every other byte below 0x20, and 0x7f, as \xNN. Other
// bytes (UTF-8 text) are kept as they are. The result is one field on one line, whatever `value`
// holds.
std::string QuoteValue(std::string_view value);

// A string argument of a log line: formatted as QuoteValue(value). Holds a view: build it in the
// call, from a string that outlives the call (a temporary does).
struct Quoted {
  explicit Quoted(std::string_view text) : value(text) {}
  std::string_view value;
};

namespace detail {
// What a log line may interpolate: a quoted string or a number. Not char: a single byte could be
// a control character.
template <typename T>
concept LogArgument = std::same_as<std::remove_cvref_t<T>, Quoted> ||
    (std::is_arithmetic_v<std::remove_cvref_t<T>> && !std::same_as<std::remove_cvref_t<T>, char>);
}  // namespace detail

}  // namespace herald::log

template <>
struct fmt::formatter<herald::log::Quoted> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const herald::log::Quoted& quoted, FormatContext& context) const {
    return fmt::formatter<std::string_view>::format(herald::log::QuoteValue(quoted.value), context);
  }
};

namespace herald::log {

template <detail::LogArgument... Args>
void Debug(spdlog::format_string_t<Args...> format, Args&&... args) {
  spdlog::debug(format, std::forward<Args>(args)...);
}

template <detail::LogArgument... Args>
void Info(spdlog::format_string_t<Args...> format, Args&&... args) {
  spdlog::info(format, std::forward<Args>(args)...);
}

template <detail::LogArgument... Args>
void Warn(spdlog::format_string_t<Args...> format, Args&&... args) {
  spdlog::warn(format, std::forward<Args>(args)...);
}

template <detail::LogArgument... Args>
void Error(spdlog::format_string_t<Args...> format, Args&&... args) {
  spdlog::error(format, std::forward<Args>(args)...);
}

template <detail::LogArgument... Args>
void Critical(spdlog::format_string_t<Args...> format, Args&&... args) {
  spdlog::critical(format, std::forward<Args>(args)...);
}

}  // namespace herald::log
