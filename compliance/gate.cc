#include "compliance/gate.h"

#include <date/date.h>

#include <utility>

#include "compliance/detail/templates/gate_template_text.h"

namespace herald::compliance {
namespace {

Decision Refuse(ReasonCode reason, std::string detail) {
  Decision decision;
  decision.reason = reason;
  decision.detail = std::move(detail);
  return decision;
}

std::string FormatTime(SysTime time) { return date::format("%FT%TZ", time); }

std::string TemplateLabel(const MessageTemplate& source) {
  return "template \"" + source.name + "\" (" + source.language + ")";
}

std::string Minutes(std::chrono::milliseconds duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::minutes>(duration).count()) +
         " min";
}

ReasonCode ConsentReason(ConsentOutcome outcome) {
  switch (outcome) {
    case ConsentOutcome::kAllowed:
      return ReasonCode::kNone;
    case ConsentOutcome::kOptedOut:
      return ReasonCode::kOptedOut;
    case ConsentOutcome::kNoMarketingConsent:
      return ReasonCode::kNoConsentMarketing;
    case ConsentOutcome::kNoUtilityConsent:
      return ReasonCode::kNoConsentUtility;
  }
  return ReasonCode::kOptedOut;
}

// Step 3 for a template: found, approved, parameters and lengths; renders into `rendered`.
std::optional<Decision> CheckTemplate(const TemplateMessage& message,
                                      const CompiledTemplate* compiled,
                                      std::string_view requested_language,
                                      const GatePolicyConfig& config, std::string& rendered) {
  if (compiled == nullptr) {
    return Refuse(ReasonCode::kTemplateMissing,
                  "no template \"" + std::string(message.name) + "\" in language \"" +
                      std::string(requested_language) + "\", its parents or the default \"" +
                      config.default_language + "\"");
  }
  const MessageTemplate& source = compiled->source;
  if (source.status != TemplateStatus::kApproved) {
    return Refuse(ReasonCode::kTemplateNotApproved,
                  TemplateLabel(source) + " is " + std::string(TemplateStatusName(source.status)));
  }
  RenderOutcome outcome =
      RenderTemplate(*compiled, message.arguments, config.template_limits, rendered);
  if (outcome.ok()) return std::nullopt;
  return Refuse(outcome.problem == TemplateProblem::kTooLong ? ReasonCode::kTemplateTooLong
                                                             : ReasonCode::kTemplateParams,
                TemplateLabel(source) + ": " + outcome.detail);
}

// Step 3 for free text: the customer service window of this business number, then the text.
std::optional<Decision> CheckFreeText(const OutboundMessage& message, const FreeText& text,
                                      const RecipientState& recipient, SysTime now,
                                      const GatePolicyConfig& config) {
  const ServiceWindow* window = FindServiceWindow(recipient.service_windows, message.sender);
  if (window == nullptr || !IsServiceWindowOpen(*window, now, config.service_window)) {
    std::optional<SysTime> closed_at =
        window ? ServiceWindowClosesAt(*window, config.service_window) : std::nullopt;
    return Refuse(
        ReasonCode::kWindowClosed,
        "free text needs an open customer service window with business number " +
            std::to_string(message.sender.value) + "; " +
            (closed_at ? "it closed at " + FormatTime(*closed_at) + " (" +
                             Minutes(config.service_window.safety_margin) + " safety margin)"
                       : std::string("the user never wrote to it")));
  }
  if (text.body.empty()) return Refuse(ReasonCode::kInvalidMessage, "the text is empty");
  const std::size_t chars = detail::GateCountCodePoints(text.body);
  if (chars > config.free_text_max_chars) {
    return Refuse(ReasonCode::kTextTooLong, "the text has " + std::to_string(chars) +
                                                " characters, limit " +
                                                std::to_string(config.free_text_max_chars));
  }
  return std::nullopt;
}

// Step 4: block matches refuse, review matches become warnings.
void ScanWords(const WordFilter& filter, std::string_view text, std::string_view language,
               Decision& decision) {
  std::vector<WordMatch> matches = filter.Scan(text, language);
  if (matches.empty()) return;
  for (WordMatch& match : matches) {
    if (match.severity == Severity::kBlock) {
      if (!decision.word) decision.word = std::move(match);
    } else {
      decision.warnings.push_back(std::move(match));
    }
  }
  decision.scanned_text.assign(text);
  if (decision.word) {
    decision.reason = ReasonCode::kWord;
    decision.detail = "the text contains \"" +
                      decision.scanned_text.substr(decision.word->begin,
                                                   decision.word->end - decision.word->begin) +
                      "\", blocked by term \"" + decision.word->term + "\" of list \"" +
                      decision.word->list + "\" (version " +
                      std::to_string(decision.word->version) + ")";
  }
}

std::optional<Decision> CheckConsentFor(const ConsentState& consent, Purpose purpose) {
  const ReasonCode reason = ConsentReason(CheckConsent(consent, purpose));
  if (reason == ReasonCode::kNone) return std::nullopt;
  const std::string name(PurposeName(purpose));
  return Refuse(reason, "no " + name + " consent for a " + name + " message");
}

// Steps 5 and 6: quiet hours, then the frequency cap.
void CheckTiming(const GatePolicy& policy, Purpose purpose, const RecipientState& recipient,
                 SysTime now, Decision& decision) {
  const QuietHours& quiet_hours = policy.quiet_hours();
  if (quiet_hours.AppliesTo(purpose)) {
    const RecipientLocation location{recipient.country, recipient.time_zone};
    const QuietHoursVerdict verdict = quiet_hours.Check(now, location);
    if (verdict != QuietHoursVerdict::kAllowed) {
      decision.reason = verdict == QuietHoursVerdict::kQuiet ? ReasonCode::kQuietHours
                                                             : ReasonCode::kQuietHoursUnknownZone;
      decision.detail = quiet_hours.Explain(now, location);
      return;
    }
  }
  const FrequencyCapPolicy& cap = policy.config().frequency_cap;
  if (purpose != Purpose::kMarketing ||
      IsUnderFrequencyCap(recipient.recent_marketing_sends, now, cap)) {
    return;
  }
  decision.reason = ReasonCode::kFrequencyCap;
  decision.detail =
      std::to_string(CountSendsInPeriod(recipient.recent_marketing_sends, now, cap.period)) +
      " marketing messages in the last " +
      std::to_string(std::chrono::duration_cast<std::chrono::hours>(cap.period).count()) +
      " h; the cap is " + std::to_string(cap.max_messages);
}

}  // namespace

