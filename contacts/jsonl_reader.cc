// The JSON Lines ContactReader: one object per line, keys as the CSV columns.
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstring>

#include "contacts/detail/field_rules.h"
#include "contacts/detail/readers.h"
#include "contacts/detail/utf8.h"

namespace herald::contacts::detail {
namespace {

namespace json = boost::json;

std::string_view KindName(json::kind kind) {
  switch (kind) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

std::string Expected(std::string_view what, const json::value& found) {
  return "expected " + std::string(what) + ", found " + std::string(KindName(found.kind()));
}

// A scalar attribute value as text: strings as they are, numbers and bools as JSON text.
std::optional<std::string> ScalarText(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return std::string(TrimBlanks(value.get_string()));
    case json::kind::bool_:
      return std::string(value.get_bool() ? "true" : "false");
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    case json::kind::double_: {
      char text[32];
      const auto end = std::to_chars(text, text + sizeof text, value.get_double()).ptr;
      return std::string(text, end);
    }
    default:
      return std::nullopt;
  }
}

class JsonLinesReader final : public ContactReader {
 public:
  JsonLinesReader(std::unique_ptr<ChunkedInput> input, const ReaderOptions& options)
      : input_(std::move(input)), max_row_bytes_(options.max_row_bytes) {}

  std::optional<RowResult> Next() override;
  std::vector<std::string> LastRowFields() const override {
    if (!has_row_) return {};
    return {std::string(last_line_)};
  }
  const Status& status() const override { return status_; }
  Format format() const override { return Format::kJsonLines; }
  const std::vector<std::string>& columns() const override { return columns_; }
  char delimiter() const override { return ','; }

 private:
  // The next line without its line break; false at the end of the input. A line longer than
  // max_row_bytes is skipped and reported by *too_long.
  bool NextLine(std::string_view* text, bool* too_long);
  RowResult MapLine(std::string_view text);
  std::optional<std::string> MapObject(const json::object& object);
  std::optional<std::string> SetField(Field field, const json::value& value);
  std::optional<std::string> AddAttribute(std::string_view key, const json::value& value);
  std::optional<std::string> AddAttributes(const json::value& attributes);
  std::optional<std::string> CheckAttributesUnique();

