#include "http/router.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace herald::http {
namespace {

Response Call(const Router& router, Request request) {
  Response result;
  bool answered = false;
  router.Dispatch(std::move(request), [&](Response response) {
    result = std::move(response);
    answered = true;
  });
  EXPECT_TRUE(answered);
  return result;
}

Request Make(std::string method, std::string path, std::string authorization = {}) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.authorization = std::move(authorization);
  return request;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.SetAdminToken("s3cret-token-of-enough-length");
    router_.Add("GET", "/healthz", Access::kPublic,
                [](const Request&, Responder respond) { respond(JsonResponse(200, "{}")); });
    router_.Add("GET", "/v1/campaigns/{id}", Access::kAdmin,
                [](const Request& request, Responder respond) {
                  respond(JsonResponse(200, request.params.at("id")));
                });
  }
  Router router_;
};

TEST_F(RouterTest, PublicRouteNeedsNoToken) {
  EXPECT_EQ(Call(router_, Make("GET", "/healthz")).status, 200);
}

TEST_F(RouterTest, AdminRouteRejectsMissingWrongAndMalformedTokens) {
  for (const char* header :
       {"", "Bearer", "Bearer ", "Bearer wrong", "Basic s3cret-token-of-enough-length",
        "Bearer s3cret-token-of-enough-length-and-more", "Bearer s3cret-token-of-enough-lengt"}) {
    Response response = Call(router_, Make("GET", "/v1/campaigns/7", header));
    EXPECT_EQ(response.status, 401) << header;
    ASSERT_FALSE(response.headers.empty());
    EXPECT_EQ(response.headers[0].first, "WWW-Authenticate");
  }
}

TEST_F(RouterTest, AdminRouteAcceptsTheTokenWithAnyCaseOfTheScheme) {
  for (const char* header :
       {"Bearer s3cret-token-of-enough-length", "bearer s3cret-token-of-enough-length"}) {
    Response response = Call(router_, Make("GET", "/v1/campaigns/42", header));
    EXPECT_EQ(response.status, 200) << header;
    EXPECT_EQ(response.body, "42") << "path parameters reach the handler";
  }
}

TEST_F(RouterTest, ErrorsAreJsonWithCodeMessageAndField) {
  Response missing = Call(router_, Make("GET", "/nope"));
  EXPECT_EQ(missing.status, 404);
  auto body = boost::json::parse(missing.body).as_object();
  auto& error = body.at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), "not_found");
  EXPECT_FALSE(error.at("message").as_string().empty());
  EXPECT_TRUE(error.contains("field"));
  EXPECT_EQ(missing.content_type, "application/json");
}

// Found by tests/fuzz/http_fuzz: a path segment with bytes that are not UTF-8, echoed in the
// message, made the error body JSON that no client can parse.
TEST_F(RouterTest, ErrorsEchoingBytesThatAreNotUtf8AreStillJson) {
  Response missing = Call(router_, Make("GET", "/nope/\xFF\xC3(\xE2\x82"));
  EXPECT_EQ(missing.status, 404);
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(missing.body, ec);
  ASSERT_FALSE(ec) << missing.body;
  EXPECT_EQ(body.at("error").at("message").as_string(),
            "no such resource: /nope/\uFFFD\uFFFD(\uFFFD\uFFFD");
  Response field = JsonError(400, "invalid_argument", "unknown parameter", "k\xC0\x80");
  body = boost::json::parse(field.body, ec);
  ASSERT_FALSE(ec) << field.body;
  EXPECT_EQ(body.at("error").at("field").as_string(), "k\uFFFD\uFFFD");
}

// Found by tests/fuzz/http_fuzz: an X-Herald-Actor that is not UTF-8 went into the audit log and
// into answers as it was (JSON that no client can parse).
TEST_F(RouterTest, ActorThatIsNotUtf8Is400) {
  Request request = Make("GET", "/v1/campaigns/7", "Bearer s3cret-token-of-enough-length");
  request.actor = "maria\xF7@example.com";
  Response refused = Call(router_, request);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(boost::json::parse(refused.body).at("error").at("field").as_string(), "X-Herald-Actor");
  request.actor = "Zoë Müller";
  EXPECT_EQ(Call(router_, request).status, 200);
}

TEST_F(RouterTest, KnownPathWithOtherMethodIs405) {
  EXPECT_EQ(Call(router_, Make("DELETE", "/healthz")).status, 405);
}

TEST_F(RouterTest, UnknownV1PathIs401WithoutTokenAnd404WithIt) {
  EXPECT_EQ(Call(router_, Make("GET", "/v1/secret-probe")).status, 401);
  EXPECT_EQ(
      Call(router_, Make("GET", "/v1/secret-probe", "Bearer s3cret-token-of-enough-length")).status,
      404);
}

TEST_F(RouterTest, NoTokenConfiguredMeansNoAdminAccess) {
  Router locked;
  locked.Add("GET", "/v1/x", Access::kAdmin,
             [](const Request&, Responder respond) { respond(JsonResponse(200, "{}")); });
  EXPECT_EQ(Call(locked, Make("GET", "/v1/x", "Bearer ")).status, 401);
}