std::string_view ReasonCodeName(ReasonCode code) {
  switch (code) {
    case ReasonCode::kNone:
      return "";
    case ReasonCode::kOptedOut:
      return "opted_out";
    case ReasonCode::kNoConsentMarketing:
      return "no_consent:marketing";
    case ReasonCode::kNoConsentUtility:
      return "no_consent:utility";
    case ReasonCode::kTemplateMissing:
      return "template_missing";
    case ReasonCode::kTemplateNotApproved:
      return "template_not_approved";
    case ReasonCode::kTemplateParams:
      return "template_params";
    case ReasonCode::kTemplateTooLong:
      return "template_too_long";
    case ReasonCode::kWindowClosed:
      return "window_closed";
    case ReasonCode::kInvalidMessage:
      return "invalid_message";
    case ReasonCode::kTextTooLong:
      return "text_too_long";
    case ReasonCode::kWord:
      return "word";
    case ReasonCode::kQuietHours:
      return "quiet_hours";
    case ReasonCode::kQuietHoursUnknownZone:
      return "quiet_hours_unknown_zone";
    case ReasonCode::kFrequencyCap:
      return "frequency_cap";
  }
  return "unknown";
}

std::string Decision::RefusalReason() const {
  if (reason == ReasonCode::kWord && word) return "word:" + word->list + ":" + word->term;
  return std::string(ReasonCodeName(reason));
}

Result<std::shared_ptr<const GatePolicy>> GatePolicy::Build(GatePolicyConfig config,
                                                            const CountryZoneTable& country_zones) {
  const ServiceWindowPolicy& window = config.service_window;
  if (window.safety_margin < std::chrono::milliseconds::zero() ||
      window.safety_margin >= window.length) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the safety margin must be at least 0 and shorter than the window",
                     "service_window.safety_margin");
  }
  if (config.default_language.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "must not be empty", "default_language");
  }
  Result<QuietHours> quiet_hours = QuietHours::Build(config.quiet_hours, country_zones);
  if (!quiet_hours.ok()) return std::move(quiet_hours).error();
  Result<StopKeywordMatcher> stop_keywords =
      StopKeywordMatcher::Build(config.stop_keywords, config.stop_courtesy_words);
  if (!stop_keywords.ok()) return std::move(stop_keywords).error();
  std::shared_ptr<GatePolicy> policy(new GatePolicy());
  policy->config_ = std::move(config);
  policy->quiet_hours_ = std::move(quiet_hours).value();
  policy->stop_keywords_ = std::move(stop_keywords).value();
  return std::shared_ptr<const GatePolicy>(std::move(policy));
}

