#include "webhooks/notification.h"

#include <gtest/gtest.h>

#include <string>

namespace herald::webhooks {
namespace {

std::string Wrap(std::string_view field, std::string_view value) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"WABA1","changes":[{"field":")" +
         std::string(field) + R"(","value":)" + std::string(value) + "}]}]}";
}

constexpr std::string_view kMetadata =
    R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"4930123","phone_number_id":"901"})";

TEST(Notification, ParsesStatusesWithPricingAndErrors) {
  const std::string body = Wrap("messages", "{" + std::string(kMetadata) + R"(,"statuses":[
    {"id":"wamid.A","status":"delivered","timestamp":"1767225600","recipient_id":"4915100000001",
     "biz_opaque_callback_data":"42",
     "pricing":{"billable":true,"pricing_model":"PMP","category":"marketing","type":"regular"}},
    {"id":"wamid.B","status":"failed","timestamp":1767225601,"recipient_id":"4915100000002",
     "errors":[{"code":131026,"title":"Message undeliverable",
                "error_data":{"details":"Receiver is incapable"}}]}]})");
  auto parsed = ParseNotification(body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->statuses.size(), 2u);
  const StatusEvent& delivered = parsed->statuses[0];
  EXPECT_EQ(delivered.phone_number_id, "901");
  EXPECT_EQ(delivered.message_id, "wamid.A");
  EXPECT_EQ(delivered.status, "delivered");
  EXPECT_EQ(delivered.timestamp, SysTime(std::chrono::seconds(1767225600)));
  EXPECT_EQ(delivered.callback_data, "42");
  EXPECT_EQ(delivered.pricing_json,
            R"({"billable":true,"pricing_model":"PMP","category":"marketing","type":"regular"})");
  EXPECT_EQ(delivered.billable, true);
  EXPECT_EQ(delivered.pricing_category, "marketing");
  EXPECT_EQ(delivered.pricing_type, "regular");
  const StatusEvent& failed = parsed->statuses[1];
  EXPECT_EQ(failed.billable, std::nullopt);
  EXPECT_EQ(failed.error_code, 131026);
  EXPECT_EQ(failed.error_title, "Message undeliverable");
  EXPECT_EQ(failed.error_details, "Receiver is incapable");
  EXPECT_TRUE(failed.pricing_json.empty());
  EXPECT_EQ(Summarise(*parsed), "statuses=2");
}

TEST(Notification, ParsesInboundMessagesOfEachKind) {
  const std::string body = Wrap("messages", "{" + std::string(kMetadata) + R"(,
    "contacts":[{"profile":{"name":"Anna"},"wa_id":"4915100000001"}],
    "messages":[
      {"from":"4915100000001","id":"wamid.in1","timestamp":"1767225600","type":"text",
       "text":{"body":"STOP"}},
      {"from":"4915100000001","id":"wamid.in2","timestamp":"1767225601","type":"button",
       "context":{"from":"4930123","id":"wamid.out"},
       "button":{"text":"Interested","payload":"yes-please"}},
      {"from":"4915100000001","id":"wamid.in3","timestamp":"1767225602","type":"interactive",
       "interactive":{"type":"button_reply","button_reply":{"id":"b1","title":"Later"}}},
      {"from":"4915100000001","id":"wamid.in4","timestamp":"1767225603","type":"system",
       "system":{"body":"User changed number","wa_id":"4915100000009","type":"user_changed_number"}},
      {"from":"4915100000001","id":"wamid.in5","timestamp":"1767225604","type":"text",
       "text":{"body":"Hi"},"referral":{"source_type":"ad","source_id":"123"}}]})");
  auto parsed = ParseNotification(body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->messages.size(), 5u);
  EXPECT_EQ(parsed->messages[0].text, "STOP");
  EXPECT_EQ(parsed->messages[0].profile_name, "Anna");
  EXPECT_EQ(parsed->messages[0].phone_number_id, "901");
  EXPECT_EQ(parsed->messages[1].text, "Interested");
  EXPECT_EQ(parsed->messages[1].payload, "yes-please");
  EXPECT_EQ(parsed->messages[1].context_id, "wamid.out");
  EXPECT_EQ(parsed->messages[2].text, "Later");
  EXPECT_EQ(parsed->messages[2].payload, "b1");
  EXPECT_EQ(parsed->messages[3].system_type, "user_changed_number");
  EXPECT_EQ(parsed->messages[3].system_new_wa_id, "4915100000009");
  EXPECT_FALSE(parsed->messages[3].from_referral);
  EXPECT_TRUE(parsed->messages[4].from_referral);
}

