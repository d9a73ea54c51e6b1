// http/prices_api.h: the price table and the pricing rules (issue 18, items 1 and 2).
//
//   GET    /v1/prices                   the table now; ?version=N as it was then; ?at=YYYY-MM-DD
//                                       only the rows in force that day; ?market= ?category=
//                                       filter; ?format=csv the CSV a spreadsheet edits
//   POST   /v1/prices/import            body: a price CSV (campaign/price_csv.h);
//                                       ?mode=merge (default) or replace; ?source=NAME
//   GET    /v1/prices/versions          every import that changed the table, newest first
//   GET    /v1/prices/quote             ?country=DE&category=marketing[&at=YYYY-MM-DD]: the
//                                       rate in force for that recipient and whose it is
//   GET    /v1/pricing-rules            the policy versions
//   PUT    /v1/pricing-rules/{from}     adds or replaces the version from that day
//   DELETE /v1/pricing-rules/{from}     ?reason=
#pragma once

#include "app/pricing_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterPricesApi(Router& router, app::PricingService& service);

}  // namespace herald::http