Gate::Gate(std::shared_ptr<const GatePolicy> policy, TemplateCatalog templates,
           std::shared_ptr<const WordFilter> word_filter)
    : policy_(std::move(policy)),
      templates_(std::move(templates)),
      word_filter_(std::move(word_filter)) {}

Gate::Resolved Gate::ResolveTemplate(const OutboundMessage& message,
                                     const RecipientState& recipient) const {
  Resolved resolved{nullptr, recipient.language, message.purpose};
  const auto* template_message = std::get_if<TemplateMessage>(&message.content);
  if (template_message == nullptr) return resolved;
  if (!template_message->language.empty()) resolved.language = template_message->language;
  resolved.compiled = templates_.Resolve(template_message->name, resolved.language,
                                         policy_->config().default_language);
  if (resolved.compiled != nullptr) {
    resolved.purpose =
        StricterPurpose(resolved.purpose, PurposeOf(resolved.compiled->source.category));
  }
  return resolved;
}

Decision Gate::Check(const OutboundMessage& message, const RecipientState& recipient,
                     SysTime now) const {
  const GatePolicyConfig& config = policy_->config();
  if (recipient.consent.opted_out) return Refuse(ReasonCode::kOptedOut, "the contact opted out");

  // The template decides the purpose, so it is looked up before consent is checked.
  const auto* template_message = std::get_if<TemplateMessage>(&message.content);
  auto [compiled, language, purpose] = ResolveTemplate(message, recipient);

  thread_local std::string rendered;  // keeps its capacity: no allocation per message
  std::string_view text;
  std::optional<Decision> refused = CheckConsentFor(recipient.consent, purpose);
  if (!refused && template_message != nullptr) {
    refused = CheckTemplate(*template_message, compiled, language, config, rendered);
    text = rendered;
    if (compiled != nullptr) language = compiled->source.language;
  } else if (!refused) {
    const FreeText& free_text = std::get<FreeText>(message.content);
    refused = CheckFreeText(message, free_text, recipient, now, config);
    text = free_text.body;
  }
  Decision decision = refused ? std::move(*refused) : Decision();
  decision.resolved_template = compiled;
  if (refused) return decision;

  if (word_filter_ != nullptr) ScanWords(*word_filter_, text, language, decision);
  if (decision.allowed()) CheckTiming(*policy_, purpose, recipient, now, decision);
  return decision;
}

Result<SysTime> Gate::NextAllowedTime(SysTime now, const RecipientState& recipient,
                                      Purpose purpose) const {
  const QuietHours& quiet_hours = policy_->quiet_hours();
  if (!quiet_hours.AppliesTo(purpose)) return now;
  return quiet_hours.NextAllowedTime(now,
                                     RecipientLocation{recipient.country, recipient.time_zone});
}

std::optional<StopKeywordMatch> Gate::MatchStopKeyword(std::string_view inbound_text,
                                                       std::string_view preferred_language) const {
  return policy_->stop_keywords().Match(inbound_text, preferred_language);
}

}  // namespace herald::compliance