  std::unique_ptr<ChunkedInput> input_;
  std::size_t max_row_bytes_;
  RecordBuilder builder_;
  std::vector<std::string> columns_{"json"};
  std::int64_t line_ = 0;  // of the last line read
  Status status_;
  bool done_ = false;
  bool has_row_ = false;              // a row was returned and last_line_ is its text
  std::string_view last_line_;        // in the input's buffer, which stays until the next NextLine
  unsigned char parse_buffer_[4096];  // most lines parse without allocating
  json::monotonic_resource memory_{parse_buffer_, sizeof parse_buffer_};
  json::parser parser_;  // declared last: destroyed before memory_
};

bool JsonLinesReader::NextLine(std::string_view* text, bool* too_long) {
  *too_long = false;
  std::size_t scanned = 0;
  for (;;) {
    const std::string_view unread = input_->unread();
    const void* newline = std::memchr(unread.data() + scanned, '\n', unread.size() - scanned);
    if (newline != nullptr) {
      const auto length =
          static_cast<std::size_t>(static_cast<const char*>(newline) - unread.data());
      input_->Consume(length + 1);
      ++line_;
      if (*too_long) return true;
      *text = unread.substr(0, length);  // ReadMore is not called before the caller is done
      return true;
    }
    if (unread.size() > max_row_bytes_) *too_long = true;
    if (*too_long) {  // drop what was read so that memory stays bounded
      input_->Consume(unread.size());
      scanned = 0;
    } else {
      scanned = unread.size();
    }
    if (!input_->ReadMore()) {
      if (input_->unread().empty() && !*too_long) return false;
      *text = input_->unread();
      input_->Consume(text->size());
      ++line_;
      return true;
    }
  }
}

std::optional<RowResult> JsonLinesReader::Next() {
  std::string_view text;
  bool too_long = false;
  has_row_ = false;
  last_line_ = {};
  while (!done_) {
    if (!NextLine(&text, &too_long)) {
      done_ = true;
      if (input_->failed()) {
        status_ = MakeError(ErrorCode::kIoError,
                            "reading the input failed after line " + std::to_string(line_));
      }
      return std::nullopt;
    }
    if (too_long) {
      return Reject{line_,
                    LinePrefix(line_) + "the line is longer than " +
                        std::to_string(max_row_bytes_) + " bytes",
                    {}};
    }
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (const std::size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
      done_ = true;  // another encoding: every line after would be wrong too
      status_ =
          NotUtf8Error(line_, {}, static_cast<unsigned char>(text[bad]), line_ == 1 && bad == 0);
      return std::nullopt;
    }
    has_row_ = true;
    last_line_ = text;
    return MapLine(text);
  }
  return std::nullopt;
}

RowResult JsonLinesReader::MapLine(std::string_view text) {
  const std::string prefix = LinePrefix(line_);
  // Values of the last line are gone; what the parser still holds is dropped before its memory.
  parser_.reset();
  memory_.release();
  parser_.reset(&memory_);
  boost::system::error_code error;
  const std::size_t parsed = parser_.write(text.data(), text.size(), error);
  if (error) {
    return Reject{
        line_,
        prefix + "not valid JSON at column " + std::to_string(parsed + 1) + ": " + error.message(),
        {std::string(text)}};
  }
  const json::value value = parser_.release();
  if (!value.is_object()) {
    return Reject{line_, prefix + Expected("a JSON object", value), {std::string(text)}};
  }
  builder_.Reset(line_);
  if (auto problem = MapObject(value.get_object())) {
    return Reject{line_, prefix + *problem, {std::string(text)}};
  }
  return builder_.Finish();
}

std::optional<std::string> JsonLinesReader::MapObject(const json::object& object) {
  if (object.size() > kMaxImportColumns) {
    return "the object has " + std::to_string(object.size()) + " keys; at most " +
           std::to_string(kMaxImportColumns) + " are allowed";
  }
  std::uint32_t seen = 0;  // bit per Field
  for (const auto& member : object) {
    const std::string key = ToLowerAscii(TrimBlanks(member.key()));
    const Field field = FieldForName(key);
    std::optional<std::string> problem;
    if (field == Field::kAttribute && key == "attributes") {
      problem = AddAttributes(member.value());
    } else if (field == Field::kAttribute) {
      problem = AddAttribute(member.key(), member.value());
    } else if ((seen & (1u << static_cast<unsigned>(field))) != 0) {
      problem = "key " + Quoted(member.key()) + ": given twice";
    } else {
      seen |= 1u << static_cast<unsigned>(field);
      problem = SetField(field, member.value());
      if (problem) problem = "key " + Quoted(member.key()) + ": " + *problem;
    }
    if (problem) return problem;
  }
  if (auto problem = CheckAttributesUnique()) return problem;
  if (!builder_.has_phone()) return std::string("no \"phone\"; every row needs a phone number");
  return std::nullopt;
}

std::optional<std::string> JsonLinesReader::SetField(Field field, const json::value& value) {
  if (value.is_null()) return std::nullopt;
  if (IsConsentField(field) && value.is_bool()) {
    builder_.SetConsent(field, value.get_bool());
    return std::nullopt;
  }
  if (field == Field::kTags && value.is_array()) {
    for (const json::value& tag : value.get_array()) {
      if (!tag.is_string()) return Expected("an array of strings", tag) + " in it";
      if (auto problem = builder_.AddTag(tag.get_string())) return problem;
    }
    return std::nullopt;
  }
  if (!value.is_string()) {
    if (field == Field::kTags) return Expected("an array of strings or a string", value);
    if (IsConsentField(field)) return Expected("a boolean or a string", value);
    return Expected("a string", value);
  }
  const std::string_view text = TrimBlanks(value.get_string());
  if (text.empty()) return std::nullopt;
  return builder_.Set(field, text);
}

std::optional<std::string> JsonLinesReader::AddAttribute(std::string_view key,
                                                         const json::value& value) {
  std::string lower = ToLowerAscii(TrimBlanks(key));
  if (!IsAttributeKey(lower)) {
    return "key " + Quoted(key) + ": not a valid attribute name (" +
           std::string(kAttributeKeyRule) + ")";
  }
  if (value.is_null()) return std::nullopt;
  std::optional<std::string> text = ScalarText(value);
  if (!text)
    return "attribute " + Quoted(key) + ": " + Expected("a string, number or boolean", value);
  if (text->empty()) return std::nullopt;
  builder_.AddAttribute(std::move(lower), std::move(*text));
  return std::nullopt;
}

std::optional<std::string> JsonLinesReader::AddAttributes(const json::value& attributes) {
  if (attributes.is_null()) return std::nullopt;
  if (!attributes.is_object()) return "key \"attributes\": " + Expected("an object", attributes);
  if (attributes.get_object().size() > kMaxImportColumns) {
    return "key \"attributes\": " + std::to_string(attributes.get_object().size()) +
           " attributes; at most " + std::to_string(kMaxImportColumns) + " are allowed";
  }
  for (const auto& attribute : attributes.get_object()) {
    if (auto problem = AddAttribute(attribute.key(), attribute.value())) return problem;
  }
  return std::nullopt;
}

std::optional<std::string> JsonLinesReader::CheckAttributesUnique() {
  const auto& attributes = builder_.record().attributes;
  std::vector<std::string_view> keys;
  keys.reserve(attributes.size());
  for (const auto& attribute : attributes) keys.push_back(attribute.first);
  std::sort(keys.begin(), keys.end());
  const auto duplicate = std::adjacent_find(keys.begin(), keys.end());
  if (duplicate == keys.end()) return std::nullopt;
  return "attribute " + Quoted(*duplicate) + ": given twice";
}

}  // namespace

std::unique_ptr<ContactReader> OpenJsonLinesReader(std::unique_ptr<ChunkedInput> input,
                                                   const ReaderOptions& options) {
  return std::make_unique<JsonLinesReader>(std::move(input), options);
}

}  // namespace herald::contacts::detail
