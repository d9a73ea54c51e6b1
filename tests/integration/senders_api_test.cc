// Portfolios and senders through the real daemon on a real SQLite file (issue 16, item 1): create
// with the issue's field names, defaults, validation naming the field, a patch that pauses and
// resumes with audit entries, tiers kept as given, a portfolio restriction, and a restart that
// keeps everything.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "storage/sqlite/connection.h"
#include "tests/integration/daemon_fixture.h"
#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

json::object Json(const HttpResult& result) {
  boost::system::error_code ec;
  json::value value = json::parse(result.body, ec);
  EXPECT_FALSE(ec) << result.status << " " << result.body << result.error;
  return value.is_object() ? value.as_object() : json::object{};
}

std::string Str(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "<none>";
}

class SendersApiTest : public RestartableDaemonTest {
 protected:
  std::string Audit() {
    auto connection = storage::Connection::Open({dir_ / "herald.db"});
    auto query = (*connection)
                     ->Prepare(
                         "SELECT group_concat(action || ':' || object_id || ':' || "
                         "coalesce(reason, ''), ' ') "
                         "FROM audit_log WHERE object_type IN ('sender', 'portfolio')");
    EXPECT_TRUE(*query->Step());
    return query->ColumnText(0);
  }
};

TEST_F(SendersApiTest, CreatesWithDefaultsAndShowsTheSenderWithItsPortfolio) {
  HttpResult created =
      Call("POST", "/v1/senders",
           R"({"phone_number_id":"106540352242922","display_phone_number":"+49 30 1234567"})");
  ASSERT_EQ(created.status, 201) << created.body;
  json::object sender = Json(created);
  EXPECT_EQ(Str(sender, "phone_number_id"), "106540352242922");
  EXPECT_EQ(Str(sender, "portfolio"), "default");
  EXPECT_EQ(Str(sender, "messaging_limit_tier"), "TIER_250");
  EXPECT_EQ(sender.at("throughput").as_int64(), 80);
  EXPECT_EQ(Str(sender, "quality"), "UNKNOWN");
  EXPECT_EQ(Str(sender, "state"), "active");

  HttpResult shown = Call("GET", "/v1/senders/106540352242922");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(Str(Json(shown), "display_phone_number"), "+49 30 1234567");
  HttpResult listed = Call("GET", "/v1/senders");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(Json(listed).at("senders").as_array().size(), 1u);

  HttpResult again = Call("POST", "/v1/senders", R"({"phone_number_id":"106540352242922"})");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(Call("GET", "/v1/senders/999").status, 404);
}

