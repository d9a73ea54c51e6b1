#include "config/detail/field.h"

#include <algorithm>
#include <tuple>

#include "common/suggest.h"
#include "config/detail/format.h"

namespace herald::config::detail {
namespace {

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string OutOfRange(std::string_view min, std::string_view max, std::string_view got) {
  return "out of range: must be between " + std::string(min) + " and " + std::string(max) +
         ", got " + std::string(got);
}

std::string Join(std::span<const std::string_view> words) {
  std::string joined;
  for (std::string_view word : words) {
    if (!joined.empty()) joined += ", ";
    joined += word;
  }
  return joined;
}

}  // namespace

void ErrorSink::Add(const toml::source_region& where, std::string key, std::string message) {
  errors_.push_back(ConfigError{file_, static_cast<int>(where.begin.line),
                                static_cast<int>(where.begin.column), std::move(key),
                                std::move(message)});
}

std::vector<ConfigError> ErrorSink::TakeInFileOrder() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return std::move(errors_);
}

std::string_view TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
  }
  return "unknown type";
}

void Field::Fail(std::string message) const {
  errors_.Add(node_.source(), key_, std::move(message));
}

void Field::FailType(std::string_view expected) const {
  Fail("expected " + std::string(expected) + ", got " + std::string(TypeName(node_.type())));
}

std::optional<std::string> Field::String(std::string_view example) const {
  if (const auto* text = node_.as_string()) return text->get();
  FailType("a string like " + Quoted(example));
  return std::nullopt;
}

std::optional<std::int64_t> Field::Integer(std::string_view example) const {
  if (const auto* number = node_.as_integer()) return number->get();
  FailType("an integer like " + std::string(example));
  return std::nullopt;
}

std::string Field::Written() const {
  if (const auto* text = node_.as_string()) return Quoted(text->get());
  if (const auto* number = node_.as_integer()) return std::to_string(number->get());
  return std::string(TypeName(node_.type()));
}

void ReadDuration(const Field& field, DurationRange range, std::chrono::milliseconds& out) {
  const auto text = field.String(FormatDuration(out));
  if (!text) return;
  const auto duration = ParseDuration(*text);
  if (!duration) return field.Fail(duration.error().message);
  if (*duration < range.min || *duration > range.max) {
    return field.Fail(
        OutOfRange(FormatDuration(range.min), FormatDuration(range.max), field.Written()));
  }
  out = *duration;
}

void ReadSize(const Field& field, std::size_t min, std::size_t max, std::size_t& out) {
  const toml::node& node = field.node();
  std::optional<std::size_t> size;  // stays empty for a negative integer: out of range below
  if (const auto* number = node.as_integer()) {
    if (number->get() >= 0) size = static_cast<std::size_t>(number->get());
  } else if (const auto* text = node.as_string()) {
    const auto parsed = ParseSize(text->get());
    if (!parsed) return field.Fail(parsed.error().message);
    size = *parsed;
  } else {
    return field.Fail("expected a size like " + Quoted(FormatSize(out)) +
                      " or an integer number of bytes, got " + std::string(TypeName(node.type())));
  }
  if (!size || *size < min || *size > max) {
    return field.Fail(OutOfRange(FormatSize(min), FormatSize(max), field.Written()));
  }
  out = *size;
}

void ReadCount(const Field& field, std::int64_t min, std::int64_t max, std::size_t& out) {
  const auto count = field.Integer(std::to_string(out));
  if (!count) return;
  if (*count < min || *count > max) {
    return field.Fail(OutOfRange(std::to_string(min), std::to_string(max), field.Written()));
  }
  out = static_cast<std::size_t>(*count);
}

void ReadChoice(const Field& field, std::span<const std::string_view> choices, std::size_t& index) {
  const auto text = field.String(choices[index]);
  if (!text) return;
  const auto found = std::find(choices.begin(), choices.end(), *text);
  if (found != choices.end()) {
    index = static_cast<std::size_t>(found - choices.begin());
    return;
  }
  std::string message = "unknown value " + Quoted(*text) + "; expected one of " + Join(choices);
  if (const auto close = herald::ClosestMatch(*text, choices))
    message += "; did you mean " + Quoted(*close) + "?";
  field.Fail(std::move(message));
}

}  // namespace herald::config::detail