TEST_F(RouterTest, LookupNamesTheRoutePatternNeverTheRawPath) {
  router_.Add(
      "POST", "/v1/campaigns/{id}", Access::kAdmin,
      [](const Request&, Responder respond) { respond(JsonResponse(200, "{}")); }, BodySize::kBulk);
  Router::RouteInfo get = router_.Lookup("GET", "/v1/campaigns/42");
  EXPECT_EQ(get.pattern, "/v1/campaigns/{id}");
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.body_size, BodySize::kNormal);
  EXPECT_EQ(router_.Lookup("POST", "/v1/campaigns/42").body_size, BodySize::kBulk);
  Router::RouteInfo other = router_.Lookup("BREW", "/v1/campaigns/42");
  EXPECT_EQ(other.pattern, "/v1/campaigns/{id}");
  EXPECT_EQ(other.method, "other");
  EXPECT_EQ(other.body_size, BodySize::kNormal);
  Router::RouteInfo unknown = router_.Lookup("GET", "/v1/probe/../../etc/passwd");
  EXPECT_EQ(unknown.pattern, "unmatched");
  EXPECT_EQ(unknown.method, "other");
}

TEST(CheckActor, AcceptsNamesUpTo200BytesWithoutControlCharacters) {
  for (const std::string& actor : {std::string(), std::string("alice"), std::string("Jürgen Groß"),
                                   std::string("ops bot (ticket #42)"), std::string(200, 'a'),
                                   std::string("evil\" state=completed rows=999 x=\"")}) {
    EXPECT_TRUE(CheckActor(actor).ok()) << actor;
  }
}

TEST(CheckActor, RefusesLongNamesAndControlCharactersNamingTheHeaderAndTheRule) {
  const std::pair<std::string, std::string> cases[] = {
      {std::string(201, 'a'), "(it has 201 bytes)"},
      {"ali\tce", "(byte 4 is a control character)"},
      {"alice\n", "(byte 6 is a control character)"},
      {"alice\r\nX-Evil: 1", "(byte 6 is a control character)"},
      {std::string("a\0b", 3), "(byte 2 is a control character)"},
      {"\x1b[2J", "(byte 1 is a control character)"},
      {"del\x7f", "(byte 4 is a control character)"},
      {"J\xfcrgen", "(byte 2 is not valid UTF-8)"},
      {"ab\xc3", "(byte 3 is not valid UTF-8)"},
  };
  for (const auto& [actor, detail] : cases) {
    Status checked = CheckActor(actor);
    ASSERT_FALSE(checked.ok()) << actor;
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(checked.error().field, "X-Herald-Actor");
    EXPECT_EQ(
        checked.error().message,
        "X-Herald-Actor must be at most 200 bytes of UTF-8 without control characters " + detail);
  }
}

TEST_F(RouterTest, AdminRouteAnswers400ForAnActorItCannotRecordBeforeTheHandlerRuns) {
  bool handled = false;
  router_.Add("POST", "/v1/things", Access::kAdmin, [&](const Request&, Responder respond) {
    handled = true;
    respond(JsonResponse(200, "{}"));
  });
  Request request = Make("POST", "/v1/things", "Bearer s3cret-token-of-enough-length");
  request.actor = "bob\tthe builder";
  Response response = Call(router_, request);
  EXPECT_EQ(response.status, 400);
  EXPECT_FALSE(handled);
  auto error = boost::json::parse(response.body).as_object().at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), "invalid_argument");
  EXPECT_EQ(error.at("field").as_string(), "X-Herald-Actor");

  request.actor = std::string(201, 'b');
  EXPECT_EQ(Call(router_, request).status, 400);
  request.actor = "bob the builder";
  EXPECT_EQ(Call(router_, request).status, 200);
  EXPECT_TRUE(handled);
}

TEST_F(RouterTest, AnUnauthenticatedRequestWithABadActorIs401NotA400) {
  Request request = Make("GET", "/v1/campaigns/1");
  request.actor = "bad\x01 actor";
  EXPECT_EQ(Call(router_, request).status, 401);
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(RequestHeader, MatchesTheNameInAnyCaseAndReturnsTheFirstOfDuplicates) {
  Request request;
  request.headers = {{"Content-Type", "text/csv"},
                     {"X-Herald-Actor", "olga"},
                     {"x-herald-actor", "mallory"},
                     {"X-Empty", ""}};
  for (const char* name : {"X-Herald-Actor", "x-herald-actor", "X-HERALD-ACTOR"}) {
    EXPECT_EQ(request.Header(name), "olga") << name;
  }
  EXPECT_EQ(request.Header("content-type"), "text/csv");
  EXPECT_EQ(request.Header("x-empty"), "") << "present but empty is not missing";
}

TEST(RequestHeader, MissingHeaderIsNullopt) {
  Request request;
  EXPECT_EQ(request.Header("X-Herald-Actor"), std::nullopt);
  request.headers = {{"X-Herald-Actor", "olga"}};
  for (const char* name : {"X-Herald", "X-Herald-Actors", "X-Herald-Acto", ""}) {
    EXPECT_EQ(request.Header(name), std::nullopt) << name;
  }
}

}  // namespace
}  // namespace herald::http
