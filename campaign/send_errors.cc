#include "campaign/send_errors.h"

#include <array>
#include <string>

namespace herald::campaign {
namespace {

struct ClassTraits {
  std::string_view name;
  bool retryable;
  bool slows_number;
  StopScope stops;
};

// Indexed by SendErrorClass; the table in the header, column by column.
constexpr std::array<ClassTraits, 19> kTraits = {{
    {"throttled", true, true, StopScope::kNone},
    {"throttled_account", true, true, StopScope::kNone},
    {"spam", true, true, StopScope::kNone},
    {"pair_rate", true, true, StopScope::kNone},
    {"transient", true, false, StopScope::kNone},
    {"not_sent", true, false, StopScope::kNone},
    {"uncertain", false, false, StopScope::kNone},
    {"window_closed", false, false, StopScope::kNone},
    {"marketing_limit", false, false, StopScope::kNone},
    {"opted_out_marketing", false, false, StopScope::kNone},
    {"template", false, false, StopScope::kNone},
    {"template_paused", false, false, StopScope::kTemplate},
    {"undeliverable", false, false, StopScope::kNone},
    {"number_not_registered", false, false, StopScope::kNumber},
    {"account_locked", false, false, StopScope::kEverything},
    {"policy_block", false, false, StopScope::kEverything},
    {"access_denied", false, false, StopScope::kEverything},
    {"payment", false, false, StopScope::kEverything},
    {"permanent", false, false, StopScope::kNone},
}};
static_assert(static_cast<std::size_t>(SendErrorClass::kPermanent) + 1 == kTraits.size());

const ClassTraits& Traits(SendErrorClass error_class) {
  return kTraits[static_cast<std::size_t>(error_class)];
}

// A platform code, or an inclusive range of codes, and its class. Exact codes are listed before
// the ranges that contain them: the first row that matches decides.
struct CodeRule {
  std::int64_t first;
  std::int64_t last;
  SendErrorClass error_class;
};

constexpr CodeRule kCodeRules[] = {
    {130429, 130429, SendErrorClass::kThrottleNumber},
    {4, 4, SendErrorClass::kThrottleAccount},
    {80007, 80007, SendErrorClass::kThrottleAccount},
    {131048, 131048, SendErrorClass::kSpam},
    {131056, 131056, SendErrorClass::kPairRate},
    {131000, 131000, SendErrorClass::kTransient},
    {131016, 131016, SendErrorClass::kTransient},
    {131047, 131047, SendErrorClass::kWindowClosed},
    {131049, 131049, SendErrorClass::kMarketingLimit},
    {131050, 131050, SendErrorClass::kUserOptedOutMarketing},
    {132015, 132016, SendErrorClass::kTemplatePaused},
    {132000, 132099, SendErrorClass::kTemplate},
    {131026, 131026, SendErrorClass::kUndeliverable},
    {131051, 131051, SendErrorClass::kUndeliverable},
    {133010, 133010, SendErrorClass::kNumberNotRegistered},
    {131031, 131031, SendErrorClass::kAccountLocked},
    {368, 368, SendErrorClass::kPolicyBlock},
    {0, 0, SendErrorClass::kAccessDenied},
    {10, 10, SendErrorClass::kAccessDenied},
    {190, 190, SendErrorClass::kAccessDenied},
    {200, 299, SendErrorClass::kAccessDenied},
    {131005, 131005, SendErrorClass::kAccessDenied},
    {131042, 131042, SendErrorClass::kPayment},
};

SendErrorClass ClassOfCode(std::int64_t code) {
  for (const CodeRule& rule : kCodeRules) {
    if (code >= rule.first && code <= rule.last) return rule.error_class;
  }
  return SendErrorClass::kPermanent;
}

// Only when the answer carried no platform code.
SendErrorClass ClassOfHttpStatus(int status) {
  if (status == 429) return SendErrorClass::kThrottleNumber;
  if (status >= 500 && status <= 599) return SendErrorClass::kTransient;
  return SendErrorClass::kPermanent;
}

SendErrorInfo Make(SendErrorClass error_class, std::string suffix, std::string_view details) {
  const ClassTraits& traits = Traits(error_class);
  SendErrorInfo info;
  info.error_class = error_class;
  info.retryable = traits.retryable;
  info.slows_number = traits.slows_number;
  info.stops = traits.stops;
  info.reason = std::string(traits.name);
  if (!suffix.empty()) info.reason += ":" + suffix;
  info.detail = std::string(details);
  return info;
}

}  // namespace

std::string_view SendErrorClassName(SendErrorClass error_class) { return Traits(error_class).name; }

std::string_view StopScopeName(StopScope scope) {
  switch (scope) {
    case StopScope::kNone:
      return "none";
    case StopScope::kTemplate:
      return "template";
    case StopScope::kNumber:
      return "number";
    case StopScope::kEverything:
      return "everything";
  }
  return "unknown";
}

SendErrorInfo ClassifySendFailure(const SendFailure& failure) {
  switch (failure.transport) {
    case SendTransport::kNotSent:
      return Make(SendErrorClass::kNotSent, "", failure.details);
    case SendTransport::kNoAnswer:
      return Make(SendErrorClass::kUncertain, "", failure.details);
    case SendTransport::kAnswered:
      break;
  }
  if (failure.error_code.has_value()) {
    const std::int64_t code = *failure.error_code;
    return Make(ClassOfCode(code), std::to_string(code), failure.details);
  }
  return Make(ClassOfHttpStatus(failure.http_status), "http_" + std::to_string(failure.http_status),
              failure.details);
}

}  // namespace herald::campaign
