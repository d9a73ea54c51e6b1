// http/templates_api.h: message templates (PRODUCT.md, "Interfaces"):
//   GET /v1/templates                    every stored template
//   PUT /v1/templates/{name}/{language}  {"category","status","components","platform_id"}:
//                                        201 when created, 200 when updated or unchanged; it
//                                        answers once the gate's catalog has the new version
//
// Thread rules: registered and called on the network thread; the compliance service answers
// through the Responder from its own threads.
#pragma once

#include "app/compliance_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterTemplatesApi(Router& router, app::ComplianceService& service);

}  // namespace herald::http
