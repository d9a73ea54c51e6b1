#include "provider/detail/webhook_json.h"

#include <boost/json.hpp>

namespace herald::provider::detail {
namespace {

namespace json = boost::json;

// Unix seconds as a string, as the platform writes timestamps.
std::string UnixSeconds(SysTime time) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count());
}

// The envelope around one change's value.
std::string Envelope(const WebhookAccount& account, json::object value) {
  json::object metadata{{"display_phone_number", account.display_phone_number},
                        {"phone_number_id", account.phone_number_id}};
  json::object full{{"messaging_product", "whatsapp"}, {"metadata", std::move(metadata)}};
  for (auto& [key, item] : value) full[key] = std::move(item);
  json::object change{{"field", "messages"}, {"value", std::move(full)}};
  json::object entry{{"id", account.waba_id}, {"changes", json::array{std::move(change)}}};
  json::object root{{"object", "whatsapp_business_account"},
                    {"entry", json::array{std::move(entry)}}};
  return json::serialize(root);
}

}  // namespace

std::string StatusWebhookJson(const WebhookAccount& account, const StatusUpdate& status) {
  json::object object{{"id", status.message_id},
                      {"status", status.status},
                      {"timestamp", UnixSeconds(status.timestamp)},
                      {"recipient_id", status.recipient_id}};
  if (!status.callback_data.empty()) object["biz_opaque_callback_data"] = status.callback_data;
  if (status.pricing) {
    const StatusPricing& pricing = *status.pricing;
    object["pricing"] = json::object{{"billable", pricing.billable},
                                     {"pricing_model", pricing.pricing_model},
                                     {"category", pricing.category},
                                     {"type", pricing.type}};
  }
  if (status.error) {
    const StatusError& error = *status.error;
    object["errors"] =
        json::array{json::object{{"code", error.code},
                                 {"title", error.title},
                                 {"message", error.message},
                                 {"error_data", json::object{{"details", error.details}}}}};
  }
  return Envelope(account, json::object{{"statuses", json::array{std::move(object)}}});
}

std::string InboundTextWebhookJson(const WebhookAccount& account, const InboundText& message) {
  json::object contact{{"profile", json::object{{"name", message.profile_name}}},
                       {"wa_id", message.from}};
  json::object inbound{{"from", message.from},
                       {"id", message.message_id},
                       {"timestamp", UnixSeconds(message.timestamp)},
                       {"type", "text"},
                       {"text", json::object{{"body", message.body}}}};
  if (!message.context_message_id.empty()) {
    inbound["context"] =
        json::object{{"from", account.display_phone_number}, {"id", message.context_message_id}};
  }
  return Envelope(account, json::object{{"contacts", json::array{std::move(contact)}},
                                        {"messages", json::array{std::move(inbound)}}});
}

}  // namespace herald::provider::detail
