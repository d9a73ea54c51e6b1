// ApiClient against a real loopback HTTP server.
#include "cli/api_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <thread>

#include "cli/command.h"
#include "tests/cli/cli_test_util.h"
#include "tests/cli/test_http_server.h"

namespace herald::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

ApiClient MakeClient(const std::string& url, std::optional<std::string> token = std::nullopt,
                     std::chrono::milliseconds total_timeout = std::chrono::seconds(30)) {
  ApiClientOptions options;
  options.base_url = url;
  options.token = std::move(token);
  options.total_timeout = total_timeout;
  Result<ApiClient> client = ApiClient::Create(std::move(options));
  EXPECT_TRUE(client.ok()) << client.error().ToString();
  return std::move(client).value();
}

RequestHandler Answer(int status, std::string body, std::string content_type = "application/json") {
  return [=](const RecordedRequest&) { return CannedResponse{status, body, content_type}; };
}

TEST(ApiClient, GetReturnsStatusBodyContentTypeAndParsedJson) {
  TestHttpServer server(Answer(200, R"({"hello":"world"})"));
  ApiClient client = MakeClient(server.url());

  Result<ApiResponse> response = client.Get("/v1/hello");
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->url, server.url() + "/v1/hello");
  EXPECT_EQ(response->content_type, "application/json");
  Result<boost::json::value> json = response->Json();
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->at("hello"), boost::json::value("world"));
}

TEST(ApiClient, SendsTheBearerTokenOnEveryRequestOnlyWhenConfigured) {
  TestHttpServer server(Answer(200, "{}"));
  {
    ApiClient with_token = MakeClient(server.url(), "abc123");
    ASSERT_TRUE(with_token.Get("/v1/a").ok());
    ASSERT_TRUE(with_token.Post("/v1/b", "{}").ok());
  }  // closes its connection: the test server serves one connection at a time
  ApiClient without_token = MakeClient(server.url());
  ASSERT_TRUE(without_token.Get("/readyz").ok());

  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].authorization, "Bearer abc123");
  EXPECT_EQ(requests[1].authorization, "Bearer abc123");
  EXPECT_THAT(requests[2].authorization, IsEmpty());
}

TEST(ApiClient, PostSendsTheBodyWithItsContentType) {
  TestHttpServer server(Answer(201, R"({"id":"c1"})"));
  ApiClient client = MakeClient(server.url());

  Result<ApiResponse> response = client.Post("/v1/contacts", "phone\n+4915112345678\n", "text/csv");
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 201);
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/contacts");
  EXPECT_EQ(requests[0].content_type, "text/csv");
  EXPECT_EQ(requests[0].body, "phone\n+4915112345678\n");
}

TEST(ApiClient, PutAndDeleteUseTheirMethods) {
  TestHttpServer server(Answer(204, ""));
  ApiClient client = MakeClient(server.url());
  ASSERT_TRUE(client.Put("/v1/words/x", R"({"a":1})").ok());
  ASSERT_TRUE(client.Delete("/v1/words/x").ok());

  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].body, R"({"a":1})");
  EXPECT_EQ(requests[1].method, "DELETE");
  EXPECT_THAT(requests[1].body, IsEmpty());
}

TEST(ApiClient, JsonErrorBecomesAnErrorWithTheServersCodeMessageAndField) {
  TestHttpServer server(Answer(
      400,
      R"({"error":{"code":"invalid_argument","message":"must not be empty","field":"name"}})"));
  ApiClient client = MakeClient(server.url());

  Result<ApiResponse> response = client.Post("/v1/segments", "{}");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(response.error().message, "must not be empty");
  EXPECT_EQ(response.error().field, "name");
  EXPECT_EQ(ExitCodeFor(response.error()), ExitCode::kFailed);
}

