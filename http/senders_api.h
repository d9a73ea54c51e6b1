// http/senders_api.h: portfolios and sender numbers (issue 16, item 1):
//   POST  /v1/senders                    {"phone_number_id", "display_phone_number",
//                                          "portfolio", "messaging_limit_tier", "throughput",
//                                          "quality", "state", "warmup", "reason"}: 201
//   GET   /v1/senders                    every sender, with its pacing when a runner works
//   GET   /v1/senders/{phone_number_id}  one sender, its portfolio and its pacing (current
//                                          rate, tokens, why it is slowed)
//   PATCH /v1/senders/{phone_number_id}  any of the fields above but phone_number_id
//   GET   /v1/portfolios                 every portfolio
//   GET   /v1/portfolios/{name}
//   PATCH /v1/portfolios/{name}          {"messaging_limit_tier", "restricted_until",
//                                          "restriction_type", "reason"} (creates it if new)
// "display_number" is accepted for display_phone_number, "tier" for messaging_limit_tier.
//
// Thread rules: registered and called on the network thread; writes answer from the storage
// writer's thread through the Responder.
#pragma once

#include <boost/json/object.hpp>

#include "app/sender_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterSendersApi(Router& router, app::SenderService& service);

boost::json::object SenderJson(const app::SenderView& view);

}  // namespace herald::http
