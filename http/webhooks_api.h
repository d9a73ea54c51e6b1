// http/webhooks_api.h: the platform's webhooks (issue 17) and their records.
//   GET  /webhooks/whatsapp  the subscription handshake: hub.mode=subscribe and hub.verify_token
//                            equal to the configured one → 200 with hub.challenge as the body
//                            (text/plain); otherwise 403
//   POST /webhooks/whatsapp  a notification, signed with X-Hub-Signature-256: 200 once stored
//                            ({"stored":true}, or false for a body stored before); 401 with the
//                            reason in error.field (not_configured, missing, malformed, mismatch)
//   GET  /v1/webhooks        (admin) counts (pending, processed, failed) and the newest stored
//                            requests: ?limit=50&before=ID&failed=true
// The two public routes check no admin token: the signature is their authentication. They go on
// the admin listener, or on [webhooks] listen when set (RegisterWebhookEndpoints alone there).
//
// Thread rules: registered and called on the network thread; answers come from the storage
// writer's thread through the Responder.
#pragma once

#include "app/webhook_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterWebhookEndpoints(Router& router, app::WebhookService& service);
void RegisterWebhooksApi(Router& router, app::WebhookService& service);

}  // namespace herald::http
