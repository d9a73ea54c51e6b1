// app/webhook_events.h: what the webhook service does with template, number and account events
// (issue 17), each through the service that owns the data, blocking the webhook processing thread
// until the change is durable:
//   - message_template_status_update → the template's status (ComplianceService); PAUSED,
//     DISABLED, REJECTED (any status that is not APPROVED) first pauses every running campaign
//     that uses that template (in that language, or in every language when the campaign lets
//     each recipient's language choose), with the event and the platform's reason in the
//     campaign's status. A later APPROVED does not resume them: a person does.
//   - template_category_update → the template's category;
//   - message_template_quality_update → logged (Herald keeps no template quality yet);
//   - phone_number_quality_update → the number (found by its display number): its quality
//     (FLAGGED → RED, UNFLAGGED → GREEN, or the event's own quality), THROUGHPUT_UPGRADE → 1,000
//     messages/s, a TIER_* limit → its portfolio's tier; the pacer follows the sender service;
//   - account_update ACCOUNT_RESTRICTION → business-initiated sends paused until its expiration,
//     in every portfolio (Herald does not map accounts to portfolios: pausing more is the safe
//     side).
// Template languages arrive as "pt-BR" or "pt_BR": compared by LanguageKey.
//
// Thread rules: the handlers block their caller (the webhook processing thread).
#pragma once

#include <functional>
#include <vector>

#include "app/campaign_service.h"
#include "app/compliance_service.h"
#include "app/sender_service.h"
#include "app/webhook_service.h"
#include "common/result.h"
#include "webhooks/notification.h"

namespace herald::app {

TemplateEventHandler MakeTemplateEventHandler(ComplianceService& compliance,
                                              CampaignService& campaigns);
NumberEventHandler MakeNumberEventHandler(SenderService& senders);
AccountEventHandler MakeAccountEventHandler(SenderService& senders);

// The quality a phone_number_quality_update means for the number, or empty to keep it.
std::string QualityOf(const webhooks::NumberQualityEvent& event);

}  // namespace herald::app
