// campaign/send_errors.h: what a failed send means, for the one retry owner (the campaign runner)
// and for the pacer (issue 16, item 5). ClassifySendFailure is a pure function of what the
// provider reported (provider/provider.h: SendResult), passed in as plain values so that campaign/
// does not depend on provider/.
//
// Classification is by the platform's `error.code`, never by the HTTP status
// (reference/whatsapp.md, "Send API"): the platform answers most errors with HTTP 400 and the code
// in the body. The HTTP status decides only when the answer carried no code: 429 is a number
// throttle, 5xx is transient, anything else is permanent.
//
//   class (reason name)                      codes                           retry slows stops
//   kThrottleNumber (throttled)              130429; HTTP 429 without code   yes   yes   -
//   kThrottleAccount (throttled_account)     4 (app), 80007 (WABA)           yes   yes   -
//   kSpam (spam)                             131048                          yes   yes   -
//   kPairRate (pair_rate)                    131056                          yes   yes   -
//   kTransient (transient)                   131000, 131016; 5xx w/o code    yes   -     -
//   kNotSent (not_sent)                      no answer, provably not sent    yes   -     -
//   kUncertain (uncertain)                   no answer, may have been sent   no    -     -
//   kWindowClosed (window_closed)            131047                          no    -     -
//   kMarketingLimit (marketing_limit)        131049                          no    -     -
//   kUserOptedOutMarketing                   131050                          no    -     -
//     (opted_out_marketing)
//   kTemplate (template)                     132000-132099 but the next row no    -     -
//   kTemplatePaused (template_paused)        132015, 132016                  no    -     template
//   kUndeliverable (undeliverable)           131026, 131051                  no    -     -
//   kNumberNotRegistered                     133010                          no    -     number
//     (number_not_registered)
//   kAccountLocked (account_locked)          131031                          no    -     all
//   kPolicyBlock (policy_block)              368                             no    -     all
//   kAccessDenied (access_denied)            0, 10, 190, 200-299, 131005     no    -     all
//   kPayment (payment)                       131042                          no    -     all
//   kPermanent (permanent)                   any other code; any other HTTP  no    -     -
//                                            status without a code
//
// The reason recorded on the delivery is "<name>:<code>" ("throttled:130429"), or
// "<name>:http_<status>" when the answer had no code ("throttled:http_429"), or "<name>" when no
// answer came ("not_sent", "uncertain").
//
// "retry": the runner may send the same delivery again later (after the pacer's backoff, with
// its own backoff for kTransient). "slows": the pacer's multiplicative decrease applies.
// "stops": the scope that must stop sending until someone acts (kTemplate: that template; kNumber:
// the business number; kEverything: every number of the account).
//
// kUncertain is not retried: the platform has no idempotency key, so a request that may have
// left is settled by its status webhook (biz_opaque_callback_data), never sent twice.
// A message the platform accepted but "held for quality assessment" is not a failure at all: it is
// accepted and pending (Pacer::OnAccepted), never passed here.
//
// Beyond the reference's list *(verify against the platform's error-code page)*: 133010 is a
// registration error of the business number (not of the recipient), so it stops that number;
// access and payment errors (0, 10, 190, 200-299, 131005, 131042) fail every later send the same
// way, so they stop everything instead of failing a whole campaign one delivery at a time.
//
// `details` (error_data.details) is kept for people (SendErrorInfo::detail); no class depends on
// it yet because the reference names no case where the code alone is ambiguous.
//
// Thread rules: pure functions on values; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::campaign {

enum class SendErrorClass {
  kThrottleNumber,
  kThrottleAccount,
  kSpam,
  kPairRate,
  kTransient,
  kNotSent,
  kUncertain,
  kWindowClosed,
  kMarketingLimit,
  kUserOptedOutMarketing,
  kTemplate,
  kTemplatePaused,
  kUndeliverable,
  kNumberNotRegistered,
  kAccountLocked,
  kPolicyBlock,
  kAccessDenied,
  kPayment,
  kPermanent,
};

// "throttled", "throttled_account", "spam", "pair_rate", "transient", "not_sent", "uncertain",
// "window_closed", "marketing_limit", "opted_out_marketing", "template", "template_paused",
// "undeliverable", "number_not_registered", "account_locked", "policy_block", "access_denied",
// "payment", "permanent".
std::string_view SendErrorClassName(SendErrorClass error_class);

enum class StopScope {
  kNone,
  kTemplate,    // the template is paused or disabled: no more sends of it
  kNumber,      // the business number cannot send
  kEverything,  // the account cannot send from any number
};

std::string_view StopScopeName(StopScope scope);  // "none", "template", "number", "everything"

// How far the request got.
enum class SendTransport {
  kAnswered,  // an HTTP answer came (an error object in it or not)
  kNotSent,   // provably never reached the platform (no connection was made)
  kNoAnswer,  // may have reached it: timeout, connection lost, an answer that cannot be read
};

// A send that did not end with a message id. Borrowed view: `details` must outlive the call.
struct SendFailure {
  SendTransport transport = SendTransport::kAnswered;
  int http_status = 0;                     // 0 when no answer came
  std::optional<std::int64_t> error_code;  // error.code when the body had one
  std::string_view details;                // error_data.details, may be empty
};

struct SendErrorInfo {
  SendErrorClass error_class = SendErrorClass::kPermanent;
  bool retryable = false;
  bool slows_number = false;
  StopScope stops = StopScope::kNone;
  // Stable, for the delivery's record and metrics labels: "<class>:<code>", "<class>:http_<status>"
  // when the answer had no code, or "<class>" when no answer came ("not_sent", "uncertain").
  std::string reason;
  std::string detail;  // for people: the platform's details, may be empty
};

SendErrorInfo ClassifySendFailure(const SendFailure& failure);

}  // namespace herald::campaign
