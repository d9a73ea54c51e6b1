// app/event_publisher.h: events for other systems (CRM, sheets, dashboards), sent by the outbound
// event hooks (app/event_hooks.h, docs/hooks.md). A service that changes something worth telling
// publishes an event through this interface and never learns who receives it, how, or when.
//
// Durability: Stage adds the event to the outbox inside the caller's own write job, so the event
// is committed with the change it reports or rolled back with it (no change without its event,
// no event without its change). Publish writes it in a job of its own, for a change already
// durable; a crash between the two loses the event. Neither blocks: delivery happens on the hooks'
// own thread.
//
// The kinds and their data (every event also carries its id, kind and created_at, see
// docs/hooks.md):
//   campaign.state     {campaign_id, name, state, previous_state, reason, actor, at}
//   message.blocked    {delivery_id, campaign_id (null: a single message), contact_id, phone,
//                       reason ("blocked:word:<list>:<term>"), at}
//   contact.opted_out  {contact_id, phone, source ("webhook", …), keyword, at}
//
// Thread rules: Stage on the writer's thread, inside a job; Wake and Publish from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "storage/store.h"

namespace herald::app {

struct OutboundEvent {
  std::string kind;  // one of config::kHookEventKinds
  boost::json::object data;
};

class EventPublisher {
 public:
  virtual ~EventPublisher() = default;

  // Adds `event` to the outbox within the caller's write job (`work`); an error fails the job.
  virtual Status Stage(storage::UnitOfWork& work, const OutboundEvent& event, SysTime now) = 0;
  // Tells the delivery thread that staged events are durable: call it from the job's `done`.
  // Without it they are sent within a second all the same.
  virtual void Wake() = 0;
  // Stores `event` in a write job of its own, then wakes the delivery thread.
  virtual void Publish(OutboundEvent event) = 0;
};

// The events, built in one place so that every source sends the same shape.
OutboundEvent CampaignStateEvent(CampaignId campaign, std::string_view name, std::string_view state,
                                 std::string_view previous_state, std::string_view reason,
                                 std::string_view actor, SysTime at);
OutboundEvent MessageBlockedEvent(DeliveryId delivery, std::optional<CampaignId> campaign,
                                  ContactId contact, std::string_view phone,
                                  std::string_view reason, SysTime at);
OutboundEvent ContactOptedOutEvent(ContactId contact, std::string_view phone,
                                   std::string_view source, std::string_view keyword, SysTime at);

}  // namespace herald::app
