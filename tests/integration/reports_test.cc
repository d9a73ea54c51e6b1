// Actual cost and the reports through the real daemon (issue 18, items 6 and 7):
//   - a sandbox campaign where nothing unexpected happens: its actual cost (from the status
//     webhooks' pricing) equals its estimate; the funnel, the per-day series, the chart and the
//     monthly report agree with the deliveries as SQL counts them;
//   - a campaign sent to the fake Cloud API whose status webhooks the test plays, injecting a
//     failure, a window opened by the user, a free entry point, a category changed by the
//     platform, a price changed after the estimate, a pricing type nobody knows and a message not
//     delivered yet: every difference between estimate and actual is put down to its cause, and
//     the causes add up to the whole difference.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "campaign/pricing.h"
#include "storage/sqlite/connection.h"
#include "tests/integration/daemon_fixture.h"
#include "tests/support/fake_cloud_api.h"
#include "webhooks/signature.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kAppSecret = "webhook-app-secret-0123456789";

class ReportsTest : public RestartableDaemonTest {
 protected:
  std::int64_t Query(const std::string& sql) {
    auto connection = storage::Connection::Open({dir_ / "herald.db"});
    auto query = (*connection)->Prepare(sql);
    auto row = query->Step();
    return row.ok() && *row && !query->ColumnIsNull(0) ? query->ColumnInt(0) : -1;
  }
  // A sender (901, with `sender_extra` fields), the marketing template promo/de and a campaign
  // `name` to tag:vip; answers the campaign's id.
  std::string CreateCampaign(const std::string& name, const std::string& sender_extra = {}) {
    EXPECT_EQ(Call("POST", "/v1/senders",
                   R"({"phone_number_id":"901",)" + sender_extra +
                       R"("messaging_limit_tier":"TIER_UNLIMITED"})")
                  .status,
              201);
    EXPECT_EQ(Call("PUT", "/v1/templates/promo/de",
                   R"({"category":"MARKETING","status":"APPROVED","components":)"
                   R"([{"type":"BODY","text":"Hallo {{1}}"}]})")
                  .status,
              201);
    const HttpResult created =
        Call("POST", "/v1/campaigns",
             R"({"name":")" + name +
                 R"(","segment":"tag:vip",)"
                 R"("template":{"name":"promo","language":"de","parameters":["{{phone}}"]}})");
    EXPECT_EQ(created.status, 201) << created.body;
    return std::to_string(JsonOf(created).at("id").as_int64());
  }
  std::string StartCampaign() {
    const std::string id = CreateCampaign("autumn");
    EXPECT_EQ(Call("POST", "/v1/campaigns/" + id + "/start").status, 200);
    return id;
  }
  // Polls `target` until `done` holds (at most 30 s); answers the last body.
  template <typename Done>
  json::object Until(const std::string& target, Done done) {
    json::object body;
    for (int i = 0; i < 600; ++i) {
      body = JsonOf(Call("GET", target));
      if (done(body)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return body;
  }
  std::int64_t Rate(const std::string& country, const std::string& category) {
    const json::object quote =
        JsonOf(Call("GET", "/v1/prices/quote?country=" + country + "&category=" + category));
    return *campaign::ParseMicros(std::string(quote.at("rate").as_string()));
  }
};

class SandboxReportsTest : public ReportsTest {
 protected:
  std::string Config() override {
    return TestConfig(dir_) + kAnyHourQuietHours +
           "[provider.sandbox]\nlatency = \"5ms\"\nundeliverable_rate = 0.0\nread_rate = 1.0\n"
           "reply_rate = 0.5\nstop_rate = 0.5\nstatus_delay = \"20ms\"\npair_interval = \"0s\"\n"
           "[reports]\nvalue_per_reply = \"0.50\"\n";
  }
};

TEST_F(SandboxReportsTest, WhenNothingUnexpectedHappensTheActualCostIsTheEstimate) {
  std::string csv = "phone,country,tags,consent_marketing\n";
  for (int i = 0; i < 20; ++i) csv += "+4915120000" + std::to_string(100 + i) + ",DE,vip,yes\n";
  ImportCsv(csv);
  const std::string id = StartCampaign();

  const json::object funnel = Until("/v1/campaigns/" + id + "/report", [](const json::object& f) {
    return f.at("read").as_int64() == 20 && f.at("spend_unknown").as_int64() == 0;
  });
  ASSERT_EQ(funnel.at("read").as_int64(), 20) << json::serialize(funnel);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the replies follow the reads

  const json::object costs = JsonOf(Call("GET", "/v1/campaigns/" + id + "/costs"));
  const std::int64_t estimate = costs.at("estimate_micros").as_int64();
  const std::int64_t actual = costs.at("actual_micros").as_int64();
  EXPECT_EQ(estimate, 20 * Rate("DE", "marketing"));
  EXPECT_NEAR(static_cast<double>(actual), static_cast<double>(estimate), estimate * 0.01);
  EXPECT_EQ(costs.at("matched").as_int64(), 20) << json::serialize(costs);
  EXPECT_TRUE(costs.at("causes").as_array().empty()) << json::serialize(costs);
  EXPECT_EQ(costs.at("actual_unknown").as_int64(), 0);

  // The funnel against the deliveries as SQL counts them.
  const json::object report = JsonOf(Call("GET", "/v1/campaigns/" + id + "/report"));
  const std::string of_campaign = " FROM deliveries WHERE campaign_id = " + id;
  const std::int64_t replied = Query("SELECT count(replied_at)" + of_campaign);
  const std::int64_t opted_out = Query(
      "SELECT count(*) FROM deliveries d JOIN contacts c ON c.id = d.contact_id "
      "WHERE d.campaign_id = " +
      id + " AND c.opted_out_at >= d.sent_at");
  EXPECT_EQ(report.at("audience").as_int64(), 20);
  EXPECT_EQ(report.at("sent").as_int64(), 20);
  EXPECT_EQ(report.at("delivered").as_int64(), 20);
  EXPECT_EQ(report.at("replied").as_int64(), replied);
  EXPECT_GT(replied, 0);
  EXPECT_EQ(report.at("opted_out_after").as_int64(), opted_out);
  EXPECT_EQ(report.at("spend_micros").as_int64(), actual);
  EXPECT_EQ(report.at("cost_per_delivered").as_string(), campaign::FormatMicros(actual / 20));
  const json::array& days = report.at("days").as_array();
  ASSERT_EQ(days.size(), 1u) << json::serialize(report);
  EXPECT_EQ(days[0].at("sent").as_int64(), 20);
  EXPECT_EQ(days[0].at("spend_micros").as_int64(), actual);
  EXPECT_EQ(days[0].at("opted_out").as_int64(), opted_out);

  const HttpResult chart = Call("GET", std::string(report.at("chart").as_string()));
  EXPECT_EQ(chart.status, 200);
  EXPECT_EQ(chart.content_type, "image/svg+xml");
  EXPECT_THAT(chart.body, StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(chart.body, HasSubstr("sent: 20</title>"));

  const HttpResult series = Call("GET", "/v1/campaigns/" + id + "/report?format=csv");
  EXPECT_EQ(series.status, 200);
  EXPECT_THAT(series.body, StartsWith("day,sent,delivered,read,replied,failed,opted_out,spend"));
  EXPECT_THAT(series.body, HasSubstr(",20,20,20," + std::to_string(replied) + ",0,"));

  // This month: the campaign's messages, spend, and the value of its replies at 0.50 each.
  const std::string month = std::string(days[0].at("day").as_string()).substr(0, 7);
  const json::object monthly = JsonOf(Call("GET", "/v1/reports/monthly?month=" + month));
  const json::object& total = monthly.at("total").as_object();
  EXPECT_EQ(total.at("sent").as_int64(), 20);
  EXPECT_EQ(total.at("replied").as_int64(), replied);
  EXPECT_EQ(total.at("spend_micros").as_int64(), actual);
  EXPECT_EQ(total.at("net_value_micros").as_int64(), replied * 500000 - actual);
  ASSERT_EQ(monthly.at("campaigns").as_array().size(), 1u);
  EXPECT_EQ(monthly.at("campaigns").as_array()[0].at("name").as_string(), "autumn");
  EXPECT_EQ(Call("GET", "/v1/reports/monthly?month=2026-13").status, 400);
  EXPECT_EQ(Call("GET", "/v1/campaigns/999/costs").status, 404);
}

// The timeline of a campaign's forecast against the campaign sent on the sandbox: one number at 50
// messages a second, 600 recipients: (600 - 1) / 50 = 11.98 s predicted; the real run must finish
// within 5 % of that.
TEST_F(SandboxReportsTest, TheTimelineAgreesWithARealRunsFinish) {
  std::string csv = "phone,country,tags,consent_marketing\n";
  for (int i = 0; i < 600; ++i) csv += "+4915140000" + std::to_string(100 + i) + ",DE,vip,yes\n";
  ImportCsv(csv);
  const std::string id = CreateCampaign("timed", R"("throughput":50,)");
  const json::object forecast = JsonOf(Call("POST", "/v1/forecasts", R"({"campaign":)" + id + "}"));
  const json::object& timeline = forecast.at("timeline").as_object();
  ASSERT_TRUE(timeline.at("duration_seconds").is_number()) << json::serialize(forecast);
  const double predicted = timeline.at("duration_seconds").to_number<double>();
  EXPECT_NEAR(predicted, 11.98, 0.01);
  EXPECT_EQ(timeline.at("sent").as_int64(), 600);
  EXPECT_EQ(timeline.at("limited_by").as_string(), "rate");
  ASSERT_FALSE(timeline.at("days").as_array().empty());
  std::int64_t spend = 0;
  for (const json::value& day : timeline.at("days").as_array()) {
    spend += day.at("spend_micros").as_int64();
  }
  EXPECT_EQ(spend, forecast.at("total_micros").as_int64());

  // The monthly view holds the campaign's sends and spend within the month.
  const std::string month =
      std::string(timeline.at("days").as_array()[0].at("day").as_string()).substr(0, 7);
  const json::object monthly = JsonOf(Call("GET", "/v1/forecasts/monthly?month=" + month));
  ASSERT_EQ(monthly.at("campaigns").as_array().size(), 1u) << json::serialize(monthly);
  const json::object& line = monthly.at("campaigns").as_array()[0].as_object();
  EXPECT_EQ(line.at("name"), "timed");
  EXPECT_EQ(line.at("state"), "draft");
  std::int64_t sent_in_month = 0, spend_in_month = 0;  // all of it, unless it spans two months
  for (const json::value& day : timeline.at("days").as_array()) {
    if (!std::string(day.at("day").as_string()).starts_with(month)) continue;
    sent_in_month += day.at("sent").as_int64();
    spend_in_month += day.at("spend_micros").as_int64();
  }
  EXPECT_EQ(line.at("sent").as_int64(), sent_in_month);
  EXPECT_EQ(monthly.at("spend_micros").as_int64(), spend_in_month);
  EXPECT_EQ(Call("GET", "/v1/forecasts/monthly?month=12-2026").status, 400);

  ASSERT_EQ(Call("POST", "/v1/campaigns/" + id + "/start").status, 200);
  const json::object done = Until(
      "/v1/campaigns/" + id, [](const json::object& c) { return c.at("state") == "completed"; });
  ASSERT_EQ(done.at("state"), "completed") << json::serialize(done);
  // The last message's hand-over: the latest sent_at (the campaign completes a little later,
  // once its answer is recorded).
  const std::int64_t first = Query("SELECT min(sent_at) FROM deliveries WHERE campaign_id = " + id);
  const std::int64_t last = Query("SELECT max(sent_at) FROM deliveries WHERE campaign_id = " + id);
  const double actual = static_cast<double>(last - first) / 1000.0;
  EXPECT_NEAR(actual, predicted, predicted * 0.05)
      << "first " << first << " last " << last << " predicted " << predicted;
}

// The platform played by the test: the fake Cloud API accepts the sends; the statuses are posted
// as signed webhooks, each with the pricing the case calls for.
class ScriptedReportsTest : public ReportsTest {
 protected:
  void SetUp() override {
    FakeCloudApiOptions options;
    options.limits.throughput_per_second = 0;
    server_ = std::make_unique<FakeCloudApi>(options);
    std::ofstream(dir_ / "app.secret") << kAppSecret << "\n";
    std::filesystem::permissions(dir_ / "app.secret", std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write);
    ReportsTest::SetUp();
  }
  void TearDown() override {
    ReportsTest::TearDown();
    server_->Stop();
  }
  std::string Config() override {
    return TestConfig(dir_) + kAnyHourQuietHours +
           CloudApiProviderConfig(dir_, server_->base_url(), server_->token(), "2s") +
           "[webhooks]\napp_secret_file = \"" + (dir_ / "app.secret").string() + "\"\n";
  }
  // Posts `items` ("statuses":[…] or "messages":[…]) for number 901 as the platform would, signed.
  void PostSigned(const std::string& items) {
    const std::string body =
        R"({"object":"whatsapp_business_account","entry":[{"id":"WABA1","changes":[{"field":)"
        R"("messages","value":{"messaging_product":"whatsapp","metadata":{)"
        R"("display_phone_number":"4930123","phone_number_id":"901"},)" +
        items + "}}]}]}";
    HttpHeaders headers{{"X-Hub-Signature-256", webhooks::SignBody(kAppSecret, body)}};
    const HttpResult posted = HttpRequest(daemon_->port(), "POST", "/webhooks/whatsapp", {}, body,
                                          std::chrono::seconds(10), headers);
    ASSERT_EQ(posted.status, 200) << posted.body;
  }
  static std::string NowSeconds() {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
  }
  void PostStatus(const std::string& wamid, const std::string& to, const std::string& status,
                  const std::string& extra) {
    PostSigned(R"("statuses":[{"id":")" + wamid + R"(","status":")" + status +
               R"(","timestamp":")" + NowSeconds() + R"(","recipient_id":")" + to + "\"" + extra +
               "}]");
  }
  // A text from `from` (digits) to number 901.
  void PostReply(const std::string& from, const std::string& text) {
    PostSigned(R"("messages":[{"from":")" + from + R"(","id":"wamid.in.)" + from +
               R"(","timestamp":")" + NowSeconds() + R"(","type":"text","text":{"body":")" + text +
               R"("}}])");
  }
  static std::string Pricing(bool billable, const std::string& category, const std::string& type) {
    return std::string(R"(,"pricing":{"billable":)") + (billable ? "true" : "false") +
           R"(,"pricing_model":"PMP","category":")" + category + R"(","type":")" + type + "\"}";
  }

  std::unique_ptr<FakeCloudApi> server_;
};