TEST(ApiClient, UnauthorizedAndForbiddenMapToTheAuthenticationExitCode) {
  TestHttpServer server([](const RecordedRequest& request) {
    if (request.target == "/v1/a") {
      return CannedResponse{401, R"({"error":{"code":"unauthenticated","message":"no"}})"};
    }
    return CannedResponse{403, R"({"error":{"code":"permission_denied","message":"read-only"}})"};
  });
  ApiClient client = MakeClient(server.url(), "t");

  Result<ApiResponse> unauthorized = client.Get("/v1/a");
  ASSERT_FALSE(unauthorized.ok());
  EXPECT_EQ(unauthorized.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(ExitCodeFor(unauthorized.error()), ExitCode::kAuthFailed);
  Result<ApiResponse> forbidden = client.Get("/v1/b");
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(forbidden.error().message, "read-only");
  EXPECT_EQ(ExitCodeFor(forbidden.error()), ExitCode::kAuthFailed);
}

TEST(ApiClient, NonJsonErrorNamesTheHttpStatusAndUrl) {
  TestHttpServer server(Answer(500, "<html>Internal\nServer Error</html>", "text/html"));
  ApiClient client = MakeClient(server.url());

  Result<ApiResponse> response = client.Get("/v1/status");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kInternal);
  EXPECT_EQ(response.error().message,
            "HTTP 500 from " + server.url() + "/v1/status: <html>Internal");
}

TEST(ApiClient, SendReturnsNon2xxResponsesInsteadOfErrors) {
  TestHttpServer server(Answer(503, R"({"status":"not_ready"})"));
  ApiClient client = MakeClient(server.url());

  Result<ApiResponse> response = client.Send("GET", "/readyz");
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 503);
  EXPECT_FALSE(response->ok());
  EXPECT_EQ(response->body, R"({"status":"not_ready"})");
}

TEST(ApiClient, ConnectionRefusedIsUnavailableAndNamesTheUrl) {
  const std::string url = UnusedLoopbackUrl();
  ApiClient client = MakeClient(url);

  Result<ApiResponse> response = client.Get("/v1/status");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(response.error().message, HasSubstr("cannot reach heraldd at " + url + "/v1/status"));
  EXPECT_THAT(response.error().message, HasSubstr("refused"));
  EXPECT_EQ(ExitCodeFor(response.error()), ExitCode::kUnreachable);
}

TEST(ApiClient, GivesUpAfterTheTotalTimeout) {
  TestHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, "{}", "application/json", std::chrono::milliseconds(800)};
  });
  ApiClient client = MakeClient(server.url(), std::nullopt, std::chrono::milliseconds(100));

  const auto start = std::chrono::steady_clock::now();
  Result<ApiResponse> response = client.Get("/v1/slow");
  ASSERT_FALSE(response.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(700));
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(response.error().message, HasSubstr("timed out"));
}

TEST(ApiClient, TrailingSlashOfTheBaseUrlIsIgnored) {
  TestHttpServer server(Answer(200, "{}"));
  ApiClient client = MakeClient(server.url() + "/");
  ASSERT_TRUE(client.Get("/v1/status").ok());

  EXPECT_EQ(client.base_url(), server.url());
  EXPECT_EQ(server.requests().at(0).target, "/v1/status");
}

TEST(ApiClient, IgnoresProxiesFromTheEnvironment) {
  TestHttpServer server(Answer(200, "{}"));
  // Each test runs in its own process under ctest, so the variables do not leak into others.
  const std::string proxy = UnusedLoopbackUrl();
  ::setenv("http_proxy", proxy.c_str(), 1);
  ::setenv("HTTP_PROXY", proxy.c_str(), 1);
  ::setenv("no_proxy", "", 1);
  ApiClient client = MakeClient(server.url());
  Result<ApiResponse> response = client.Get("/v1/status");
  ::unsetenv("http_proxy");
  ::unsetenv("HTTP_PROXY");
  ::unsetenv("no_proxy");

  EXPECT_TRUE(response.ok()) << response.error().ToString();
}

TEST(ApiClient, RejectsABaseUrlThatIsNotHttp) {
  ApiClientOptions options;
  options.base_url = "ftp://127.0.0.1:8420";
  Result<ApiClient> client = ApiClient::Create(options);

  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(client.error().field, "url");
}

