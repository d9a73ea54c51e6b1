// app/send_preparation.h: the decision at send time for a batch of claimed deliveries (issue 16,
// item 6; PRODUCT.md, "The path of one message", step 2): read the recipients in bulk, fill in
// each campaign's values for the recipient, ask the compliance gate and the platform's market
// rules, and build the platform message. Runs on the runner's preparation worker (it reads
// storage and scans text); the runner paces and sends what comes out.
//
// Outcomes, recorded on the delivery:
//   skipped:missing_value:<ref>   a value refers to something the contact does not have
//   skipped:<gate reason>         opted_out, no_consent:marketing, window_closed, template_*, …
//   blocked:word:<list>:<term>    the rendered text holds a blocking word
//   skipped:market:<reason>       a market rule in force (e.g. us_marketing_pause)
//   skipped:contact_erased        the contact was erased since the audience was written
//   queued, reason waiting:quiet_hours, not_before = when they end (never skipped for them)
//
// Thread rules: PrepareSends is a function of its arguments; it uses the unit of work it is given
// (the caller's thread's).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/campaign_service.h"
#include "common/clock.h"
#include "compliance/gate.h"
#include "provider/provider.h"
#include "storage/delivery_repository.h"
#include "storage/market_rule_repository.h"
#include "storage/store.h"

namespace herald::app {

// A delivery that passed the gate: everything the runner needs to pace and send it.
struct PreparedSend {
  DeliveryId delivery;
  std::optional<CampaignId> campaign;
  ContactId contact;
  Purpose purpose = Purpose::kMarketing;
  provider::Message message;               // phone_number_id empty: the runner picks the sender
  std::vector<SenderId> open_windows;      // numbers with an open service window to this user
  std::optional<SenderId> last_sender;     // the number that last sent to it
  std::optional<SenderId> assigned;        // chosen at audience time, if any
  std::int64_t estimated_cost_micros = 0;  // the audience's estimate, for the spend cap
};

struct Preparation {
  std::vector<PreparedSend> sends;
  std::vector<storage::DeliveryOutcome> outcomes;  // refusals and waits, to record
};

// The market rules in force on the day of `now` (UTC) for `category` ("marketing", …) and
// `country` (ISO alpha-2); the matching rule's reason, else empty.
std::string MarketRuleReason(std::span<const storage::MarketRuleRecord> rules,
                             std::string_view country, std::string_view category, SysTime now);

// A single message decided at the request (POST /v1/messages): the same decision as the send
// path's, and every check on its own for a dry run. `sender` is the number it would go from.
struct SingleDecision {
  bool allowed = false;
  storage::DeliveryState state = storage::DeliveryState::kQueued;  // or skipped / blocked
  std::string reason;  // the first refusal, as recorded on a delivery; empty when allowed
  std::vector<compliance::CheckResult> checks;
  std::string market_rule;  // a market rule in force, or empty
};
SingleDecision DecideSingle(storage::UnitOfWork& reader, const compliance::Gate& gate,
                            std::span<const storage::MarketRuleRecord> market_rules,
                            ContactId contact, SenderId sender, const CampaignContent& content,
                            SysTime now);

Preparation PrepareSends(storage::UnitOfWork& reader, const compliance::Gate& gate,
                         std::span<const storage::MarketRuleRecord> market_rules,
                         std::span<const storage::ClaimedDelivery> claimed,
                         const ActiveCampaign& campaign, SysTime now);

}  // namespace herald::app
