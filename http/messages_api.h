// http/messages_api.h: single messages (issue 16, item 7):
//   POST /v1/messages   {"to", "template" | "text", "purpose", "sender", "dry_run"}
//     dry_run: 200 {"decision": {...every check...}}, nothing sent or stored;
//     else: 202 {"id", "state": "queued", "decision"} when the gate allows it now, or
//           200 {"id", "state": "skipped" | "blocked", "reason", "decision"} when it refuses
//   GET  /v1/messages/{id}   the delivery: state, reason, message id, times
//
// Thread rules: registered and called on the network thread.
#pragma once

#include "app/message_service.h"
#include "http/router.h"

namespace herald::http {

void RegisterMessagesApi(Router& router, app::MessageService& service);

}  // namespace herald::http