TEST(ApiClient, RejectsATokenThatWouldInjectHeaders) {
  ApiClientOptions options;
  options.token = "abc\r\nX-Evil: 1";
  Result<ApiClient> client = ApiClient::Create(options);

  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().field, "token");
}

TEST(ApiClient, SendsTheExtraHeadersOnEveryRequest) {
  TestHttpServer server(Answer(200, "{}"));
  ApiClientOptions options;
  options.base_url = server.url();
  options.headers.emplace_back("X-Herald-Actor", "alice");
  Result<ApiClient> client = ApiClient::Create(std::move(options));
  ASSERT_TRUE(client.ok()) << client.error().ToString();
  ASSERT_TRUE(client->Get("/v1/a").ok());
  ASSERT_TRUE(client->Delete("/v1/b").ok());

  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].actor, "alice");
  EXPECT_EQ(requests[1].actor, "alice");
}

TEST(ApiClient, RejectsExtraHeadersThatAreEmptyOrWouldInjectHeaders) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"X-Herald-Actor", "bob\r\nX-Evil: 1"}, {"X-Herald-Actor", ""}, {"Bad Name", "x"}}) {
    ApiClientOptions options;
    options.headers.emplace_back(name, value);
    Result<ApiClient> client = ApiClient::Create(options);
    ASSERT_FALSE(client.ok()) << name << ": " << value;
    EXPECT_EQ(client.error().field, name);
  }
}

TEST(ApiClient, PostFileStreamsTheWholeFileWithItsContentType) {
  TestHttpServer server(Answer(202, R"({"id":"imp-1"})"));
  TempDir dir;
  std::string contents = "phone,name\n";
  while (contents.size() < 3 * 1024 * 1024) contents += "+4915112345678,Anna Schmidt\n";
  const std::string file = dir.Write("big.csv", contents);
  ApiClient client = MakeClient(server.url(), "t");

  Result<ApiResponse> response = client.PostFile("/v1/contacts/imports", file, "text/csv");
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 202);
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].content_type, "text/csv");
  EXPECT_EQ(requests[0].authorization, "Bearer t");
  EXPECT_TRUE(requests[0].body == contents) << requests[0].body.size() << " bytes arrived";
}

TEST(ApiClient, PostFileSendsAPipeChunked) {
  TestHttpServer server(Answer(202, "{}"));
  TempDir dir;
  const std::string fifo = dir.path() + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer(
      [&fifo] { std::ofstream(fifo, std::ios::binary) << "phone\n+4915112345678\n"; });
  ApiClient client = MakeClient(server.url());

  Result<ApiResponse> response = client.PostFile("/v1/contacts/imports", fifo, "text/csv");
  writer.join();
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(server.requests().at(0).body, "phone\n+4915112345678\n");
}

TEST(ApiClient, PostFileTurnsAnErrorAnswerIntoAnError) {
  TestHttpServer server(Answer(
      400, R"({"error":{"code":"invalid_argument","message":"unknown region","field":"x"}})"));
  TempDir dir;
  ApiClient client = MakeClient(server.url());

  Result<ApiResponse> response =
      client.PostFile("/v1/contacts/imports", dir.Write("a.csv", "phone\n"), "text/csv");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().ToString(), "x: unknown region");
}

TEST(ApiClient, PostFileOfAMissingFileOrADirectoryIsAnIoErrorNamingIt) {
  TestHttpServer server(Answer(200, "{}"));
  TempDir dir;
  ApiClient client = MakeClient(server.url());

  Result<ApiResponse> missing = client.PostFile("/v1/x", dir.path() + "/nope.csv", "text/csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIoError);
  EXPECT_THAT(missing.error().message, HasSubstr("nope.csv': No such file or directory"));
  Result<ApiResponse> directory = client.PostFile("/v1/x", dir.path(), "text/csv");
  ASSERT_FALSE(directory.ok());
  EXPECT_THAT(directory.error().message, HasSubstr("Is a directory"));
  EXPECT_THAT(server.requests(), IsEmpty());
}

}  // namespace
}  // namespace herald::cli::testing
