#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "http/admin_api.h"

namespace herald::http {
namespace {

TEST(RenderMetrics, EveryLineIsPrometheusTextFormat) {
  DaemonSnapshot snapshot;
  snapshot.version = "1.2.3";
  snapshot.ready = true;
  snapshot.http.accepted = 7;
  snapshot.http.responses_by_class[2] = 5;
  snapshot.writer.jobs_committed = 3;
  std::string text = RenderMetrics(snapshot);
  std::regex sample(R"(^[a-z_]+(\{[a-z_]+="[^"]*"\})? [0-9.e+-]+$)");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
  }
  EXPECT_NE(text.find("herald_http_connections_accepted_total 7\n"), std::string::npos);
  EXPECT_NE(text.find("herald_http_responses_total{code=\"2xx\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("herald_build_info{version=\"1.2.3\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("herald_ready 1\n"), std::string::npos);
}

}  // namespace
}  // namespace herald::http
