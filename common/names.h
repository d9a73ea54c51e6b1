// common/names.h: the one rule for each kind of name an operator gives Herald, checked wherever
// such a name enters (the services, whatever the path: API, CLI, import). A name that breaks its
// rule is refused with kInvalidArgument naming the field and the rule, never stored: a stored name
// must survive an export and its re-import, a URL path and a log line unchanged.
//
//   tag        1-64 ASCII letters, digits, '_', '-', '.'  (as contact files have always allowed)
//   segment    1-64 characters of valid UTF-8: letters of any script, digits, spaces and
//              punctuation, but no control character, no '/' or '\', no leading or trailing space
//   word list  1-64 ASCII letters, digits, '_', '-', '.', starting with a letter or a digit
//   template   1-512 lower-case ASCII letters, digits and '_' (the platform's rule)
//   language   a LanguageTag (common/language_tag.h): "de", "pt_BR", "es-419"
//
// Thread rules: pure functions.
#pragma once

#include <string_view>

#include "common/result.h"

namespace herald::names {

Status CheckTag(std::string_view name, std::string_view field = "tag");
Status CheckSegment(std::string_view name, std::string_view field = "name");
Status CheckWordList(std::string_view name, std::string_view field = "name");
Status CheckTemplate(std::string_view name, std::string_view field = "name");
Status CheckLanguage(std::string_view tag, std::string_view field = "language");

// The rule's text, as the errors give it.
inline constexpr std::string_view kTagRule = "1-64 ASCII letters, digits, '_', '-' or '.'";

bool IsTag(std::string_view name);

}  // namespace herald::names
