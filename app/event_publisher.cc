#include "app/event_publisher.h"

#include "common/time.h"

namespace herald::app {

OutboundEvent CampaignStateEvent(CampaignId campaign, std::string_view name, std::string_view state,
                                 std::string_view previous_state, std::string_view reason,
                                 std::string_view actor, SysTime at) {
  return {"campaign.state",
          {{"campaign_id", campaign.value},
           {"name", name},
           {"state", state},
           {"previous_state", previous_state},
           {"reason", reason},
           {"actor", actor},
           {"at", FormatRfc3339(at)}}};
}

OutboundEvent MessageBlockedEvent(DeliveryId delivery, std::optional<CampaignId> campaign,
                                  ContactId contact, std::string_view phone,
                                  std::string_view reason, SysTime at) {
  OutboundEvent event{"message.blocked",
                      {{"delivery_id", delivery.value},
                       {"contact_id", contact.value},
                       {"phone", phone},
                       {"reason", reason},
                       {"at", FormatRfc3339(at)}}};
  event.data["campaign_id"] =
      campaign ? boost::json::value(campaign->value) : boost::json::value(nullptr);
  return event;
}

OutboundEvent ContactOptedOutEvent(ContactId contact, std::string_view phone,
                                   std::string_view source, std::string_view keyword, SysTime at) {
  return {"contact.opted_out",
          {{"contact_id", contact.value},
           {"phone", phone},
           {"source", source},
           {"keyword", keyword},
           {"at", FormatRfc3339(at)}}};
}

}  // namespace herald::app
