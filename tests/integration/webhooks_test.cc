// The platform's webhooks through the real daemon on a real SQLite file (issue 17): the
// subscription handshake, signatures checked on the raw body (a wrong secret, a missing header, a
// body changed by one byte, a truncated body), each refusal counted by reason, a replayed request
// stored once, statuses applied to deliveries in any order and settling an uncertain one, and an
// unknown event kind stored.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "storage/sqlite/connection.h"
#include "tests/integration/test_config.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"
#include "webhooks/signature.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kAppSecret = "webhook-app-secret-0123456789";
constexpr const char* kVerifyToken = "verify-token-abcdef";

void WriteSecret(const TempDir& dir, const std::string& name, const std::string& value) {
  std::ofstream(dir / name) << value << "\n";
  std::filesystem::permissions(
      dir / name, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

std::string Notification(const std::string& field, const std::string& value) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"WABA1","changes":[{"field":")" +
         field + R"(","value":)" + value + "}]}]}";
}

std::string Statuses(const std::string& statuses) {
  return Notification("messages",
                      R"({"messaging_product":"whatsapp","metadata":{"display_phone_number":)"
                      R"("4930123","phone_number_id":"901"},"statuses":[)" +
                          statuses + "]}");
}

// Messages to business number 901; `named` is the WhatsApp id whose profile name is "Anna".
std::string Inbound(const std::string& messages, const std::string& named = "4915100000001") {
  return Notification(
      "messages", R"({"messaging_product":"whatsapp","metadata":{"display_phone_number":)"
                  R"("4930123","phone_number_id":"901"},"contacts":[{"profile":{"name":"Anna"},)"
                  R"("wa_id":")" +
                      named + R"("}],"messages":[)" + messages + "]}");
}

std::string Text(const std::string& from, const std::string& id, int at, const std::string& body,
                 const std::string& extra = {}) {
  return R"({"from":")" + from + R"(","id":")" + id + R"(","timestamp":")" + std::to_string(at) +
         R"(","type":"text","text":{"body":")" + body + R"("})" + extra + "}";
}

