// The platform's webhook bodies for message statuses and inbound text messages
// (reference/whatsapp.md, "Webhooks"): {"object":"whatsapp_business_account","entry":[{"id":…,
// "changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{…},
// "statuses":[…]} or {…,"contacts":[…],"messages":[…]}}]}]}. The sandbox produces them, so its
// statuses reach the webhook processor exactly as the platform's would. Internal to provider/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"

namespace herald::provider::detail {

// Who the webhook is about: the account (entry[].id) and the business number (metadata).
struct WebhookAccount {
  std::string waba_id;
  std::string phone_number_id;
  std::string display_phone_number;
};

struct StatusPricing {
  bool billable = true;
  std::string pricing_model = "PMP";
  std::string category;  // "marketing", "utility", "authentication", "service"
  std::string type;      // "regular", "free_customer_service", …
};

struct StatusError {
  std::int64_t code = 0;
  std::string title;
  std::string message;
  std::string details;  // error_data.details
};

struct StatusUpdate {
  std::string message_id;  // wamid…
  std::string status;      // "sent", "delivered", "read", "failed"
  SysTime timestamp;
  std::string recipient_id;
  std::string callback_data;  // biz_opaque_callback_data; left out when empty
  std::optional<StatusPricing> pricing;
  std::optional<StatusError> error;  // for "failed"
};

struct InboundText {
  std::string from;  // the user's number, E.164 digits
  std::string profile_name;
  std::string message_id;
  SysTime timestamp;
  std::string body;
  std::string context_message_id;  // the business message it answers; left out when empty
};

std::string StatusWebhookJson(const WebhookAccount& account, const StatusUpdate& status);
std::string InboundTextWebhookJson(const WebhookAccount& account, const InboundText& message);

}  // namespace herald::provider::detail
