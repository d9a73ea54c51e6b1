#include "common/language_tag.h"

#include <algorithm>

namespace herald {
namespace {

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool AllLetters(std::string_view text) { return std::all_of(text.begin(), text.end(), IsLetter); }
bool AllDigits(std::string_view text) { return std::all_of(text.begin(), text.end(), IsDigit); }

Error NotATag(std::string_view text, const std::string& problem) {
  std::string message = "\"";
  message.append(text).append("\" is not a language tag: ").append(problem);
  message += "; expected a language code like de, de_AT, pt-BR or zh_Hant_TW";
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::string Quoted(std::string_view text) {
  std::string quoted = "\"";
  quoted.append(text).append("\"");
  return quoted;
}

}  // namespace

Result<LanguageTag> LanguageTag::Parse(std::string_view text) {
  if (text.empty()) return NotATag(text, "it is empty");
  std::string canonical;
  std::uint8_t sizes[3] = {0, 0, 0};  // language, script, region
  int next = 0;                       // the first part the next subtag may be
  std::size_t start = 0;
  for (;;) {
    std::size_t end = text.find_first_of("-_", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view subtag = text.substr(start, end - start);
    if (subtag.empty()) return NotATag(text, "it has an empty subtag");
    if (next == 0) {
      if (subtag.size() < 2 || subtag.size() > 3 || !AllLetters(subtag)) {
        return NotATag(text, "the language " + Quoted(subtag) + " must be 2 or 3 letters");
      }
      for (char c : subtag) canonical += Lower(c);
      sizes[0] = static_cast<std::uint8_t>(subtag.size());
      next = 1;
    } else if (next == 1 && subtag.size() == 4 && AllLetters(subtag)) {
      canonical += '_';
      canonical += Upper(subtag[0]);
      for (char c : subtag.substr(1)) canonical += Lower(c);
      sizes[1] = 4;
      next = 2;
    } else if (next <= 2 && ((subtag.size() == 2 && AllLetters(subtag)) ||
                             (subtag.size() == 3 && AllDigits(subtag)))) {
      canonical += '_';
      for (char c : subtag) canonical += Upper(c);
      sizes[2] = static_cast<std::uint8_t>(subtag.size());
      next = 3;
    } else if (next == 3) {
      const std::string_view region =
          std::string_view(canonical).substr(canonical.size() - sizes[2]);
      return NotATag(text, Quoted(subtag) + " follows the region " + Quoted(region) +
                               "; nothing may follow the region");
    } else {
      return NotATag(
          text, Quoted(subtag) + (next == 1 ? " is neither a script (4 letters) nor a region (2 "
                                              "letters or 3 digits)"
                                            : " is not a region (2 letters or 3 digits)"));
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  return LanguageTag(std::move(canonical), sizes[0], sizes[1], sizes[2]);
}

std::string LanguageTag::Bcp47() const {
  std::string text = canonical_;
  std::replace(text.begin(), text.end(), '_', '-');
  return text;
}

std::string LanguageTag::Key() const { return LanguageKey(canonical_); }

std::string_view LanguageTag::script() const {
  return script_ == 0 ? std::string_view() : std::string_view(canonical_).substr(language_ + 1, 4);
}

std::string_view LanguageTag::region() const {
  return region_ == 0 ? std::string_view()
                      : std::string_view(canonical_).substr(canonical_.size() - region_);
}

LanguageTag LanguageTag::Base() const {
  return LanguageTag(std::string(language()), language_, 0, 0);
}

std::optional<LanguageTag> LanguageTag::Parent() const {
  if (region_ != 0) {
    return LanguageTag(canonical_.substr(0, canonical_.size() - region_ - 1), language_, script_,
                       0);
  }
  if (script_ != 0) return Base();
  return std::nullopt;
}

std::string LanguageKey(std::string_view text) {
  std::string key(text);
  for (char& c : key) c = c == '-' ? '_' : Lower(c);
  return key;
}

std::string_view BaseLanguageKey(std::string_view key) { return key.substr(0, key.find('_')); }

}  // namespace herald
