// http/wordlists_api.h: word lists (PRODUCT.md, "Interfaces"). Every change needs a "reason" and
// is attributed to the request's actor (X-Herald-Actor); it answers once the new version is
// active.
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
//
// Thread rules: registered and called on the network thread; the compliance service answers
// through the Responder from its own threads.
#pragma once

#include "app/compliance_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterWordListsApi(Router& router, app::ComplianceService& service);

}  // namespace herald::http
