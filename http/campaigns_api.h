// http/campaigns_api.h: campaigns (issue 16, item 2):
//   POST /v1/campaigns                    {"name", "segment", "template" | "text", "purpose",
//                                          "senders", "start_at", "timezone", "local_time",
//                                          "end_by", "spend_cap", "currency"}: 201, the campaign
//   GET  /v1/campaigns?state=…            newest first
//   GET  /v1/campaigns/{id}               state, deliveries by state, rates, ETA
//   POST /v1/campaigns/{id}/start|pause|resume|cancel   {"reason"} (optional)
//   GET  /v1/campaigns/{id}/deliveries?state=…&format=csv|jsonl   who got what, and why not
//   POST /v1/campaigns/{id}/resend-uncertain   {"confirm": true, "reason"}: the uncertain ones
//                                          go again (without confirm: 400, field "confirm")
//
// Thread rules: registered and called on the network thread; the campaign service answers
// through the Responder from its own threads.
#pragma once

#include "app/campaign_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterCampaignsApi(Router& router, app::CampaignService& service);

}  // namespace herald::http
