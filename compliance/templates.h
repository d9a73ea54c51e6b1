// Message templates (issue 4, item 4; reference/whatsapp.md, "Templates"): the template model as
// synced from the platform, placeholder parsing, the catalog with its language fallback, and
// rendering with the platform's parameter and length rules.
//
// Placeholders are positional `{{1}}`, `{{2}}`, ... (numbered 1..n without gaps, in any order,
// repeats allowed) or named `{{first_name}}` (lower-case letters, digits and '_', starting with a
// letter or '_'); one text uses one style. Header and body have their own placeholders and
// their own parameters, as in the platform's send payload; the footer has none.
//
// Parameter rules (platform error 132018): a value is non-empty and has no newline ('\n', '\r'),
// no tab and no run of more than 4 spaces. Lengths are counted in Unicode code points after
// substitution, against TemplateLimits.
//
// Thread rules: plain values; a TemplateCatalog is immutable and may be shared by any number of
// threads; copies share one snapshot.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "compliance/consent.h"
#include "compliance/detail/templates/gate_template_text.h"

namespace herald::compliance {

enum class TemplateCategory { kMarketing, kUtility, kAuthentication };
enum class TemplateStatus {
  kApproved,
  kPending,
  kRejected,
  kPaused,    // quality: sends fail with 132015
  kDisabled,  // sends fail with 132016
  kInAppeal,
  kLimitExceeded,
};
enum class HeaderFormat { kNone, kText, kImage, kVideo, kDocument, kLocation };

// Platform spellings: "MARKETING", "APPROVED", "IN_APPEAL", "TEXT", ... Parsing ignores case.
std::string_view TemplateCategoryName(TemplateCategory category);
std::string_view TemplateStatusName(TemplateStatus status);
std::string_view HeaderFormatName(HeaderFormat format);
Result<TemplateCategory> ParseTemplateCategory(std::string_view name);
Result<TemplateStatus> ParseTemplateStatus(std::string_view name);

// MARKETING -> marketing, UTILITY -> utility, AUTHENTICATION -> authentication.
Purpose PurposeOf(TemplateCategory category);

struct TemplateButton {
  std::string type;  // "QUICK_REPLY", "URL", "PHONE_NUMBER", "OTP", ... as the platform says
  std::string text;
  std::string url;           // URL buttons
  std::string phone_number;  // PHONE_NUMBER buttons
  bool operator==(const TemplateButton&) const = default;
};

struct TemplateComponents {
  HeaderFormat header_format = HeaderFormat::kNone;
  std::string header_text;  // only for HeaderFormat::kText
  std::string body;
  std::string footer;  // empty when the template has none
  std::vector<TemplateButton> buttons;
  bool operator==(const TemplateComponents&) const = default;
};

// Parses the platform's `components` array:
//   [{"type":"HEADER","format":"TEXT","text":"Hello"},{"type":"BODY","text":"Hi {{1}}"},
//    {"type":"FOOTER","text":"..."},{"type":"BUTTONS","buttons":[{"type":"URL","text":"..",
//    "url":".."}]}]
// Type and format names ignore case; unknown keys ("example", ...) are ignored. A BODY with a
// text is required; each component type appears at most once. Errors name the component and
// field in Error::field, e.g. "components[1].text".
Result<TemplateComponents> ParseTemplateComponents(std::string_view json);

struct MessageTemplate {
  std::string name;
  std::string language;  // the platform's code: "de", "en_US", "pt_BR"
  TemplateCategory category = TemplateCategory::kMarketing;
  TemplateStatus status = TemplateStatus::kPending;
  TemplateComponents components;
};

enum class PlaceholderStyle { kNone, kPositional, kNamed };

struct Placeholders {
  PlaceholderStyle style = PlaceholderStyle::kNone;
  // Distinct placeholders: positional "1".."n" in number order, named in order of appearance.
  std::vector<std::string> names;
  bool operator==(const Placeholders&) const = default;
};

// The placeholders of one text; fails on a malformed or unclosed placeholder, on mixed styles
// and on positional numbers with gaps ({{1}} {{3}}).
Result<Placeholders> ParsePlaceholders(std::string_view text);

struct TemplateLimits {
  std::size_t body_max_chars = 1024;  // rendered body (132005)
  std::size_t header_max_chars = 60;  // rendered text header
  std::size_t footer_max_chars = 60;
};

// One parameter value. `name` is empty for positional parameters (given in order {{1}}, {{2}},
// ...) and the placeholder's name for named ones. Borrowed: the caller keeps the text alive.
struct TemplateParameter {
  std::string_view name;
  std::string_view value;
};

struct TemplateArguments {
  std::span<const TemplateParameter> header;
  std::span<const TemplateParameter> body;
};

// A template with its texts parsed, as the catalog keeps it.
struct CompiledTemplate {
  MessageTemplate source;
  Placeholders header_placeholders;
  Placeholders body_placeholders;
  detail::GateCompiledText header;
  detail::GateCompiledText body;
  detail::GateCompiledText footer;
};

// Fails, naming the template and component, when a text has malformed placeholders or the
// footer has any, or when the language is not a language tag (common/language_tag.h).
Result<CompiledTemplate> CompileTemplate(MessageTemplate source);

// An immutable snapshot of every known template, keyed by (name, language). Cheap to copy.
class TemplateCatalog {
 public:
  TemplateCatalog();  // empty
  // Fails on a template that does not compile or on two templates with the same name and
  // language (languages compare as LanguageTags: ignoring case, '-' equal to '_').
  static Result<TemplateCatalog> Build(std::vector<MessageTemplate> templates);

  // nullptr when `language` is not a language tag.
  const CompiledTemplate* Find(std::string_view name, std::string_view language) const;
  // The first of: `language`, its parents ("zh_Hant_TW" -> "zh_Hant" -> "zh"),
  // `default_language` and its parents. A language that is not a tag (or empty) is skipped.
  const CompiledTemplate* Resolve(std::string_view name, std::string_view language,
                                  std::string_view default_language) const;
  // One language of the template (the first stored), or nullptr: for what every language shares,
  // such as the category the platform bills.
  const CompiledTemplate* AnyLanguage(std::string_view name) const;
  std::size_t size() const;

  struct Data;  // implementation detail

 private:
  std::shared_ptr<const Data> data_;
};

enum class TemplateProblem {
  kNone,
  kParams,   // count, names or values do not fit the placeholders (132000, 132018)
  kTooLong,  // a rendered component is over its limit (132005)
};

struct RenderOutcome {
  TemplateProblem problem = TemplateProblem::kNone;
  std::string detail;  // empty on success: "body parameter {{2}} contains a newline"
  bool ok() const { return problem == TemplateProblem::kNone; }
};

// Checks `arguments` against the placeholders and the rendered lengths against `limits`, then
// writes the rendered text into `out` (cleared first): header, body and footer joined by '\n',
// empty parts left out. Nothing is written when a check fails. Allocates only when `out` lacks
// capacity or a check fails.
RenderOutcome RenderTemplate(const CompiledTemplate& compiled, const TemplateArguments& arguments,
                             const TemplateLimits& limits, std::string& out);

}  // namespace herald::compliance
