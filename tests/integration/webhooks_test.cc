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
        dir_.path(), TestConfig(dir_) + "[webhooks]\napp_secret_file = \"" +
                         (dir_ / "app.secret").string() + "\"\nverify_token_file = \"" +
                         (dir_ / "verify.token").string() + "\"\n");
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

}  // namespace
}  // namespace herald::testing
