// http/compliance_api.h: the admin API of word lists and templates (PRODUCT.md, "Interfaces").
// Every change needs a "reason" and is attributed to the request's actor (X-Herald-Actor).
//   GET  /v1/wordlists                      the active lists: name, language, version, terms
//   POST /v1/wordlists                      {"name", "language", "reason"}: a new empty list
//   GET  /v1/wordlists/{name}[?version=N]   a list's terms (the active version by default)
//   GET  /v1/wordlists/{name}/versions      its history: version, actor, reason, time, terms
//   POST /v1/wordlists/{name}/terms         {"terms": [{"term","match","severity","note"}],
//                                            "reason"}: add or update terms
//   POST /v1/wordlists/{name}/terms/remove  {"terms": [{"term","match"}], "reason"}
//   PUT  /v1/wordlists/{name}/csv?mode=merge|replace&reason=…   body: CSV (word_list_csv.h)
//   GET  /v1/wordlists/{name}/csv[?version=N]                    the list as CSV
//   POST /v1/wordlists/test                 {"text", "language"}: what would match, and whether
//                                            the text would be blocked
//   GET  /v1/templates                      every stored template
//   PUT  /v1/templates/{name}/{language}    {"category","status","components","platform_id"}
// A change answers after the new version is active.
//
// Thread rules: registered and called on the network thread; work runs on the compliance
// service's worker or the storage writer, and answers through the Responder.
#pragma once

#include "app/compliance_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterComplianceApi(Router& router, app::ComplianceService& service);

}  // namespace herald::http