std::string Status(const std::string& wamid, const std::string& status, int at,
                   const std::string& extra = {}) {
  return R"({"id":")" + wamid + R"(","status":")" + status + R"(","timestamp":")" +
         std::to_string(at) + R"(","recipient_id":"4915100000001")" + extra + "}";
}

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteSecret(dir_, "app.secret", kAppSecret);
    WriteSecret(dir_, "verify.token", kVerifyToken);
    daemon_ = std::make_unique<DaemonProcess>(
        dir_.path(),
        TestConfig(dir_) + "[webhooks]\napp_secret_file = \"" + (dir_ / "app.secret").string() +
            "\"\nverify_token_file = \"" + (dir_ / "verify.token").string() +
            "\"\n[webhooks.reply_tags]\ninterested = [\"Interested\", \"yes-please\"]\n");
    ASSERT_TRUE(daemon_->WaitReady()) << daemon_->Log();
  }
  void TearDown() override {
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->WaitExit(std::chrono::seconds(15)), 0) << daemon_->Log();
  }

  HttpResult Post(const std::string& body, const std::optional<std::string>& signature) {
    HttpHeaders headers;
    if (signature) headers.emplace_back("X-Hub-Signature-256", *signature);
    return HttpRequest(daemon_->port(), "POST", "/webhooks/whatsapp", {}, body,
                       std::chrono::seconds(10), headers);
  }
  HttpResult PostSigned(const std::string& body) {
    return Post(body, webhooks::SignBody(kAppSecret, body));
  }

  json::object Records(const std::string& query = {}) {
    const HttpResult result = HttpRequest(daemon_->port(), "GET", "/v1/webhooks" + query, kToken);
    EXPECT_EQ(result.status, 200) << result.body;
    boost::system::error_code ec;
    json::value value = json::parse(result.body, ec);
    return value.is_object() ? value.as_object() : json::object{};
  }

  // Waits until nothing stored is left to process.
  json::object Processed(std::int64_t expected) {
    json::object records;
    for (int i = 0; i < 200; ++i) {
      records = Records();
      if (records["pending"].as_int64() == 0 && records["processed"].as_int64() >= expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return records;
  }

  std::unique_ptr<storage::Connection> Database() {
    auto connection = storage::Connection::Open({dir_ / "herald.db"});
    EXPECT_TRUE(connection.ok());
    return std::move(*connection);
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(WebhooksTest, TheHandshakeAnswersTheChallengeOnlyForTheVerifyToken) {
  const auto handshake = [this](const std::string& mode, const std::string& token) {
    return HttpRequest(daemon_->port(), "GET",
                       "/webhooks/whatsapp?hub.mode=" + mode + "&hub.verify_token=" + token +
                           "&hub.challenge=1158201444");
  };
  const HttpResult ok = handshake("subscribe", kVerifyToken);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  EXPECT_EQ(handshake("subscribe", "stale-token").status, 403);
  EXPECT_EQ(handshake("unsubscribe", kVerifyToken).status, 403);
}

TEST_F(WebhooksTest, UnsignedOrWronglySignedRequestsAreRefusedAndCountedByReason) {
  const std::string body = Statuses(Status("wamid.X", "delivered", 1767225600));
  const std::string signature = webhooks::SignBody(kAppSecret, body);
  std::string changed = body;
  changed[40] = static_cast<char>(changed[40] ^ 1);

  const HttpResult missing = Post(body, std::nullopt);
  EXPECT_EQ(missing.status, 401);
  EXPECT_THAT(missing.body, HasSubstr("\"missing\""));
  EXPECT_EQ(Post(body, webhooks::SignBody("another-secret", body)).status, 401);
  EXPECT_EQ(Post(changed, signature).status, 401);
  EXPECT_EQ(Post(body.substr(0, body.size() - 1), signature).status, 401);
  const HttpResult malformed = Post(body, "sha1=abc");
  EXPECT_EQ(malformed.status, 401);
  EXPECT_THAT(malformed.body, HasSubstr("\"malformed\""));

  const HttpResult metrics = HttpRequest(daemon_->port(), "GET", "/metrics");
  EXPECT_THAT(metrics.body, HasSubstr("herald_webhook_refused_total{reason=\"missing\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("herald_webhook_refused_total{reason=\"mismatch\"} 3"));
  EXPECT_THAT(metrics.body, HasSubstr("herald_webhook_refused_total{reason=\"malformed\"} 1"));
  json::object records = Records();
  EXPECT_EQ(records["pending"].as_int64() + records["processed"].as_int64(), 0);
}

TEST_F(WebhooksTest, AReplayedRequestIsStoredOnce) {
  const std::string body = Statuses(Status("wamid.unknown", "delivered", 1767225600));
  const HttpResult first = PostSigned(body);
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_THAT(first.body, HasSubstr("\"stored\":true"));
  const HttpResult again = PostSigned(body);
  EXPECT_EQ(again.status, 200);
  EXPECT_THAT(again.body, HasSubstr("\"stored\":false"));
  json::object records = Processed(1);
  EXPECT_EQ(records["processed"].as_int64(), 1);
  EXPECT_EQ(records["requests"].as_array().size(), 1u);
}

TEST_F(WebhooksTest, StatusesApplyInAnyOrderAndSettleAnUncertainDelivery) {
  {
    auto db = Database();
    ASSERT_TRUE(db->Execute("INSERT INTO contacts (id, phone_e164, created_at, updated_at) VALUES "
                            "(1, '+4915100000001', 0, 0), (2, '+4915100000002', 0, 0), "
                            "(3, '+4915100000003', 0, 0);"
                            "INSERT INTO deliveries (id, contact_id, state, not_before, "
                            "provider_message_id, sent_at, created_at, updated_at) VALUES "
                            "(11, 1, 'sent', 0, 'wamid.A', 1000, 0, 0), "
                            "(12, 2, 'sent', 0, 'wamid.B', 1000, 0, 0);"
                            "INSERT INTO deliveries (id, contact_id, state, reason, not_before, "
                            "created_at, updated_at) VALUES "
                            "(13, 3, 'uncertain', 'uncertain:timeout', 0, 0, 0);")
                    .ok());
  }
  // Read before delivered; a failure with its error; the uncertain one reported by callback id.
  ASSERT_EQ(PostSigned(Statuses(Status("wamid.A", "read", 1767225700))).status, 200);
  ASSERT_EQ(PostSigned(Statuses(Status("wamid.A", "delivered", 1767225650))).status, 200);
  ASSERT_EQ(PostSigned(Statuses(Status("wamid.B", "failed", 1767225600,
                                       R"(,"errors":[{"code":131026,"title":"Undeliverable",)"
                                       R"("error_data":{"details":"Receiver is incapable"}}])")))
                .status,
            200);
  ASSERT_EQ(PostSigned(Statuses(Status("wamid.C", "delivered", 1767225600,
                                       R"(,"biz_opaque_callback_data":"13",)"
                                       R"("pricing":{"billable":true,"pricing_model":"PMP",)"
                                       R"("category":"marketing","type":"regular"})")))
                .status,
            200);
  Processed(4);
  auto db = Database();
  auto rows = db->Prepare(
      "SELECT id, state, coalesce(reason, ''), coalesce(provider_message_id, ''), "
      "coalesce(delivered_at, 0), coalesce(read_at, 0), coalesce(error_code, 0), "
      "coalesce(json_extract(pricing, '$.category'), '') FROM deliveries ORDER BY id");
  std::vector<std::string> seen;
  while (*rows->Step()) {
    seen.push_back(std::to_string(rows->ColumnInt(0)) + " " + rows->ColumnText(1) + " " +
                   rows->ColumnText(2) + " " + rows->ColumnText(3) + " " +
                   std::to_string(rows->ColumnInt(4) / 1000) + " " +
                   std::to_string(rows->ColumnInt(5) / 1000) + " " +
                   std::to_string(rows->ColumnInt(6)) + " " + rows->ColumnText(7));
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("11 read  wamid.A 1767225650 1767225700 0 ",
                                           "12 failed failed:131026 wamid.B 0 0 131026 ",
                                           "13 delivered  wamid.C 1767225600 0 0 marketing"));
}

TEST_F(WebhooksTest, UnknownEventKindsAreStoredAndListed) {
  ASSERT_EQ(
      PostSigned(Notification("business_capability_update", R"({"max_phone_numbers":2})")).status,
      200);
  json::object records = Processed(1);
  ASSERT_EQ(records["requests"].as_array().size(), 1u);
  const json::object& request = records["requests"].as_array()[0].as_object();
  EXPECT_EQ(request.at("summary").as_string(), "unknown:business_capability_update=1");
  EXPECT_EQ(request.at("source").as_string(), "platform");
  auto db = Database();
  auto payload = db->Prepare("SELECT payload FROM webhook_events");
  ASSERT_TRUE(*payload->Step());
  EXPECT_THAT(payload->ColumnText(0), HasSubstr("max_phone_numbers"));
}

TEST_F(WebhooksTest, InboundMessagesOpenWindowsOptOutOnStopInAnyLanguageAndCountReplies) {
  // Number 901 is a known sender; +4915100000001 got wamid.Q from it.
  ASSERT_EQ(HttpRequest(daemon_->port(), "POST", "/v1/senders", kToken,
                        R"({"phone_number_id":"901","display_phone_number":"+4930123"})")
                .status,
            201);
  {
    auto db = Database();
    ASSERT_TRUE(db->Execute("INSERT INTO contacts (id, phone_e164, language, created_at, "
                            "updated_at) VALUES (1, '+4915100000001', 'de', 0, 0);"
                            "INSERT INTO deliveries (id, campaign_id, contact_id, sender_id, "
                            "state, not_before, provider_message_id, sent_at, created_at, "
                            "updated_at) VALUES (21, NULL, 1, (SELECT id FROM senders), 'read', 0, "
                            "'wamid.Q', 1767225000000, 0, 0);")
                    .ok());
  }
  const int at = 1767225600;
  // A plain message from a known contact (replying to wamid.Q by quoting it), a button press that
  // a reply rule turns into a tag, an ad click from a new user, and STOP in four languages.
  ASSERT_EQ(PostSigned(Inbound(Text("4915100000001", "wamid.in1", at, "Danke!",
                                    R"(,"context":{"from":"4930123","id":"wamid.Q"})")))
                .status,
            200);
  ASSERT_EQ(PostSigned(Inbound(R"({"from":"4915100000001","id":"wamid.in2","timestamp":")" +
                               std::to_string(at + 1) +
                               R"(","type":"button","button":{"text":"Interested",)"
                               R"("payload":"p1"}})"))
                .status,
            200);
  ASSERT_EQ(PostSigned(Inbound(Text("4915100000002", "wamid.in3", at + 2, "Hallo",
                                    R"(,"referral":{"source_type":"ad","source_id":"9"})"),
                               "4915100000002"))
                .status,
            200);
  ASSERT_EQ(PostSigned(Inbound(Text("4915100000003", "wamid.in4", at, "STOP"))).status, 200);
  ASSERT_EQ(PostSigned(Inbound(Text("4915100000004", "wamid.in5", at, "bitte abmelden"))).status,
            200);
  ASSERT_EQ(PostSigned(Inbound(Text("4915100000005", "wamid.in6", at, "Arrêt"))).status, 200);
  ASSERT_EQ(PostSigned(Inbound(Text("4915100000006", "wamid.in7", at, "退订"))).status, 200);
  ASSERT_EQ(
      PostSigned(Inbound(Text("4915100000007", "wamid.in8", at, "don't stop sending"))).status,
      200);
  json::object records = Processed(8);
  EXPECT_EQ(records["failed"].as_int64(), 0) << json::serialize(records);
  EXPECT_EQ(records["pending"].as_int64(), 0) << daemon_->Log();

  auto db = Database();
  const auto text = [&db](const std::string& sql) -> std::string {
    auto query = db->Prepare(sql);
    const bool row = query.ok() && *query->Step();
    EXPECT_TRUE(row) << sql;
    return row ? query->ColumnText(0) : "<no row>";
  };
  // Windows: the known contact's with 901 at its latest message; the ad click's with an entry
  // point 72 hours long.
  EXPECT_EQ(text("SELECT (last_inbound_at / 1000) || ' ' || coalesce(entry_point_until, 0) FROM "
                 "service_windows WHERE contact_id = 1"),
            std::to_string(at + 1) + " 0");
  EXPECT_EQ(text("SELECT (w.entry_point_until - w.last_inbound_at) / 3600000 FROM "
                 "service_windows w JOIN contacts c ON c.id = w.contact_id WHERE c.phone_e164 = "
                 "'+4915100000002'"),
            "72");
  EXPECT_EQ(text("SELECT name FROM contacts WHERE phone_e164 = '+4915100000002'"), "Anna");
  EXPECT_EQ(text("SELECT last_inbound_at / 1000 FROM contacts WHERE id = 1"),
            std::to_string(at + 1));
  // The reply is counted on the delivery it quoted; the button press tagged the contact.
  EXPECT_EQ(text("SELECT replied_at / 1000 FROM deliveries WHERE id = 21"), std::to_string(at));
  EXPECT_EQ(text("SELECT group_concat(t.name) FROM contact_tags ct JOIN tags t ON t.id = "
                 "ct.tag_id WHERE ct.contact_id = 1"),
            "interested");
  // STOP in English, German (with a courtesy word), French and Chinese; not a sentence.
  EXPECT_EQ(text("SELECT group_concat(phone_e164 || '=' || opted_out_source, ' ') FROM (SELECT * "
                 "FROM contacts WHERE opted_out_at IS NOT NULL ORDER BY phone_e164)"),
            "+4915100000003=whatsapp:STOP (en) +4915100000004=whatsapp:ABMELDEN (de) "
            "+4915100000005=whatsapp:ARRÊT (fr) +4915100000006=whatsapp:退订 (zh)");
  EXPECT_EQ(text("SELECT count(*) FROM audit_log WHERE action = 'contact.opt_out' AND actor = "
                 "'webhook'"),
            "4");
  EXPECT_EQ(text("SELECT count(*) FROM audit_log WHERE action = 'contact.tag_from_reply'"), "1");

  // The same messages again (a replay with another body: a second entry) change nothing.
  ASSERT_EQ(PostSigned("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"W\","
                       "\"changes\":[{\"field\":\"messages\",\"value\":" +
                       std::string(R"({"metadata":{"phone_number_id":"901"},"messages":[)") +
                       Text("4915100000003", "wamid.in4", at, "STOP") + "]}}]}]}")
                .status,
            200);
  Processed(9);
  EXPECT_EQ(text("SELECT count(*) FROM audit_log WHERE action = 'contact.opt_out'"), "4");
}

TEST_F(WebhooksTest, APausedTemplatePausesTheCampaignsUsingItAndOnlyThose) {
  const auto call = [this](const std::string& method, const std::string& target,
                           const std::string& body = {}) {
    return HttpRequest(daemon_->port(), method, target, kToken, body);
  };
  const std::string components = R"("components":[{"type":"BODY","text":"Hallo {{1}}"}])";
  for (const char* target : {"/v1/templates/autumn_sale/de", "/v1/templates/autumn_sale/pt_BR",
                             "/v1/templates/winter/de"}) {
    const HttpResult put =
        call("PUT", target, R"({"category":"MARKETING","status":"APPROVED",)" + components + "}");
    ASSERT_LT(put.status, 300) << target << " " << put.body;
  }
  ASSERT_EQ(call("POST", "/v1/contacts/imports?format=csv",
                 "phone,name,country,tags\n+4915112345001,Anna,DE,vip\n")
                .status,
            202);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Four running campaigns: autumn_sale in de, in pt_BR, in each recipient's language; winter.
  const std::string later = LocalTimeFarAway();
  std::map<std::string, std::string> ids;
  for (const auto& [name, content] : std::vector<std::pair<std::string, std::string>>{
           {"autumn-de", R"({"name":"autumn_sale","language":"de","parameters":["x"]})"},
           {"autumn-pt", R"({"name":"autumn_sale","language":"pt_BR","parameters":["x"]})"},
           {"autumn-any", R"({"name":"autumn_sale","parameters":["x"]})"},
           {"winter-de", R"({"name":"winter","language":"de","parameters":["x"]})"}}) {
    const HttpResult created = call("POST", "/v1/campaigns",
                                    R"({"name":")" + name + R"(","segment":"tag:vip","template":)" +
                                        content + R"(,"local_time":")" + later + R"("})");
    ASSERT_EQ(created.status, 201) << created.body;
    boost::system::error_code ec;
    const std::string id = std::to_string(json::parse(created.body, ec).at("id").as_int64());
    ASSERT_EQ(call("POST", "/v1/campaigns/" + id + "/start").status, 200);
    ids[name] = id;
  }
  const auto stored = [this](const std::string& name, const std::string& language) {
    auto db = Database();
    auto query = db->Prepare("SELECT status || ' ' || category FROM templates WHERE name = '" +
                             name + "' AND language = '" + language + "'");
    return *query->Step() ? query->ColumnText(0) : std::string("<none>");
  };
  const auto state = [&](const std::string& name) {
    boost::system::error_code ec;
    const json::value campaign = json::parse(call("GET", "/v1/campaigns/" + ids[name]).body, ec);
    return std::string(campaign.at("state").as_string());
  };

  // The platform pauses the Brazilian Portuguese autumn_sale, writing its language "pt-BR".
  ASSERT_EQ(PostSigned(Notification("message_template_status_update",
                                    R"({"event":"PAUSED","message_template_id":77,)"
                                    R"("message_template_name":"autumn_sale",)"
                                    R"("message_template_language":"pt-BR",)"
                                    R"("reason":"LOW_QUALITY"})"))
                .status,
            200);
  Processed(1);
  EXPECT_EQ(state("autumn-de"), "running");
  EXPECT_EQ(state("autumn-pt"), "paused");
  EXPECT_EQ(state("autumn-any"), "paused");
  EXPECT_EQ(state("winter-de"), "running");
  EXPECT_EQ(stored("autumn_sale", "pt_BR"), "PAUSED MARKETING");
  EXPECT_EQ(stored("autumn_sale", "de"), "APPROVED MARKETING");
  auto db = Database();
  auto reason = db->Prepare(
      "SELECT actor || ': ' || reason FROM audit_log WHERE action = 'campaign.paused' AND "
      "object_id = '" +
      ids["autumn-pt"] + "'");
  ASSERT_TRUE(*reason->Step());
  EXPECT_EQ(reason->ColumnText(0), "webhook: template autumn_sale (pt-BR) is PAUSED: LOW_QUALITY");

  // Approved again: the template is, the campaigns stay paused until a person resumes them. A
  // category change reaches the template too.
  ASSERT_EQ(PostSigned(Notification("message_template_status_update",
                                    R"({"event":"APPROVED","message_template_name":"autumn_sale",)"
                                    R"("message_template_language":"pt_BR"})"))
                .status,
            200);
  ASSERT_EQ(PostSigned(Notification("template_category_update",
                                    R"({"message_template_name":"winter",)"
                                    R"("message_template_language":"de",)"
                                    R"("previous_category":"MARKETING","new_category":"UTILITY"})"))
                .status,
            200);
  Processed(3);
  EXPECT_EQ(stored("autumn_sale", "pt_BR"), "APPROVED MARKETING");
  EXPECT_EQ(state("autumn-pt"), "paused");
  EXPECT_EQ(stored("winter", "de"), "APPROVED UTILITY");
}

TEST_F(WebhooksTest, NumberQualityTierThroughputAndAccountRestrictionsReachTheSenders) {
  ASSERT_EQ(HttpRequest(daemon_->port(), "POST", "/v1/senders", kToken,
                        R"({"phone_number_id":"901","display_phone_number":"+49 30 123"})")
                .status,
            201);
  ASSERT_EQ(PostSigned(Notification("phone_number_quality_update",
                                    R"({"display_phone_number":"4930123","event":"FLAGGED",)"
                                    R"("current_limit":"TIER_10K"})"))
                .status,
            200);
  ASSERT_EQ(
      PostSigned(Notification("phone_number_quality_update", R"({"display_phone_number":"4930123",)"
                                                             R"("event":"THROUGHPUT_UPGRADE"})"))
          .status,
      200);
  ASSERT_EQ(PostSigned(Notification("account_update",
                                    R"({"event":"ACCOUNT_RESTRICTION","restriction_info":[)"
                                    R"({"restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING",)"
                                    R"("expiration":4102444800}]})"))
                .status,
            200);
  json::object records = Processed(3);
  EXPECT_EQ(records["failed"].as_int64(), 0) << json::serialize(records);
  const HttpResult sender = HttpRequest(daemon_->port(), "GET", "/v1/senders/901", kToken);
  EXPECT_THAT(sender.body, HasSubstr("\"quality\":\"RED\"")) << sender.body;
  EXPECT_THAT(sender.body, HasSubstr("\"throughput\":1000")) << sender.body;
  EXPECT_THAT(sender.body, HasSubstr("\"messaging_limit_tier\":\"TIER_10K\"")) << sender.body;
  const HttpResult portfolio =
      HttpRequest(daemon_->port(), "GET", "/v1/portfolios/default", kToken);
  EXPECT_THAT(portfolio.body, HasSubstr("\"restricted_until\":\"2100-01-01T00:00:00.000Z\""))
      << portfolio.body;
  EXPECT_THAT(portfolio.body, HasSubstr("RESTRICTED_BIZ_INITIATED_MESSAGING"));
}

TEST_F(WebhooksTest, ANumberChangeMovesTheContactUnlessTheNewNumberIsAnothersContact) {
  {
    auto db = Database();
    ASSERT_TRUE(db->Execute("INSERT INTO contacts (id, phone_e164, name, created_at, updated_at) "
                            "VALUES (1, '+4915100000001', 'Anna', 0, 0), "
                            "(2, '+4915100000002', 'Ben', 0, 0), "
                            "(3, '+4915100000003', 'Cleo', 0, 0);")
                    .ok());
  }
  const auto change = [](const std::string& from, const std::string& to, const std::string& id) {
    return Inbound(R"({"from":")" + from + R"(","id":")" + id +
                   R"(","timestamp":"1767225600","type":"system","system":{"body":"changed",)"
                   R"("wa_id":")" +
                   to + R"(","type":"user_changed_number"}})");
  };
  ASSERT_EQ(PostSigned(change("4915100000001", "4915100000009", "wamid.s1")).status, 200);
  ASSERT_EQ(PostSigned(change("4915100000002", "4915100000003", "wamid.s2")).status, 200);
  json::object records = Processed(2);
  EXPECT_EQ(records["failed"].as_int64(), 0) << json::serialize(records);
  auto db = Database();
  auto rows = db->Prepare(
      "SELECT group_concat(id || '=' || phone_e164, ' ') FROM (SELECT * FROM contacts ORDER BY "
      "id)");
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->ColumnText(0), "1=+4915100000009 2=+4915100000002 3=+4915100000003");
  auto windows = db->Prepare("SELECT count(*) FROM service_windows");
  ASSERT_TRUE(*windows->Step());
  EXPECT_EQ(windows->ColumnInt(0), 0);  // a system message is not the user writing
  auto audit = db->Prepare(
      "SELECT count(*) FROM audit_log WHERE action = 'contact.number_changed' AND object_id = '1'");
  ASSERT_TRUE(*audit->Step());
  EXPECT_EQ(audit->ColumnInt(0), 1);
}

}  // namespace
}  // namespace herald::testing
