#include "campaign/personalise.h"

namespace herald::campaign {

struct RenderAccess {
  static const auto& Parts(const ValueTemplate& value) { return value.parts_; }
};

namespace {

bool IsAttributeKey(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ValueTemplate ValueTemplate::Parse(std::string_view text) {
  ValueTemplate value;
  value.source_ = std::string(text);
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) value.parts_.push_back({Part::Kind::kLiteral, std::move(literal)});
    literal.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    const std::string_view inner = text.substr(open + 2, close - open - 2);
    Part part;
    part.reference = std::string(inner);
    std::string_view ref = inner;
    if (const std::size_t bar = ref.find('|'); bar != std::string_view::npos) {
      part.fallback = std::string(ref.substr(bar + 1));
      ref = ref.substr(0, bar);
    }
    bool known = true;
    if (ref == "name") {
      part.kind = Part::Kind::kName;
    } else if (ref == "phone") {
      part.kind = Part::Kind::kPhone;
    } else if (ref.starts_with("attr.") && IsAttributeKey(ref.substr(5))) {
      part.kind = Part::Kind::kAttribute;
      part.text = std::string(ref.substr(5));
    } else {
      known = false;
    }
    literal.append(text.substr(i, open - i));
    if (!known && inner.starts_with('{')) {  // "{{{name}}}": a brace, then a reference
      literal.push_back('{');
      i = open + 1;
      continue;
    }
    if (known) {
      flush();
      value.parts_.push_back(std::move(part));
    } else {
      literal.append(text.substr(open, close + 2 - open));  // not ours: literal text
    }
    i = close + 2;
  }
  literal.append(text.substr(std::min(i, text.size())));
  flush();
  return value;
}

bool ValueTemplate::personalised() const {
  for (const Part& part : parts_) {
    if (part.kind != Part::Kind::kLiteral) return true;
  }
  return false;
}

std::vector<std::string> ValueTemplate::references() const {
  std::vector<std::string> out;
  for (const Part& part : parts_) {
    if (part.kind != Part::Kind::kLiteral) out.push_back(part.reference);
  }
  return out;
}

Result<std::string> Render(const ValueTemplate& value, const RecipientFields& recipient) {
  std::string out;
  for (const auto& part : RenderAccess::Parts(value)) {
    using Kind = decltype(part.kind);
    std::optional<std::string_view> found;
    switch (part.kind) {
      case Kind::kLiteral:
        out += part.text;
        continue;
      case Kind::kName:
        if (!recipient.name.empty()) found = recipient.name;
        break;
      case Kind::kPhone:
        if (!recipient.phone.empty()) found = recipient.phone;
        break;
      case Kind::kAttribute:
        if (recipient.attribute) found = recipient.attribute(part.text);
        if (found && found->empty()) found.reset();
        break;
    }
    if (!found && part.fallback) found = *part.fallback;
    if (!found) {
      const std::string field =
          part.kind == Kind::kAttribute ? "attr." + part.text : part.reference;
      return MakeError(ErrorCode::kInvalidArgument,
                       "the recipient has no value for {{" + part.reference + "}}", field);
    }
    out += *found;
  }
  return out;
}

}  // namespace herald::campaign
