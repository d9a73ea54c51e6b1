// ToCloudApiJson against the platform's exact send payloads (reference/whatsapp.md, "Templates"
// and "Send API"), compared as parsed JSON so that key order does not matter but every key and
// value does.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "provider/provider.h"
#include "tests/provider/provider_test_util.h"

namespace herald::provider {
namespace {

namespace json = boost::json;

json::value Json(std::string_view text) { return json::parse(text); }

TEST(ToCloudApiJson, TemplateWithPositionalHeaderAndBodyParameters) {
  Message message = testing::TemplateMessage("4915112345678", "delivery:42");
  std::get<TemplateContent>(message.content).header = {{"", "Frühling"}};
  EXPECT_EQ(Json(ToCloudApiJson(message)), Json(R"({
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": "4915112345678",
    "type": "template",
    "template": {
      "name": "spring_sale",
      "language": {"code": "de"},
      "components": [
        {"type": "header", "parameters": [{"type": "text", "text": "Frühling"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Anna"},
                                        {"type": "text", "text": "20%"}]}
      ]
    },
    "biz_opaque_callback_data": "delivery:42"
  })"));
}

TEST(ToCloudApiJson, NamedParametersCarryTheirNames) {
  Message message = testing::TemplateMessage("15550001111");
  message.content =
      TemplateContent{"order_update", "pt_BR", {}, {{"first_name", "Ana"}, {"order_id", "A-17"}}};
  EXPECT_EQ(Json(ToCloudApiJson(message)), Json(R"({
    "messaging_product": "whatsapp", "recipient_type": "individual", "to": "15550001111",
    "type": "template",
    "template": {"name": "order_update", "language": {"code": "pt_BR"},
                 "components": [{"type": "body", "parameters": [
                   {"type": "text", "parameter_name": "first_name", "text": "Ana"},
                   {"type": "text", "parameter_name": "order_id", "text": "A-17"}]}]}
  })"));
}

TEST(ToCloudApiJson, TemplateWithoutParametersHasNoComponents) {
  Message message = testing::TemplateMessage("15550001111");
  message.content = TemplateContent{"hello_world", "en_US", {}, {}};
  const json::value sent = Json(ToCloudApiJson(message));
  EXPECT_EQ(sent.at("template"), Json(R"({"name": "hello_world", "language": {"code": "en_US"}})"));
  EXPECT_FALSE(sent.as_object().contains("biz_opaque_callback_data")) << "empty: left out";
}

TEST(ToCloudApiJson, TextWithPreviewUrl) {
  Message message = testing::TextMessage("4915112345678", "See https://example.com");
  std::get<TextContent>(message.content).preview_url = true;
  message.callback_data = "delivery:7";
  EXPECT_EQ(Json(ToCloudApiJson(message)), Json(R"({
    "messaging_product": "whatsapp", "recipient_type": "individual", "to": "4915112345678",
    "type": "text", "text": {"body": "See https://example.com", "preview_url": true},
    "biz_opaque_callback_data": "delivery:7"
  })"));
}

TEST(ToCloudApiJson, TextIsEscapedAndRoundTrips) {
  const std::string body = "quote \" backslash \\ newline \n tab \t emoji 🎉 nul-free ü";
  const json::value sent = Json(ToCloudApiJson(testing::TextMessage("1", body)));
  EXPECT_EQ(sent.at("text").at("body").as_string(), body);
  EXPECT_EQ(sent.at("text").at("preview_url").as_bool(), false);
}

TEST(ToCloudApiJson, ALongMessageIsComplete) {
  const std::string body(4096 * 3, 'x');  // beyond the serializer's stack buffer
  const json::value sent = Json(ToCloudApiJson(testing::TextMessage("1", body)));
  EXPECT_EQ(sent.at("text").at("body").as_string(), body);
}

TEST(OutcomeName, NamesEveryOutcome) {
  EXPECT_EQ(OutcomeName(Outcome::kAccepted), "accepted");
  EXPECT_EQ(OutcomeName(Outcome::kRejected), "rejected");
  EXPECT_EQ(OutcomeName(Outcome::kNotSent), "not_sent");
  EXPECT_EQ(OutcomeName(Outcome::kUncertain), "uncertain");
}

}  // namespace
}  // namespace herald::provider
