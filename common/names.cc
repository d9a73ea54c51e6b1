#include "common/names.h"

#include <string>

#include "common/language_tag.h"
#include "common/utf8.h"

namespace herald::names {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The name as an error shows it: quoted, control characters escaped, cut after 64 bytes (a name
// of 100,000 characters is not repeated back whole).
std::string Shown(std::string_view name) {
  std::string out = "\"";
  std::size_t shown = 0;
  for (const char c : name) {
    if (++shown > 64) {
      out += "…";
      break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '"' || c == '\\') {
      static constexpr char kHex[] = "0123456789abcdef";
      out += c == '"'    ? "\\\""
             : c == '\\' ? "\\\\"
                         : std::string("\\x") + kHex[byte >> 4] + kHex[byte & 15];
    } else {
      out += c;
    }
  }
  out += "\" (" + std::to_string(name.size()) + " bytes)";
  return out;
}

Status Refuse(std::string_view name, std::string_view kind, std::string_view rule,
              std::string_view field) {
  return MakeError(ErrorCode::kInvalidArgument,
                   Shown(name) + " is not a valid " + std::string(kind) + ": " + std::string(rule),
                   std::string(field));
}

}  // namespace

bool IsTag(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    if (!IsAsciiAlnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

Status CheckTag(std::string_view name, std::string_view field) {
  if (IsTag(name)) return Status::Ok();
  return Refuse(name, "tag", kTagRule, field);
}

Status CheckSegment(std::string_view name, std::string_view field) {
  static constexpr std::string_view kRule =
      "1-64 characters of UTF-8 text, without control characters, '/' or '\\', and without a "
      "leading or trailing space";
  if (name.empty() || name.front() == ' ' || name.back() == ' ') {
    return Refuse(name, "segment name", kRule, field);
  }
  if (!IsValidUtf8(name)) return Refuse(name, "segment name", kRule, field);
  std::size_t characters = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    // C1 controls (U+0080-U+009F) are C2 80 to C2 9F.
    const bool control =
        byte < 0x20 || byte == 0x7f ||
        (byte == 0xc2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) <= 0x9f);
    characters += (byte & 0xc0) != 0x80;  // continuation bytes do not start a character
    if (control || byte == '/' || byte == '\\' || characters > 64) {
      return Refuse(name, "segment name", kRule, field);
    }
  }
  return Status::Ok();
}

Status CheckWordList(std::string_view name, std::string_view field) {
  if (IsTag(name) && IsAsciiAlnum(name.front())) return Status::Ok();
  return Refuse(name, "word list name",
                "1-64 ASCII letters, digits, '_', '-' or '.', starting with a letter or a digit",
                field);
}

Status CheckTemplate(std::string_view name, std::string_view field) {
  bool valid = !name.empty() && name.size() <= 512;
  for (const char c : name) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (valid) return Status::Ok();
  return Refuse(name, "template name", "1-512 lower-case ASCII letters, digits or '_'", field);
}

Status CheckLanguage(std::string_view tag, std::string_view field) {
  auto parsed = LanguageTag::Parse(tag);
  if (parsed.ok()) return Status::Ok();
  Error error = parsed.error();
  error.field = std::string(field);
  return error;
}

}  // namespace herald::names
