#include "http/api_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

namespace herald::http {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

Request WithParam(std::string name, std::string raw) {
  Request request;
  request.params[std::move(name)] = std::move(raw);
  return request;
}

void ExpectBadRequestNaming(const Error& error, std::string_view field) {
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.field, field);
  EXPECT_EQ(ErrorResponse(error).status, 400);
}

struct PathCase {
  const char* what;
  const char* raw;                     // as it stands in the path
  std::optional<std::string> decoded;  // nullopt: a 400
};

class PathParamTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(PathParamTest, DecodesOrAnswers400NamingTheParameter) {
  const PathCase& c = GetParam();
  Result<std::string> value = PathParam(WithParam("name", c.raw), "name");
  if (c.decoded) {
    ASSERT_TRUE(value.ok()) << c.raw << ": " << value.error().ToString();
    EXPECT_EQ(*value, *c.decoded);
  } else {
    ASSERT_FALSE(value.ok()) << c.raw << " decoded to " << *value;
    ExpectBadRequestNaming(value.error(), "name");
  }
}

INSTANTIATE_TEST_SUITE_P(
    ApiUtil, PathParamTest,
    ::testing::Values(
        PathCase{"plain", "vip", "vip"}, PathCase{"space", "summer%20sale", "summer sale"},
        PathCase{"utf8", "caf%C3%A9", "caf\xC3\xA9"},
        PathCase{"lower_case_hex", "caf%c3%a9", "caf\xC3\xA9"},
        PathCase{"escaped_slash", "a%2Fb", "a/b"},
        PathCase{"plus_stays_plus", "+4915112345678", "+4915112345678"},
        PathCase{"escaped_plus", "%2B49", "+49"}, PathCase{"escaped_percent", "100%25", "100%"},
        PathCase{"not_hex", "%zz", std::nullopt},
        PathCase{"one_hex_digit_at_end", "%4", std::nullopt},
        PathCase{"one_hex_digit_then_more", "%4g", std::nullopt},
        PathCase{"lone_percent", "abc%", std::nullopt},
        PathCase{"only_a_percent", "%", std::nullopt}, PathCase{"not_utf8", "caf%E9", std::nullopt},
        PathCase{"raw_not_utf8", "caf\xE9", std::nullopt}, PathCase{"empty", "", std::nullopt}),
    [](const auto& info) { return std::string(info.param.what); });

TEST(ApiUtil, MissingPathParamIsA400NamingIt) {
  Result<std::string> value = PathParam(WithParam("id", "imp-1"), "name");
  ASSERT_FALSE(value.ok());
  ExpectBadRequestNaming(value.error(), "name");
}

TEST(ApiUtil, QueryParamsArePercentDecodedWithPlusAsSpace) {
  Request request;
  request.query = "limit=10&q=summer+sale&tag=caf%C3%A9&phone=%2B49151&flag";
  auto params = QueryParams(request);
  ASSERT_TRUE(params.ok()) << params.error().ToString();
  EXPECT_THAT(*params, ElementsAre(Pair("flag", ""), Pair("limit", "10"), Pair("phone", "+49151"),
                                   Pair("q", "summer sale"), Pair("tag", "caf\xC3\xA9")));
}

TEST(ApiUtil, EmptyQueryHasNoParams) {
  auto params = QueryParams(Request{});
  ASSERT_TRUE(params.ok());
  EXPECT_THAT(*params, IsEmpty());
}

TEST(ApiUtil, MalformedEscapeInTheQueryIsA400) {
  for (const char* query : {"q=%zz", "q=%4", "limit=1&q=a%", "%zz=1"}) {
    Request request;
    request.query = query;
    auto params = QueryParams(request);
    ASSERT_FALSE(params.ok()) << query;
    EXPECT_EQ(params.error().code, ErrorCode::kInvalidArgument) << query;
    EXPECT_EQ(ErrorResponse(params.error()).status, 400) << query;
  }
}

// Found by tests/fuzz/http_fuzz: a word list change's ?reason= that was not UTF-8 was stored,
// and its versions were answered as JSON that no client can parse.
TEST(ApiUtil, QueryKeyOrValueThatIsNotUtf8IsA400NamingIt) {
  Request request;
  request.query = "mode=merge&reason=TICKET%2D%E9";
  auto params = QueryParams(request);
  ASSERT_FALSE(params.ok());
  ExpectBadRequestNaming(params.error(), "reason");
  request.query = "r%FF=1";
  params = QueryParams(request);
  ASSERT_FALSE(params.ok());
  ExpectBadRequestNaming(params.error(), "query");
}

}  // namespace
}  // namespace herald::http
