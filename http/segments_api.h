// http/segments_api.h: segments (PRODUCT.md, "Interfaces"):
//   POST   /v1/segments/preview  {"expression", "sample"}: count, per country, sample
//   POST   /v1/segments/export   {"expression"}: CSV that imports back unchanged
//   GET    /v1/segments          saved segments
//   GET    /v1/segments/{name}   one saved segment
//   PUT    /v1/segments/{name}   {"expression"}: saves it in its canonical spelling
//   DELETE /v1/segments/{name}
//
// Thread rules: registered and called on the network thread; the contact service answers
// through the Responder from its own threads.
#pragma once

#include "app/contact_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterSegmentsApi(Router& router, app::ContactService& service);

}  // namespace herald::http
