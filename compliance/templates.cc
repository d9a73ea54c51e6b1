#include "compliance/templates.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include "common/language_tag.h"

namespace herald::compliance {
namespace {

using detail::GateCompiledText;
using detail::GateCountCodePoints;
using detail::GateTextPiece;

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

constexpr std::array kCategories = {TemplateCategory::kMarketing, TemplateCategory::kUtility,
                                    TemplateCategory::kAuthentication};
constexpr std::array kStatuses = {TemplateStatus::kApproved,     TemplateStatus::kPending,
                                  TemplateStatus::kRejected,     TemplateStatus::kPaused,
                                  TemplateStatus::kDisabled,     TemplateStatus::kInAppeal,
                                  TemplateStatus::kLimitExceeded};

bool IsPositionalName(std::string_view inner) {
  if (inner.empty() || inner.size() > 4 || inner[0] == '0') return false;
  return std::all_of(inner.begin(), inner.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsNamedName(std::string_view inner) {
  if (inner.empty() || (inner[0] >= '0' && inner[0] <= '9')) return false;
  return std::all_of(inner.begin(), inner.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Error PlaceholderError(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

// Positional placeholders must be exactly 1..n; names become "1".."n".
Status CheckPositionalNumbers(std::vector<int>& numbers, Placeholders& placeholders) {
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (numbers[i] != static_cast<int>(i) + 1) {
      return PlaceholderError("positional placeholders must be numbered {{1}} to {{" +
                              std::to_string(numbers.size()) + "}} without gaps; {{" +
                              std::to_string(i + 1) + "}} is missing");
    }
    placeholders.names.push_back(std::to_string(i + 1));
  }
  return Status::Ok();
}

// Classifies one placeholder, returning its index in placeholders.names (named) or its number
// minus one (positional).
Result<int> AddPlaceholder(std::string_view inner, Placeholders& placeholders,
                           std::vector<int>& numbers) {
  const bool positional = IsPositionalName(inner);
  if (!positional && !IsNamedName(inner)) {
    return PlaceholderError("invalid placeholder \"{{" + std::string(inner) +
                            "}}\": expected {{1}}, {{2}}, ... or a lower-case name");
  }
  const PlaceholderStyle style =
      positional ? PlaceholderStyle::kPositional : PlaceholderStyle::kNamed;
  if (placeholders.style != PlaceholderStyle::kNone && placeholders.style != style) {
    return PlaceholderError("mixes positional and named placeholders");
  }
  placeholders.style = style;
  if (positional) {
    numbers.push_back(std::stoi(std::string(inner)));
    return numbers.back() - 1;
  }
  auto found = std::find(placeholders.names.begin(), placeholders.names.end(), inner);
  if (found == placeholders.names.end()) {
    placeholders.names.emplace_back(inner);
    return static_cast<int>(placeholders.names.size()) - 1;
  }
  return static_cast<int>(found - placeholders.names.begin());
}

// Splits `text` at its placeholders into `compiled` (when given) and returns the placeholders.
Result<Placeholders> ParseText(std::string_view text, GateCompiledText* compiled) {
  Placeholders placeholders;
  std::vector<int> numbers;
  auto add_literal = [&](std::size_t begin, std::size_t end) {
    if (compiled == nullptr || begin == end) return;
    compiled->pieces.push_back(
        GateTextPiece{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end), -1});
    compiled->literal_chars += GateCountCodePoints(text.substr(begin, end - begin));
  };
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return PlaceholderError("unclosed placeholder at byte " + std::to_string(open));
    }
    Result<int> index =
        AddPlaceholder(text.substr(open + 2, close - open - 2), placeholders, numbers);
    if (!index.ok()) return std::move(index).error();
    add_literal(pos, open);
    if (compiled != nullptr) {
      compiled->pieces.push_back(GateTextPiece{static_cast<std::uint32_t>(open),
                                               static_cast<std::uint32_t>(close + 2), *index});
    }
    pos = close + 2;
  }
  add_literal(pos, text.size());
  if (placeholders.style == PlaceholderStyle::kPositional) {
    Status numbered = CheckPositionalNumbers(numbers, placeholders);
    if (!numbered.ok()) return numbered.error();
  }
  return placeholders;
}

}  // namespace

std::string_view TemplateCategoryName(TemplateCategory category) {
  switch (category) {
    case TemplateCategory::kMarketing:
      return "MARKETING";
    case TemplateCategory::kUtility:
      return "UTILITY";
    case TemplateCategory::kAuthentication:
      return "AUTHENTICATION";
  }
  return "UNKNOWN";
}

std::string_view TemplateStatusName(TemplateStatus status) {
  switch (status) {
    case TemplateStatus::kApproved:
      return "APPROVED";
    case TemplateStatus::kPending:
      return "PENDING";
    case TemplateStatus::kRejected:
      return "REJECTED";
    case TemplateStatus::kPaused:
      return "PAUSED";
    case TemplateStatus::kDisabled:
      return "DISABLED";
    case TemplateStatus::kInAppeal:
      return "IN_APPEAL";
    case TemplateStatus::kLimitExceeded:
      return "LIMIT_EXCEEDED";
  }
  return "UNKNOWN";
}

std::string_view HeaderFormatName(HeaderFormat format) {
  switch (format) {
    case HeaderFormat::kNone:
      return "NONE";
    case HeaderFormat::kText:
      return "TEXT";
    case HeaderFormat::kImage:
      return "IMAGE";
    case HeaderFormat::kVideo:
      return "VIDEO";
    case HeaderFormat::kDocument:
      return "DOCUMENT";
    case HeaderFormat::kLocation:
      return "LOCATION";
  }
  return "UNKNOWN";
}

Result<TemplateCategory> ParseTemplateCategory(std::string_view name) {
  for (TemplateCategory category : kCategories) {
    if (EqualsIgnoringCase(TemplateCategoryName(category), name)) return category;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown template category \"" + std::string(name) +
                       "\" (expected MARKETING, UTILITY or AUTHENTICATION)");
}

Result<TemplateStatus> ParseTemplateStatus(std::string_view name) {
  for (TemplateStatus status : kStatuses) {
    if (EqualsIgnoringCase(TemplateStatusName(status), name)) return status;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown template status \"" + std::string(name) +
                       "\" (expected APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL or "
                       "LIMIT_EXCEEDED)");
}

Purpose PurposeOf(TemplateCategory category) {
  switch (category) {
    case TemplateCategory::kMarketing:
      return Purpose::kMarketing;
    case TemplateCategory::kUtility:
      return Purpose::kUtility;
    case TemplateCategory::kAuthentication:
      return Purpose::kAuthentication;
  }
  return Purpose::kMarketing;
}

Result<Placeholders> ParsePlaceholders(std::string_view text) { return ParseText(text, nullptr); }

Result<CompiledTemplate> CompileTemplate(MessageTemplate source) {
  CompiledTemplate compiled;
  const std::string where = source.name + "/" + source.language;
  if (Result<LanguageTag> language = LanguageTag::Parse(source.language); !language.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, language.error().message, where + ": language");
  }
  const TemplateComponents& components = source.components;
  // Only a TEXT header is text; a media header's caption, if any, is not part of the message.
  // Both arms views: with `: ""` the conditional is a temporary std::string, gone before the parse.
  const std::string_view header_text = components.header_format == HeaderFormat::kText
                                           ? std::string_view(components.header_text)
                                           : std::string_view();
  Result<Placeholders> header = ParseText(header_text, &compiled.header);
  if (!header.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, header.error().message, where + ": header");
  }
  Result<Placeholders> body = ParseText(components.body, &compiled.body);
  if (!body.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, body.error().message, where + ": body");
  }
  Result<Placeholders> footer = ParseText(components.footer, &compiled.footer);
  if (!footer.ok() || footer->style != PlaceholderStyle::kNone) {
    return MakeError(ErrorCode::kInvalidArgument,
                     footer.ok() ? "a footer cannot have placeholders" : footer.error().message,
                     where + ": footer");
  }
  compiled.header_placeholders = std::move(header).value();
  compiled.body_placeholders = std::move(body).value();
  compiled.source = std::move(source);
  return compiled;
}

}  // namespace herald::compliance