TEST_F(ScriptedReportsTest, EveryDifferenceBetweenEstimateAndActualHasItsCause) {
  // One recipient per case; the last is in France, whose rate changes after the estimate.
  const std::vector<std::string> cases = {"matched",  "not_delivered", "window_opened",
                                          "category", "entry_point",   "unknown_type",
                                          "pending",  "price_change"};
  std::string csv = "phone,country,tags,consent_marketing\n";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    csv += (i + 1 < cases.size() ? "+49151300000" : "+336123000") + std::to_string(10 + i) + "," +
           (i + 1 < cases.size() ? "DE" : "FR") + ",vip,yes\n";
  }
  ImportCsv(csv);
  const std::int64_t de_marketing = Rate("DE", "marketing");
  const std::int64_t de_utility = Rate("DE", "utility");
  const std::int64_t fr_old = Rate("FR", "marketing");
  const std::string id = StartCampaign();
  Until("/v1/campaigns/" + id, [](const json::object& c) { return c.at("state") == "completed"; });
  ASSERT_EQ(Query("SELECT count(provider_message_id) FROM deliveries WHERE campaign_id = " + id),
            8);

  // France's marketing rate changes today, after the audience was estimated.
  const std::string today = campaign::FormatDay(campaign::DayOf(
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())));
  const HttpResult imported = Call(
      "POST", "/v1/prices/import?mode=merge&source=fr.csv",
      "market,category,rate_usd,effective_from,source\nFR,marketing,0.2000," + today + ",test\n");
  ASSERT_EQ(imported.status, 200) << imported.body;

  // The statuses, in the order of `cases` (contacts were imported in that order).
  auto connection = storage::Connection::Open({dir_ / "herald.db"});
  auto rows = (*connection)
                  ->Prepare(
                      "SELECT d.provider_message_id, substr(c.phone_e164, 2) FROM deliveries d "
                      "JOIN contacts c ON c.id = d.contact_id WHERE d.campaign_id = " +
                      id + " ORDER BY c.phone_e164 LIKE '+33%', c.phone_e164");
  std::vector<std::pair<std::string, std::string>> sent;
  while (*rows->Step()) sent.emplace_back(rows->ColumnText(0), rows->ColumnText(1));
  ASSERT_EQ(sent.size(), cases.size());
  const std::string regular = Pricing(true, "marketing", "regular");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& [wamid, to] = sent[i];
    PostStatus(wamid, to, "sent", regular);
    const std::string& which = cases[i];
    if (which == "pending") continue;
    if (which == "not_delivered") {
      PostStatus(wamid, to, "failed",
                 R"(,"errors":[{"code":131026,"title":"Message undeliverable"}])");
    } else if (which == "window_opened") {
      // The user wrote (a reply opens the service window), and the platform did not bill it.
      PostReply(to, "Ja, gerne");
      PostStatus(wamid, to, "delivered", Pricing(false, "service", "free_customer_service"));
    } else if (which == "category") {
      PostStatus(wamid, to, "delivered", Pricing(true, "utility", "regular"));
    } else if (which == "entry_point") {
      PostStatus(wamid, to, "delivered", Pricing(false, "marketing", "free_entry_point"));
    } else if (which == "unknown_type") {
      PostStatus(wamid, to, "delivered", Pricing(false, "marketing", "free_promotion_2027"));
    } else {
      PostStatus(wamid, to, "delivered", regular);
    }
  }
  const std::int64_t new_fr = 200000;
  const json::object costs = Until("/v1/campaigns/" + id + "/costs", [](const json::object& c) {
    return c.at("causes").as_array().size() == 7;
  });

  std::map<std::string, json::object> causes;
  std::int64_t sum = 0;
  for (const json::value& cause : costs.at("causes").as_array()) {
    causes[std::string(cause.at("cause").as_string())] = cause.as_object();
    sum += cause.at("difference_micros").as_int64();
  }
  ASSERT_EQ(causes.size(), 7u) << json::serialize(costs);
  const auto difference = [&causes](const std::string& cause) {
    EXPECT_EQ(causes[cause].at("count").as_int64(), 1) << cause;
    return causes[cause].at("difference_micros").as_int64();
  };
  EXPECT_EQ(difference("not_delivered"), -de_marketing);
  EXPECT_EQ(difference("window_opened"), -de_marketing);
  EXPECT_EQ(difference("category_changed"), de_utility - de_marketing);
  EXPECT_EQ(difference("free_entry_point"), -de_marketing);
  EXPECT_EQ(difference("unknown"), -de_marketing);
  EXPECT_EQ(difference("pending"), -de_marketing);
  EXPECT_EQ(difference("price_change"), new_fr - fr_old);
  EXPECT_EQ(costs.at("matched").as_int64(), 1);
  EXPECT_EQ(costs.at("estimate_micros").as_int64(), 7 * de_marketing + fr_old);
  EXPECT_EQ(costs.at("actual_micros").as_int64(), de_marketing + de_utility + new_fr);
  EXPECT_EQ(sum, costs.at("difference_micros").as_int64());

  // The funnel counts the failure by its error code; the CSV has one row per cause.
  const json::object funnel = JsonOf(Call("GET", "/v1/campaigns/" + id + "/report"));
  EXPECT_EQ(funnel.at("failed").as_int64(), 1);
  EXPECT_EQ(funnel.at("delivered").as_int64(), 6);
  EXPECT_EQ(funnel.at("replied").as_int64(), 1);
  ASSERT_EQ(funnel.at("failed_by_error").as_array().size(), 1u);
  EXPECT_EQ(funnel.at("failed_by_error").as_array()[0].at("error"), "131026");
  const HttpResult table = Call("GET", "/v1/campaigns/" + id + "/costs?format=csv");
  EXPECT_THAT(table.body, HasSubstr("\nprice_change,1,"));
  EXPECT_THAT(table.body, HasSubstr("\nmatched,1,"));
}

}  // namespace
}  // namespace herald::testing