TEST_F(SendersApiTest, PortfolioTierThroughputAndQualityAreTakenAndChecked) {
  HttpResult created =
      Call("POST", "/v1/senders",
           R"({"phone_number_id":"2001","portfolio":"acme","messaging_limit_tier":"tier_10k",)"
           R"("throughput":1000,"quality":"high","warmup":true})");
  ASSERT_EQ(created.status, 201) << created.body;
  json::object sender = Json(created);
  EXPECT_EQ(Str(sender, "portfolio"), "acme");
  EXPECT_EQ(Str(sender, "messaging_limit_tier"), "TIER_10K");
  EXPECT_EQ(sender.at("throughput").as_int64(), 1000);
  EXPECT_EQ(Str(sender, "quality"), "GREEN");
  EXPECT_NE(Str(sender, "warmup_started_at"), "<none>");
  EXPECT_EQ(sender.at("portfolio_detail").at("unique_users_per_24h").as_int64(), 10000);

  // A second number of the same portfolio shares its tier; an unknown tier is kept as given.
  ASSERT_EQ(Call("POST", "/v1/senders", R"({"phone_number_id":"2002","portfolio":"acme"})").status,
            201);
  HttpResult renamed =
      Call("PATCH", "/v1/portfolios/acme", R"({"messaging_limit_tier":"TIER_STARTER"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Str(Json(renamed), "messaging_limit_tier"), "TIER_STARTER");
  EXPECT_FALSE(Json(renamed).at("tier_known").as_bool());
  EXPECT_EQ(Str(Json(Call("GET", "/v1/senders/2002")), "messaging_limit_tier"), "TIER_STARTER");

  struct Bad {
    std::string body;
    std::string field;
  };
  for (const Bad& bad :
       {Bad{R"({"phone_number_id":"3","throughput":0})", "throughput"},
        Bad{R"({"phone_number_id":"3","throughput":"fast"})", "throughput"},
        Bad{R"({"phone_number_id":"3","quality":"PURPLE"})", "quality"},
        Bad{R"({"phone_number_id":"3","state":"asleep"})", "state"},
        Bad{R"({"phone_number_id":"3","messaging_limit_tier":"2K"})", "messaging_limit_tier"},
        Bad{R"({"phone_number_id":"a b"})", "phone_number_id"},
        Bad{R"({"display_phone_number":"+1"})", "phone_number_id"},
        Bad{R"({"phone_number_id":"3","tier":"TIER_2K",)"
            R"("messaging_limit_tier":"TIER_2K"})",
            "tier"},
        Bad{R"({"phone_number_id":"3","colour":"red"})", "colour"}}) {
    HttpResult refused = Call("POST", "/v1/senders", bad.body);
    EXPECT_EQ(refused.status, 400) << bad.body << " " << refused.body;
    EXPECT_EQ(Str(Json(refused).at("error").as_object(), "field"), bad.field) << bad.body;
  }
  EXPECT_EQ(Json(Call("GET", "/v1/senders")).at("senders").as_array().size(), 2u);
}

TEST_F(SendersApiTest, PauseAndResumeAreAuditedWithActorAndReason) {
  ASSERT_EQ(Call("POST", "/v1/senders", R"({"phone_number_id":"4001"})").status, 201);
  HttpResult paused =
      Call("PATCH", "/v1/senders/4001", R"({"state":"paused","reason":"quality review"})");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(Str(Json(paused), "state"), "paused");
  EXPECT_EQ(Str(Json(paused), "state_reason"), "quality review");
  HttpResult resumed = Call("PATCH", "/v1/senders/4001", R"({"state":"active"})");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_EQ(Str(Json(resumed), "state_reason"), "");
  HttpResult moved = Call("PATCH", "/v1/senders/4001", R"({"phone_number_id":"4002"})");
  EXPECT_EQ(moved.status, 400) << moved.body;
  EXPECT_EQ(Call("PATCH", "/v1/senders/9", R"({"state":"active"})").status, 404);
  EXPECT_EQ(Audit(),
            "portfolio.save:default: sender.create:4001: sender.pause:4001:quality review "
            "sender.resume:4001:");
}

TEST_F(SendersApiTest, ARestrictionAndEverythingElseSurviveARestart) {
  ASSERT_EQ(Call("POST", "/v1/senders",
                 R"({"phone_number_id":"5001","portfolio":"acme","throughput":20})")
                .status,
            201);
  HttpResult restricted = Call("PATCH", "/v1/portfolios/acme",
                               R"({"restricted_until":"2099-01-01T00:00:00Z",)"
                               R"("restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING"})");
  ASSERT_EQ(restricted.status, 200) << restricted.body;
  HttpResult bad_time = Call("PATCH", "/v1/portfolios/acme", R"({"restricted_until":"soon"})");
  EXPECT_EQ(bad_time.status, 400);
  EXPECT_THAT(bad_time.body, HasSubstr("restricted_until"));

  Stop();
  Start();
  json::object sender = Json(Call("GET", "/v1/senders/5001"));
  EXPECT_EQ(sender.at("throughput").as_int64(), 20);
  EXPECT_EQ(Str(sender.at("portfolio_detail").as_object(), "restricted_until"),
            "2099-01-01T00:00:00.000Z");
  json::object portfolios = Json(Call("GET", "/v1/portfolios"));
  EXPECT_EQ(portfolios.at("portfolios").as_array().size(), 1u);
  EXPECT_EQ(Call("GET", "/v1/portfolios/nope").status, 404);
}

}  // namespace
}  // namespace herald::testing
