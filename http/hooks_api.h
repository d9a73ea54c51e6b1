// http/hooks_api.h: the outbound event hooks (app/event_hooks.h, docs/hooks.md). Admin routes:
//   GET  /v1/hooks                    every configured endpoint: url (without its query), events,
//                                     pending, delivered, dead, last_error, failing
//   GET  /v1/hooks/dead               dead letters, newest first: ?endpoint=crm&limit=50&before=ID
//   POST /v1/hooks/dead/{id}/replay   one dead letter → pending (404 unknown, 409 not dead or its
//                                     endpoint no longer configured)
//   POST /v1/hooks/dead/replay        every dead letter of {"endpoint": "crm"} → pending;
//                                     answers {"endpoint": …, "replayed": N}
//
// Thread rules: registered and called on the network thread; answers come from the hook
// service's read worker or the storage writer's thread through the Responder.
#pragma once

#include "app/event_hooks.h"
#include "http/router.h"

namespace herald::http {

void RegisterHooksApi(Router& router, app::HookService& service);

}  // namespace herald::http
