// http/tags_api.h: tags across contacts (PRODUCT.md, "Interfaces"):
//   POST   /v1/tags/apply          {"add", "remove", and "phones": [...] or "segment": "expr"}:
//                                  matched, changed and not_found counts
//   POST   /v1/tags/{name}/rename  {"to": "..."}: the number of contacts that carry it
//   DELETE /v1/tags/{name}         the number of contacts that carried it
//
// Thread rules: registered and called on the network thread; the contact service answers
// through the Responder from its own threads.
#pragma once

#include "app/contact_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterTagsApi(Router& router, app::ContactService& service);

}  // namespace herald::http