TEST(Notification, ParsesTemplateNumberAndAccountEvents) {
  auto templates = ParseNotification(Wrap("message_template_status_update",
                                          R"({"event":"PAUSED","message_template_id":77,
      "message_template_name":"autumn_sale","message_template_language":"pt-BR",
      "reason":"LOW_QUALITY"})"));
  ASSERT_TRUE(templates.ok());
  ASSERT_EQ(templates->templates.size(), 1u);
  EXPECT_EQ(templates->templates[0].event, "PAUSED");
  EXPECT_EQ(templates->templates[0].template_id, "77");
  EXPECT_EQ(templates->templates[0].language, "pt-BR");

  auto quality = ParseNotification(Wrap("phone_number_quality_update",
                                        R"({"display_phone_number":"4930123",
      "event":"THROUGHPUT_UPGRADE","current_limit":"TIER_100K"})"));
  ASSERT_TRUE(quality.ok());
  ASSERT_EQ(quality->number_quality.size(), 1u);
  EXPECT_EQ(quality->number_quality[0].current_limit, "TIER_100K");

  auto account = ParseNotification(Wrap("account_update", R"({"event":"ACCOUNT_RESTRICTION",
      "restriction_info":[{"restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING",
                           "expiration":1767312000}]})"));
  ASSERT_TRUE(account.ok());
  ASSERT_EQ(account->accounts.size(), 1u);
  EXPECT_EQ(account->accounts[0].waba_id, "WABA1");
  EXPECT_EQ(account->accounts[0].restriction_type, "RESTRICTED_BIZ_INITIATED_MESSAGING");
  EXPECT_EQ(account->accounts[0].restriction_expiration, SysTime(std::chrono::seconds(1767312000)));
}

TEST(Notification, KeepsUnknownFieldsAsUnknownChanges) {
  auto parsed = ParseNotification(Wrap("business_capability_update", R"({"max_phone_numbers":2})"));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->unknown.size(), 1u);
  EXPECT_EQ(parsed->unknown[0].field, "business_capability_update");
  EXPECT_EQ(Summarise(*parsed), "unknown:business_capability_update=1");
}

TEST(Notification, SkipsAMalformedEventAndKeepsTheOthers) {
  const std::string body = Wrap("messages", "{" + std::string(kMetadata) + R"(,"statuses":[
    {"status":"sent","timestamp":"1"},
    {"id":"wamid.C","status":"sent","timestamp":"soon"},
    {"id":"wamid.D","status":"sent","timestamp":"1767225600"}]})");
  auto parsed = ParseNotification(body);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->statuses.size(), 1u);
  EXPECT_EQ(parsed->statuses[0].message_id, "wamid.D");
  EXPECT_EQ(parsed->problems.size(), 2u);
  EXPECT_EQ(Summarise(*parsed), "statuses=1 problems=2");
}

TEST(Notification, RefusesUnusableBodiesNamingWhy) {
  const struct {
    std::string body;
    std::string says;
  } cases[] = {
      {"", "not JSON"},
      {"{\"object\":", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"object":"page","entry":[]})", "\"page\""},
      {R"({"object":"whatsapp_business_account"})", "\"entry\""},
      {R"({"object":"whatsapp_business_account","entry":{}})", "\"entry\""},
  };
  for (const auto& test : cases) {
    auto parsed = ParseNotification(test.body);
    ASSERT_FALSE(parsed.ok()) << test.body;
    EXPECT_NE(parsed.error().message.find(test.says), std::string::npos) << parsed.error().message;
  }
}

TEST(Notification, RefusesTimestampsOutsideAnyRealDate) {
  const std::string body = Wrap("messages", "{" + std::string(kMetadata) + R"(,"statuses":[
    {"id":"wamid.E","status":"sent","timestamp":"99999999999999999999"},
    {"id":"wamid.F","status":"sent","timestamp":-5}]})");
  auto parsed = ParseNotification(body);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->statuses.empty());
  EXPECT_EQ(parsed->problems.size(), 2u);
}

}  // namespace
}  // namespace herald::webhooks
