// common/language_tag.h: a language as Herald reads, stores, compares and prints it: a contact's
// language, a template's language, a word list's language, a segment's lang: term.
//
// Grammar (the part of BCP 47 that WhatsApp template languages and contact data use):
//   language [sep script] [sep region]
//     language  2-3 ASCII letters           "pt", "fil"
//     script    4 ASCII letters             "Hant"
//     region    2 ASCII letters or 3 digits "BR", "419" (UN M.49)
//     sep       '-' or '_'
// in any letter case. Everything else is refused (extended language subtags, variants,
// extensions, private use, empty subtags): "zz_ZZZZZZZ", "../de", "de_", "german".
//
// Spellings: the canonical (platform) spelling is the one WhatsApp uses for template languages
// and Herald stores: "pt_BR", "zh_Hant_TW", "es_419", "de". The BCP 47 spelling uses '-'. Tags
// compare by their canonical spelling, so "pt-BR", "pt_BR" and "PT_br" are one language.
//
// Thread rules: a value type; safe to share between threads once built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

namespace herald {

class LanguageTag {
 public:
  // kInvalidArgument with a message that names the input and what is wrong with it.
  static Result<LanguageTag> Parse(std::string_view text);

  // "pt_BR", "zh_Hant_TW", "es_419", "de".
  const std::string& canonical() const { return canonical_; }
  // "pt-BR", "zh-Hant-TW".
  std::string Bcp47() const;
  // Lower case with '_': "pt_br". The same as LanguageKey(canonical()).
  std::string Key() const;

  std::string_view language() const { return std::string_view(canonical_).substr(0, language_); }
  std::string_view script() const;  // "Hant", or empty
  std::string_view region() const;  // "BR", "419", or empty

  // The primary language alone: "pt_BR" -> "pt", "pt" -> "pt".
  LanguageTag Base() const;
  // One subtag less, for fallback chains: "zh_Hant_TW" -> "zh_Hant" -> "zh" -> nullopt.
  std::optional<LanguageTag> Parent() const;

  friend bool operator==(const LanguageTag& a, const LanguageTag& b) {
    return a.canonical_ == b.canonical_;
  }

 private:
  LanguageTag(std::string canonical, std::uint8_t language, std::uint8_t script,
              std::uint8_t region)
      : canonical_(std::move(canonical)), language_(language), script_(script), region_(region) {}

  std::string canonical_;
  std::uint8_t language_ = 0;  // subtag sizes; 0 when absent
  std::uint8_t script_ = 0;
  std::uint8_t region_ = 0;
};

// The key languages are compared by where a value may not be a valid tag (a language stored
// before tags were validated, a word list's name-like language, a recipient's language as
// given): ASCII lower case with '-' read as '_'. For a valid tag it is tag.Key(), so "pt-BR",
// "pt_BR" and "PT_br" all give "pt_br".
std::string LanguageKey(std::string_view text);
// The primary language of a key: "pt_br" -> "pt".
std::string_view BaseLanguageKey(std::string_view key);

}  // namespace herald
