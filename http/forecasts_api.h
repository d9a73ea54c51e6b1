// http/forecasts_api.h: POST /v1/forecasts (issue 18, item 4; docs/finance.md). The body names
// a campaign, or a segment and a template:
//   {"campaign": 7}
//   {"segment": "tag:vip", "template": "promo/de"}     (or {"name": "promo", "language": "de"})
//   {"segment": "tag:vip", "text": true}                (free-form messages: service)
// optional: "at" (RFC 3339, the planned send time), "senders" (how many numbers send it).
// The answer: recipients, eligible, billable, total and currency, by_country, by_category,
// skipped (by reason), by_basis, the category, the source (deliveries or segment), the price
// table's version and the timeline.
// GET /v1/forecasts/monthly?month=2026-12: the campaigns not finished yet, each forecast, their
// timelines' sends and spend within the month, per campaign and per day.
#pragma once

#include "app/forecast_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterForecastsApi(Router& router, app::ForecastService& service);

}  // namespace herald::http
