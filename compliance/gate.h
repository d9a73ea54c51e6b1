// The compliance gate (issue 4): the one decision every outbound message passes just before it
// is sent (PRODUCT.md, "The path of one message", step 2). Gate::Check is a pure function of the
// message, the recipient's state and the time: no I/O, no clock, no locks.
//
// Checks, in order; the first that fails decides:
//   1. opt-out                     opted_out                (beats everything)
//   2. consent for the purpose     no_consent:marketing, no_consent:utility
//   3. template messages:          template_missing, template_not_approved, template_params,
//                                  template_too_long
//      free text:                  window_closed, invalid_message, text_too_long
//   4. word filter on the rendered text (header, body, footer with parameters substituted)
//                                  word:<list>:<term>       (block severity; review severity
//                                                            only adds a warning)
//   5. quiet hours                 quiet_hours, quiet_hours_unknown_zone
//   6. frequency cap               frequency_cap
//
// The purpose: a template's category decides (MARKETING needs marketing consent, UTILITY utility
// consent, AUTHENTICATION none); the caller's declared purpose can only make it stricter. Free
// text is a service reply by default: it needs an open 24-hour window and no consent, but a free
// text declared marketing needs marketing consent too. Quiet hours apply to the purposes in
// QuietHoursConfig::purposes (marketing by default), the frequency cap to marketing.
//
// The allow path allocates nothing in the gate itself (the rendered text goes to a per-thread
// buffer); the word filter's Scan is the only call that may.
//
// Thread rules: GatePolicy and Gate are immutable; Check may run on any number of threads at
// once. A Gate holds shared ownership of its policy, catalog and filter, so swapping any of them
// means building a new Gate (cheap) while checks in progress finish with the old one.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "compliance/consent.h"
#include "compliance/frequency_cap.h"
#include "compliance/quiet_hours.h"
#include "compliance/service_window.h"
#include "compliance/stop_keywords.h"
#include "compliance/templates.h"
#include "compliance/word_filter.h"

namespace herald::compliance {

enum class ReasonCode {
  kNone,  // allowed
  kOptedOut,
  kNoConsentMarketing,
  kNoConsentUtility,
  kTemplateMissing,
  kTemplateNotApproved,
  kTemplateParams,
  kTemplateTooLong,
  kWindowClosed,
  kInvalidMessage,  // free text with an empty body
  kTextTooLong,
  kWord,
  kQuietHours,
  kQuietHoursUnknownZone,
  kFrequencyCap,
};

// Stable machine-readable names: "opted_out", "no_consent:marketing", "window_closed", ...,
// "word" for kWord (Decision::RefusalReason adds list and term), "" for kNone.
std::string_view ReasonCodeName(ReasonCode code);

struct TemplateMessage {
  std::string_view name;
  std::string_view language;  // empty: the recipient's language
  TemplateArguments arguments;
};

struct FreeText {
  std::string_view body;
};

// One message as the sender is about to send it. Borrowed views: the caller keeps the data alive
// for the duration of Check.
struct OutboundMessage {
  SenderId sender;  // the business number it goes out from
  ContactId recipient;
  Purpose purpose = Purpose::kService;
  std::variant<TemplateMessage, FreeText> content;
};

// What the gate needs to know about the recipient, read by the caller just before the check.
// Borrowed views, like OutboundMessage.
struct RecipientState {
  ConsentState consent;
  std::span<const ServiceWindow> service_windows;   // per business number the user wrote to
  std::string_view country;                         // ISO 3166-1 alpha-2
  std::string_view time_zone;                       // IANA name, may be empty
  std::string_view language;                        // "de", "de_AT", may be empty
  std::span<const SysTime> recent_marketing_sends;  // enough to cover the frequency-cap period
};

struct Decision {
  ReasonCode reason = ReasonCode::kNone;
  std::string detail;             // for people; empty when allowed
  std::optional<WordMatch> word;  // the blocking match, for kWord
  // Review-severity word matches: the message may go, an officer should look.
  std::vector<WordMatch> warnings;
  // The text the word filter scanned, when `word` or `warnings` are set (their offsets point
  // into it); otherwise empty.
  std::string scanned_text;
  // For template messages: the template the language fallback chose (owned by the gate's
  // catalog; valid while the Gate or a copy of its catalog lives).
  const CompiledTemplate* resolved_template = nullptr;

