// /metrics as the HTTP server and the admin routes serve it: the server's own series after real
// requests on loopback, in the text format, with the format's content type.
#include "common/metrics.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "http/admin_api.h"
#include "http/http_server.h"
#include "tests/support/daemon_process.h"

namespace herald::http {
namespace {

TEST(RenderMetrics, EveryLineIsPrometheusTextFormat) {
  metrics::Registry registry;  // before the io_context: sessions update it until destroyed
  boost::asio::io_context io;
  Router router;
  // What heraldd registers for itself (daemon/daemon.cc).
  registry.AddGauge("herald_build_info", "Build information.").With({{"version", "1.2.3"}}).Set(1);
  auto ready = registry.AddCallbackGauge("herald_ready", "1 when the daemon is ready to serve.",
                                         [] { return 1.0; });
  RegisterAdminRoutes(router, registry, [] { return DaemonSnapshot{}; });
  HttpServer server(io, router, HttpLimits{}, registry);
  auto bound = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(bound.ok()) << bound.error().ToString();
  const int port = std::stoi(bound->substr(bound->rfind(':') + 1));
  std::thread network([&] { io.run(); });

  for (int i = 0; i < 5; ++i) EXPECT_EQ(testing::HttpRequest(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(testing::HttpRequest(port, "GET", "/nowhere").status, 404);
  // The 7th connection; its own response is counted after the text was rendered.
  testing::HttpResult scraped = testing::HttpRequest(port, "GET", "/metrics");
  boost::asio::post(io, [&] {
    server.StopAccepting();
    server.CloseAll();
    io.stop();
  });
  network.join();
  ASSERT_EQ(scraped.status, 200) << scraped.error;
  const std::string& text = scraped.body;

  // Several labels on the duration histogram's series: {method="GET",route="/healthz",le="0.1"}.
  std::regex sample(R"(^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$)");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
  }
  EXPECT_NE(text.find("herald_http_connections_accepted_total 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("herald_http_responses_total{code=\"2xx\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("herald_http_responses_total{code=\"4xx\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("herald_build_info{version=\"1.2.3\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("herald_ready 1\n"), std::string::npos);
  EXPECT_NE(text.find("herald_http_request_duration_seconds_count{method=\"GET\",route=\"/"
                      "healthz\"} 5\n"),
            std::string::npos);
  EXPECT_NE(text.find("herald_http_request_duration_seconds_count{method=\"other\",route="
                      "\"unmatched\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("/nowhere"), std::string::npos) << "raw paths are never labels";
}

TEST(RenderMetrics, ServedWithTheTextFormatsContentType) {
  metrics::Registry registry;
  Router router;
  RegisterAdminRoutes(router, registry, [] { return DaemonSnapshot{}; });
  Request request;
  request.method = "GET";
  request.path = "/metrics";
  Response served;
  router.Dispatch(request, [&](Response response) { served = std::move(response); });
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.content_type, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace herald::http
