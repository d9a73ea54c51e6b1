// Reading the platform's answers into a SendResult, and the outcome without an answer.
#include "provider/detail/cloud_api_answer.h"

#include <gtest/gtest.h>

namespace herald::provider::detail {
namespace {

using namespace std::chrono_literals;

// 2026-11-06T08:49:37Z
const SysTime kNow{std::chrono::sys_days{std::chrono::year{2026} / 11 / 6} + 8h + 49min + 37s};

SendResult Read(int status, std::string_view body, std::string_view retry_after = "") {
  return ReadCloudApiAnswer({status, body, retry_after}, kNow);
}

TEST(ReadCloudApiAnswer, AMessageIdIsAccepted) {
  const SendResult result = Read(200, R"({"messaging_product":"whatsapp",
      "contacts":[{"input":"+49 151 1234","wa_id":"491511234"}],
      "messages":[{"id":"wamid.HBgLNDkxNTExMjM0FQIAERgS","message_status":"accepted"}]})");
  EXPECT_EQ(result.outcome, Outcome::kAccepted);
  EXPECT_EQ(result.message_id, "wamid.HBgLNDkxNTExMjM0FQIAERgS");
  EXPECT_EQ(result.message_status, "accepted");
  EXPECT_EQ(result.http_status, 200);
  EXPECT_FALSE(result.error.has_value());
}

TEST(ReadCloudApiAnswer, HeldForQualityAssessmentIsAcceptedWithItsStatus) {
  const SendResult result = Read(
      200, R"({"messages":[{"id":"wamid.X","message_status":"held_for_quality_assessment"}]})");
  EXPECT_EQ(result.outcome, Outcome::kAccepted);
  EXPECT_EQ(result.message_status, "held_for_quality_assessment");
}

TEST(ReadCloudApiAnswer, AMessageIdWithoutStatusIsAccepted) {
  const SendResult result = Read(200, R"({"messages":[{"id":"wamid.Y"}]})");
  EXPECT_EQ(result.outcome, Outcome::kAccepted);
  EXPECT_EQ(result.message_status, "");
}

TEST(ReadCloudApiAnswer, AnUnreadableSuccessIsUncertain) {
  for (std::string_view body :
       {"", "<html>", "{}", R"({"messages":[]})", R"({"messages":[{"id":""}]})",
        R"({"messages":[{"id":7}]})", R"({"messages":[{"id":"wamid.Z"}])"}) {
    SCOPED_TRACE(body);
    const SendResult result = Read(200, body);
    EXPECT_EQ(result.outcome, Outcome::kUncertain);
    EXPECT_EQ(result.http_status, 200);
    EXPECT_FALSE(result.detail.empty());
  }
}

TEST(ReadCloudApiAnswer, AnErrorObjectIsRejectedWithEveryField) {
  const SendResult result = Read(400, R"({"error":{
      "message":"(#131056) (Business Account, Consumer Account) pair rate limit hit",
      "type":"OAuthException","code":131056,"error_subcode":2494055,
      "error_data":{"messaging_product":"whatsapp","details":"Too many messages to this user"},
      "fbtrace_id":"AbCdEf"}})");
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_EQ(result.http_status, 400);
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->code, 131056);
  EXPECT_EQ(result.error->subcode, 2494055);
  EXPECT_EQ(result.error->type, "OAuthException");
  EXPECT_EQ(result.error->details, "Too many messages to this user");
  EXPECT_EQ(result.error->fbtrace_id, "AbCdEf");
  EXPECT_EQ(result.error->message,
            "(#131056) (Business Account, Consumer Account) pair rate limit hit");
  EXPECT_NE(result.detail.find("131056"), std::string::npos);
}

TEST(ReadCloudApiAnswer, EachPlatformCodeIsKept) {
  for (std::int64_t code : {4, 368, 80007, 130429, 131000, 131026, 131047, 131048, 131049, 131050,
                            131051, 131056, 132000, 132001, 132015, 132016, 133010}) {
    const std::string body = R"({"error":{"code":)" + std::to_string(code) + "}}";
    const SendResult result = Read(400, body);
    EXPECT_EQ(result.outcome, Outcome::kRejected);
    ASSERT_TRUE(result.error.has_value()) << code;
    EXPECT_EQ(result.error->code, code);
    EXPECT_FALSE(result.error->subcode.has_value());
  }
}

TEST(ReadCloudApiAnswer, AServerErrorWithoutABodyIsRejectedWithItsStatus) {
  for (int status : {500, 502, 503, 504}) {
    for (std::string_view body : {"", "<html>Bad gateway</html>", R"({"error":"text"})"}) {
      const SendResult result = Read(status, body);
      EXPECT_EQ(result.outcome, Outcome::kRejected);
      EXPECT_EQ(result.http_status, status);
      EXPECT_FALSE(result.error.has_value());
    }
  }
}

TEST(ReadCloudApiAnswer, UnauthorizedIsRejected) {
  const SendResult result = Read(
      401,
      R"({"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}})");
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_EQ(result.http_status, 401);
  EXPECT_EQ(result.error->code, 190);
}

TEST(ReadCloudApiAnswer, RetryAfterIsReadInSecondsOrAsADate) {
  EXPECT_EQ(Read(429, "", "30").retry_after, std::chrono::milliseconds(30s));
  EXPECT_EQ(Read(429, "", " 0 ").retry_after, std::chrono::milliseconds(0));
  EXPECT_EQ(Read(503, "", "Fri, 06 Nov 2026 08:50:37 GMT").retry_after,
            std::chrono::milliseconds(60s));
  EXPECT_EQ(Read(503, "", "Fri, 06 Nov 2026 08:00:00 GMT").retry_after,
            std::chrono::milliseconds(0))
      << "a date in the past: retry now";
  EXPECT_FALSE(Read(503, "", "").retry_after.has_value());
  EXPECT_FALSE(Read(503, "", "soon").retry_after.has_value());
  EXPECT_FALSE(Read(503, "", "-5").retry_after.has_value());
  EXPECT_FALSE(Read(503, "", "99999999999999999999").retry_after.has_value());
}

TEST(TransportOutcome, OnlyARequestNeverStartedIsNotSent) {
  EXPECT_EQ(TransportOutcome(false), Outcome::kNotSent);
  EXPECT_EQ(TransportOutcome(true), Outcome::kUncertain);
}

}  // namespace
}  // namespace herald::provider::detail
