// http/imports_api.h: contact imports (PRODUCT.md, "Interfaces"):
//   POST /v1/contacts/imports               body: CSV or JSON Lines, spooled to a temporary file
//                                           as it arrives; 202 with the import's status
//   GET  /v1/contacts/imports[?limit=N]     imports, newest first (default 50, at most 1000)
//   GET  /v1/contacts/imports/{id}          state and counts; answers after a restart too
//   GET  /v1/contacts/imports/{id}/rejects  the rejected rows as CSV, with line and reason
//
// Thread rules: registered and called on the network thread; the contact service answers
// through the Responder from its own threads.
#pragma once

#include <functional>
#include <string>

#include "app/contact_service.h"
#include "http/router.h"

namespace herald::http {

// `default_region` gives the current config's contacts.default_region (it changes on reload).
void RegisterImportsApi(Router& router, app::ContactService& service,
                        std::function<std::string()> default_region);

}  // namespace herald::http