namespace herald::compliance {

std::vector<CheckResult> Gate::Explain(const OutboundMessage& message,
                                       const RecipientState& recipient, SysTime now) const {
  const GatePolicyConfig& config = policy_->config();
  std::vector<CheckResult> out;
  auto refusal = [](std::string check, const std::optional<Decision>& refused) {
    CheckResult result{std::move(check)};
    if (refused) {
      result.passed = false;
      result.reason = std::string(ReasonCodeName(refused->reason));
      result.detail = refused->detail;
    }
    return result;
  };

  const auto* template_message = std::get_if<TemplateMessage>(&message.content);
  auto [compiled, language, purpose] = ResolveTemplate(message, recipient);

  // Consent (an opt-out beats every consent).
  if (recipient.consent.opted_out) {
    out.push_back(refusal("consent", Refuse(ReasonCode::kOptedOut, "the contact opted out")));
  } else {
    CheckResult consent = refusal("consent", CheckConsentFor(recipient.consent, purpose));
    if (consent.passed) consent.detail = std::string(PurposeName(purpose)) + " message allowed";
    out.push_back(std::move(consent));
  }

  // The message itself: the template, or the window and the text.
  std::string rendered;
  std::string_view text;
  bool renders = true;
  if (template_message != nullptr) {
    CheckResult result =
        refusal("template", CheckTemplate(*template_message, compiled, language, config, rendered));
    if (result.passed) {
      result.detail = TemplateLabel(compiled->source) + ", " +
                      std::string(TemplateCategoryName(compiled->source.category));
      language = compiled->source.language;
      text = rendered;
    }
    renders = result.passed;
    out.push_back(std::move(result));
  } else {
    const FreeText& free_text = std::get<FreeText>(message.content);
    auto window_refusal = CheckFreeText(message, FreeText{"x"}, recipient, now, config);
    CheckResult window = refusal("window", window_refusal);
    if (window.passed) {
      const ServiceWindow* open = FindServiceWindow(recipient.service_windows, message.sender);
      if (auto closes = ServiceWindowClosesAt(*open, config.service_window)) {
        window.detail = "open until " + FormatTime(*closes);
        window.until = closes;
      }
    }
    out.push_back(std::move(window));
    CheckResult body{"text"};
    if (free_text.body.empty()) {
      body = refusal("text", Refuse(ReasonCode::kInvalidMessage, "the text is empty"));
    } else if (detail::GateCountCodePoints(free_text.body) > config.free_text_max_chars) {
      body = refusal("text", Refuse(ReasonCode::kTextTooLong,
                                    "longer than " + std::to_string(config.free_text_max_chars) +
                                        " characters"));
    }
    out.push_back(std::move(body));
    text = free_text.body;
  }

  // Words, on the rendered text.
  CheckResult words{"words"};
  if (!renders) {
    words.evaluated = false;
    words.detail = "not scanned: the template does not render";
  } else if (word_filter_ != nullptr) {
    Decision scanned;
    ScanWords(*word_filter_, text, language, scanned);
    words.scanned_text.assign(text);
    if (scanned.word) {
      words.passed = false;
      words.reason = scanned.RefusalReason();
      words.detail = scanned.detail;
      words.matches.push_back(*scanned.word);
    }
    for (WordMatch& warning : scanned.warnings) words.matches.push_back(std::move(warning));
  }
  out.push_back(std::move(words));

  // Quiet hours: when they end.
  CheckResult quiet{"quiet_hours"};
  const QuietHours& quiet_hours = policy_->quiet_hours();
  const RecipientLocation location{recipient.country, recipient.time_zone};
  if (!quiet_hours.AppliesTo(purpose)) {
    quiet.detail = "not for " + std::string(PurposeName(purpose)) + " messages";
  } else {
    const QuietHoursVerdict verdict = quiet_hours.Check(now, location);
    quiet.detail = quiet_hours.Explain(now, location);
    if (verdict != QuietHoursVerdict::kAllowed) {
      quiet.passed = false;
      quiet.reason =
          verdict == QuietHoursVerdict::kQuiet ? "quiet_hours" : "quiet_hours_unknown_zone";
      if (auto next = quiet_hours.NextAllowedTime(now, location); next.ok()) quiet.until = *next;
    }
  }
  out.push_back(std::move(quiet));

  // The frequency cap: when the oldest send in the period leaves it.
  CheckResult cap{"frequency_cap"};
  const FrequencyCapPolicy& policy = config.frequency_cap;
  if (purpose == Purpose::kMarketing && policy.enabled()) {
    const std::size_t sent =
        CountSendsInPeriod(recipient.recent_marketing_sends, now, policy.period);
    cap.detail = std::to_string(sent) + " of " + std::to_string(policy.max_messages) +
                 " marketing messages in the period";
    if (!IsUnderFrequencyCap(recipient.recent_marketing_sends, now, policy)) {
      cap.passed = false;
      cap.reason = "frequency_cap";
      std::vector<SysTime> in_period;
      for (SysTime at : recipient.recent_marketing_sends) {
        if (at > now - policy.period && at <= now) in_period.push_back(at);
      }
      std::sort(in_period.begin(), in_period.end());
      // It frees up when enough of the sends have left the period.
      const std::size_t leaving = sent - policy.max_messages;
      if (leaving < in_period.size()) cap.until = in_period[leaving] + policy.period;
    }
  } else {
    cap.detail = policy.enabled() ? "only for marketing messages" : "no cap configured";
  }
  out.push_back(std::move(cap));
  return out;
}

}  // namespace herald::compliance
