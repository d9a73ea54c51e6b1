// http/contacts_api.h: the admin API of contacts, tags and segments (PRODUCT.md, "Interfaces"):
//   POST   /v1/contacts/imports               body: CSV or JSON Lines; 202 with the import's id
//   GET    /v1/contacts/imports/{id}          progress and result counts
//   GET    /v1/contacts/imports/{id}/rejects  the rejected rows as CSV, with line and reason
//   GET    /v1/contacts/{phone}               one contact
//   DELETE /v1/contacts/{phone}?reason=…      GDPR erasure
//   POST   /v1/contacts/{phone}/tags          {"add": [...], "remove": [...]}
//   POST   /v1/tags/apply                     {"add", "remove", and "phones": [...] or "segment"}
//   POST   /v1/tags/{name}/rename             {"to": "..."}
//   DELETE /v1/tags/{name}
//   POST   /v1/segments/preview               {"expression", "sample"}: count, per country, sample
//   POST   /v1/segments/export                {"expression"}: CSV that imports back unchanged
//   GET    /v1/segments, GET|PUT|DELETE /v1/segments/{name}   saved segments
//
// Thread rules: registered and called on the network thread; work runs on the contact service's
// worker or the storage writer, and answers through the Responder.
#pragma once

#include <functional>
#include <string>

#include "app/contact_service.h"
#include "http/router.h"

namespace herald::http {

// `default_region` gives the current config's contacts.default_region (it changes on reload).
void RegisterContactsApi(Router& router, app::ContactService& service,
                         std::function<std::string()> default_region);

// The tags and segments part (segments_api.cc); RegisterContactsApi calls it.
void RegisterTagsAndSegmentsApi(Router& router, app::ContactService& service);

}  // namespace herald::http
