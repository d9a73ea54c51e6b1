// campaign/personalise.h: a campaign's parameter values and texts, filled in per recipient (issue
// 16, item 2). A value is a string in which
//   {{name}}               the contact's name
//   {{phone}}              the contact's number (E.164)
//   {{attr.KEY}}           the contact's attribute KEY
//   {{attr.KEY|fallback}}  … or `fallback` when the contact has no such attribute (or it is empty);
//                          {{name|fallback}} likewise
// refer to the contact; anything else, including other {{…}}, is literal text. A reference with
// no value and no fallback makes the message impossible for that recipient: Render says which
// (the runner skips the delivery with reason "skipped:missing_value:<ref>" instead of sending a
// message with a hole the platform would refuse, error 132018).
//
// Thread rules: plain values and pure functions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace herald::campaign {

class ValueTemplate {
 public:
  // Never fails: anything that is not a reference is literal.
  static ValueTemplate Parse(std::string_view text);

  // True when the text refers to the contact at all.
  bool personalised() const;
  // The references, as written inside the braces ("name", "attr.city|Berlin").
  std::vector<std::string> references() const;

  const std::string& source() const { return source_; }

 private:
  friend struct RenderAccess;
  struct Part {
    enum class Kind { kLiteral, kName, kPhone, kAttribute } kind = Kind::kLiteral;
    std::string text;  // literal text, or the attribute key
    std::optional<std::string> fallback{};
    std::string reference{};  // as written, for errors
  };
  std::string source_;
  std::vector<Part> parts_;
};

// What a recipient offers to a template. `attribute` returns nullopt for a missing key.
struct RecipientFields {
  std::string_view name;
  std::string_view phone;
  std::function<std::optional<std::string_view>(std::string_view key)> attribute;
};

// The value for one recipient, or kInvalidArgument whose field is the reference that has no
// value ("name", "attr.city").
Result<std::string> Render(const ValueTemplate& value, const RecipientFields& recipient);

}  // namespace herald::campaign
