// webhooks/notification.h: one webhook request of the platform, parsed into typed events
// (reference/whatsapp.md, "Webhooks"; the shapes of the platform's public OpenAPI description).
//
// A request is {"object":"whatsapp_business_account","entry":[{"id":WABA,"changes":[{"field":…,
// "value":{…}}]}]}. Each change's `field` says what its value holds:
//   - "messages": `statuses[]` of messages Herald sent, and inbound `messages[]` (with
//     `contacts[]` naming the senders), under `metadata.phone_number_id` (the business number);
//   - "message_template_status_update", "message_template_quality_update",
//     "template_category_update": a template's status, quality or category;
//   - "phone_number_quality_update": a number's quality and messaging limit;
//   - "account_update": e.g. an ACCOUNT_RESTRICTION with its expiry;
//   - anything else: kept as an UnknownChange (stored with the request, logged, never fatal).
// Unknown keys inside known shapes are ignored here; the raw request is stored as received, so
// nothing is lost. Values the platform may add later (a new status, a pricing type) are passed on
// as the strings they are.
//
// What makes a request unusable (an error): not JSON, not an object, `object` other than
// "whatsapp_business_account", `entry` not an array. A single malformed event inside a usable
// request (a status without an id, a timestamp that is not a number) is skipped and named in
// `problems`, so one bad event never loses the others.
//
// Thread rules: pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace herald::webhooks {

// A status of a message Herald sent: sent, delivered, read, failed (or a value not known yet).
struct StatusEvent {
  std::string phone_number_id;  // the business number (metadata)
  std::string message_id;       // the wamid the send API answered
  std::string status;
  SysTime timestamp{};
  std::string recipient_id;   // the user's WhatsApp id (digits)
  std::string callback_data;  // biz_opaque_callback_data: Herald's delivery id
  // The first of `errors[]` on a failure.
  std::optional<std::int64_t> error_code;
  std::string error_title;
  std::string error_details;  // error_data.details
  std::string pricing_json;   // the `pricing` object as received (compact JSON), or empty
  // Its fields, as the platform wrote them (a value this version does not know is kept as is):
  // whether the message is billed, its category ("marketing", "utility", "service", …) and type
  // ("regular", "free_customer_service", "free_entry_point", …).
  std::optional<bool> billable;
  std::string pricing_category;
  std::string pricing_type;
};

// An inbound message from a user to a business number.
struct InboundMessage {
  std::string phone_number_id;  // the business number it was sent to
  std::string message_id;
  std::string from;  // the user's WhatsApp id (digits, no '+')
  SysTime timestamp{};
  std::string type;              // text, button, interactive, image, system, …
  std::string text;              // text.body; button.text; the title of an interactive reply
  std::string payload;           // button.payload; the id of an interactive reply
  std::string context_id;        // context.id: the wamid of the message it answers
  std::string profile_name;      // contacts[].profile.name for `from`
  bool from_referral = false;    // it came from an ad or a page button (a free entry point)
  std::string system_type;       // system.type, e.g. "user_changed_number"
  std::string system_new_wa_id;  // system.wa_id (or system.new_wa_id): the user's new id
};

// message_template_status_update / _quality_update / template_category_update.
struct TemplateEvent {
  std::string field;
  std::string event;  // APPROVED, REJECTED, PAUSED, DISABLED, … (status updates)
  std::string template_id;
  std::string name;
  std::string language;  // as received: "pt-BR" or "pt_BR"
  std::string reason;
  std::string new_quality;   // message_template_quality_update: new_quality_score
  std::string new_category;  // template_category_update
};

// phone_number_quality_update.
struct NumberQualityEvent {
  std::string display_phone_number;
  std::string event;          // FLAGGED, UNFLAGGED, THROUGHPUT_UPGRADE, ONBOARDING, …
  std::string current_limit;  // TIER_* (or max_daily_conversations_per_business spelt as a tier)
  std::string quality;        // when given (GREEN/YELLOW/RED, or HIGH/MEDIUM/LOW)
};

// account_update.
struct AccountEvent {
  std::string waba_id;  // the entry's id
  std::string event;    // ACCOUNT_RESTRICTION, DISABLED_UPDATE, …
  std::string restriction_type;
  std::optional<SysTime> restriction_expiration;
};

struct UnknownChange {
  std::string field;
};

struct Notification {
  std::vector<StatusEvent> statuses;
  std::vector<InboundMessage> messages;
  std::vector<TemplateEvent> templates;
  std::vector<NumberQualityEvent> number_quality;
  std::vector<AccountEvent> accounts;
  std::vector<UnknownChange> unknown;
  std::vector<std::string> problems;  // events skipped, each with what was wrong

  std::size_t events() const {
    return statuses.size() + messages.size() + templates.size() + number_quality.size() +
           accounts.size() + unknown.size();
  }
};

// kInvalidArgument naming what is wrong when the request is unusable (see above).
Result<Notification> ParseNotification(std::string_view body);

// "statuses=2 messages=1 unknown:foo=1 problems=1": what a request held, for the stored row and
// the log.
std::string Summarise(const Notification& notification);

}  // namespace herald::webhooks