  bool allowed() const { return reason == ReasonCode::kNone; }
  // "" when allowed; "word:<list>:<term>" for a word; else ReasonCodeName(reason).
  std::string RefusalReason() const;
};

// One check of Gate::Explain: whether it passes for this message and recipient now, and why not.
struct CheckResult {
  std::string check{};    // "consent", "template", "window", "text", "words", "quiet_hours",
                          // "frequency_cap"
  bool passed = true;     // false: it refuses (for "words": a blocking match)
  bool evaluated = true;  // false: it could not be evaluated (the template did not render)
  std::string reason{};   // the refusal's reason name when not passed ("quiet_hours", …)
  std::string detail{};   // for people, also on a pass ("allowed until 21:00 local")
  std::optional<SysTime> until{};    // when it stops refusing: quiet hours end, a cap frees
  std::vector<WordMatch> matches{};  // "words": every match, block and review
  std::string scanned_text{};        // "words": the text scanned (matches index into it)
};

struct GatePolicyConfig {
  ServiceWindowPolicy service_window;
  TemplateLimits template_limits;
  std::size_t free_text_max_chars = 4096;  // the platform's text body limit
  std::string default_language = "en";     // last step of the template language fallback
  QuietHoursConfig quiet_hours;
  FrequencyCapPolicy frequency_cap;
  std::vector<StopKeywordList> stop_keywords = DefaultStopKeywords();
  std::vector<std::string> stop_courtesy_words = DefaultStopCourtesyWords();
};

// Built once from config (off the sending path): time zones resolved, STOP keywords normalised.
class GatePolicy {
 public:
  // `country_zones` comes from LoadCountryZoneTable (kSystemZoneTablePath in production).
  static Result<std::shared_ptr<const GatePolicy>> Build(GatePolicyConfig config,
                                                         const CountryZoneTable& country_zones);

  const GatePolicyConfig& config() const { return config_; }
  const QuietHours& quiet_hours() const { return quiet_hours_; }
  const StopKeywordMatcher& stop_keywords() const { return stop_keywords_; }

 private:
  GatePolicy() = default;
  GatePolicyConfig config_;
  QuietHours quiet_hours_;
  StopKeywordMatcher stop_keywords_;
};

class Gate {
 public:
  // `word_filter` may be null: no word lists, nothing is scanned. `policy` must not be null.
  Gate(std::shared_ptr<const GatePolicy> policy, TemplateCatalog templates,
       std::shared_ptr<const WordFilter> word_filter);

  Decision Check(const OutboundMessage& message, const RecipientState& recipient,
                 SysTime now) const;

  // Every check, each evaluated on its own (Check stops at the first refusal): what a compliance
  // officer asks with a dry run, "would this go, and if not, why, and until when?". The first
  // entry that did not pass is what Check answers. Allocates; not for the send path.
  std::vector<CheckResult> Explain(const OutboundMessage& message, const RecipientState& recipient,
                                   SysTime now) const;

  // The earliest instant >= now at which quiet hours allow a message of `purpose` to the
  // recipient (`now` when they do not apply); campaign scheduling pushes deliveries with it.
  // Errors as QuietHours::NextAllowedTime.
  Result<SysTime> NextAllowedTime(SysTime now, const RecipientState& recipient,
                                  Purpose purpose = Purpose::kMarketing) const;

  // An inbound message that is an opt-out (stop_keywords.h), for the webhook handler.
  std::optional<StopKeywordMatch> MatchStopKeyword(std::string_view inbound_text,
                                                   std::string_view preferred_language = {}) const;

  const GatePolicy& policy() const { return *policy_; }
  const TemplateCatalog& templates() const { return templates_; }

 private:
  // A template message's template (the language fallback applied), the language to scan in, and
  // the purpose the template's category makes it (never less strict than the declared one).
  struct Resolved {
    const CompiledTemplate* compiled;
    std::string_view language;
    Purpose purpose;
  };
  Resolved ResolveTemplate(const OutboundMessage& message, const RecipientState& recipient) const;

  std::shared_ptr<const GatePolicy> policy_;
  TemplateCatalog templates_;
  std::shared_ptr<const WordFilter> word_filter_;
};

}  // namespace herald::compliance
