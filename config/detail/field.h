// Reading one TOML value into a Config field, reporting what is wrong with it. Internal to
// config/: it is the only place besides schema.cc and config.cc that sees toml++.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"

namespace herald::config::detail {

// Collects the errors found in one file.
class ErrorSink {
 public:
  explicit ErrorSink(std::string file) : file_(std::move(file)) {}

  void Add(const toml::source_region& where, std::string key, std::string message);
  // toml++ tables iterate in key order, not file order; this puts the errors back in file order.
  std::vector<ConfigError> TakeInFileOrder();

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

// A value of a known key: the node, its dotted key and where its errors go.
class Field {
 public:
  Field(const toml::node& node, std::string key, ErrorSink& errors)
      : node_(node), key_(std::move(key)), errors_(errors) {}

  const toml::node& node() const { return node_; }
  const std::string& key() const { return key_; }
  void Fail(std::string message) const;

  // The value when it is a TOML string; otherwise reports `expected a string like <example>, got
  // <type>`.
  std::optional<std::string> String(std::string_view example) const;
  // The value when it is a TOML integer; otherwise reports the type mismatch.
  std::optional<std::int64_t> Integer(std::string_view example) const;
  // The value as written in the file, for "got ..." in range errors: "2h" quoted, 7 bare.
  std::string Written() const;
  // An element of this field's array: errors name this field's key at the element's position.
  Field Element(const toml::node& element) const { return Field(element, key_, errors_); }
  // A value within this field's table: errors name "<this key>.<name>".
  Field Member(const toml::node& value, std::string_view name) const {
    return Field(value, key_ + "." + std::string(name), errors_);
  }

 private:
  void FailType(std::string_view expected) const;

  const toml::node& node_;
  std::string key_;
  ErrorSink& errors_;
};

// "integer", "string", "table", ... as the TOML spec names them.
std::string_view TypeName(toml::node_type type);

struct DurationRange {
  std::chrono::milliseconds min;
  std::chrono::milliseconds max;
};

// Each reader leaves `out` alone and reports an error when the value is not acceptable.
void ReadDuration(const Field& field, DurationRange range, std::chrono::milliseconds& out);
void ReadSize(const Field& field, std::size_t min, std::size_t max, std::size_t& out);
void ReadCount(const Field& field, std::int64_t min, std::int64_t max, std::size_t& out);
// `index` is a position in `choices`, so enums list their names in declaration order.
void ReadChoice(const Field& field, std::span<const std::string_view> choices, std::size_t& index);

}  // namespace herald::config::detail
