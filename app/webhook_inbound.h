// app/webhook_inbound.h: what the webhook service does with inbound messages (issue 17): each
// becomes an InboundRecord for the contact service, with
//   - an opt-out when its text is a STOP keyword of any configured language (the gate's matcher,
//     compliance/stop_keywords.h), recorded as "whatsapp:<keyword> (<language>)";
//   - tags from the reply rules ([webhooks.reply_tags]): a quick-reply button's text or payload,
//     an interactive reply's title or id, or the whole text equal to a rule's phrase (ASCII case
//     and surrounding space ignored);
//   - the 72-hour free entry point when it came from an ad or a page button (a referral).
// A `system` message saying the user's number changed (user_changed_number) moves the contact to
// the new number instead; other system messages are left out.
//
// Thread rules: pure functions; the handler blocks its caller (the webhook processing thread)
// until the contact service's job is durable.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/compliance_service.h"
#include "app/contact_service.h"
#include "app/webhook_service.h"
#include "compliance/gate.h"
#include "webhooks/notification.h"

namespace herald::app {

using ReplyTagRules = std::map<std::string, std::vector<std::string>>;  // tag -> phrases

std::vector<InboundRecord> ToInboundRecords(const std::vector<webhooks::InboundMessage>& messages,
                                            const compliance::Gate& gate,
                                            const ReplyTagRules& rules);

// The handler WebhookService::SetInboundHandler takes: records through `contacts`, as "webhook".
InboundHandler MakeInboundHandler(ContactService& contacts, const ComplianceService& compliance,
                                  ReplyTagRules rules);

}  // namespace herald::app
