// http/contacts_api.h: one contact (PRODUCT.md, "Interfaces"):
//   GET    /v1/contacts/{phone}            the contact ("%2B4915…", "4915…" or national)
//   DELETE /v1/contacts/{phone}?reason=…   GDPR erasure
//   POST   /v1/contacts/{phone}/tags       {"add": [...], "remove": [...]}
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
void RegisterContactsApi(Router& router, app::ContactService& service,
                         std::function<std::string()> default_region);

}  // namespace herald::http
