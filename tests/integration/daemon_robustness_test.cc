// No request can crash heraldd or lock out /healthz: malformed requests, huge bodies, idle floods.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/asio.hpp>
#include <memory>
#include <vector>

#include "tests/integration/daemon_fixture.h"

namespace herald::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using std::chrono::seconds;

// Sends raw bytes and returns whatever the server answers before closing (or a timeout).
std::string RawExchange(int port, const std::string& bytes) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  asio::write(socket, asio::buffer(bytes));
  std::string answer;
  boost::system::error_code ec;
  char buffer[4096];
  timeval timeout{5, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  for (;;) {
    std::size_t n = socket.read_some(asio::buffer(buffer), ec);
    if (ec) break;
    answer.append(buffer, n);
  }
  return answer;
}

using DaemonRobustness = StartedDaemon;

TEST_F(DaemonRobustness, MalformedRequestsGetJson400AndTheDaemonKeepsServing) {
  const std::string malformed[] = {
      "THIS IS NOT HTTP\r\n\r\n",
      "GET /healthz HTTP/9.9\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
      "POST /v1/status HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      std::string("\x00\x01\x02\xff\xfe\r\n\r\n", 9),
  };
  for (const std::string& request : malformed) {
    std::string answer = RawExchange(port(), request);
    EXPECT_NE(answer.find("HTTP/1.1 400"), std::string::npos) << "for: " << request << "\n"
                                                              << answer;
    EXPECT_NE(answer.find("\"code\":\"bad_request\""), std::string::npos) << answer;
  }
  std::string huge_header =
      "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  EXPECT_NE(RawExchange(port(), huge_header).find("HTTP/1.1 431"), std::string::npos);
  EXPECT_EQ(HttpRequest(port(), "GET", "/healthz").status, 200);
}

TEST_F(DaemonRobustness, TenMegabyteBodyGets413AndTheDaemonKeepsServing) {
  auto result =
      HttpRequest(port(), "POST", "/v1/status", kToken, std::string(10 * 1024 * 1024, 'x'));
  EXPECT_EQ(result.status, 413) << result.error;
  EXPECT_NE(result.body.find("payload_too_large"), std::string::npos) << result.body;
  EXPECT_EQ(HttpRequest(port(), "GET", "/healthz").status, 200);
}

TEST_F(DaemonRobustness, ThousandIdleConnectionsDoNotStopHealthz) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = std::max<rlim_t>(limit.rlim_cur, std::min<rlim_t>(limit.rlim_max, 4096));
  setrlimit(RLIMIT_NOFILE, &limit);
  ASSERT_GE(limit.rlim_cur, 1100u) << "the test needs 1,100 file descriptors";

  asio::io_context io;
  std::vector<std::unique_ptr<tcp::socket>> idle;
  for (int i = 0; i < 1000; ++i) {
    auto socket = std::make_unique<tcp::socket>(io);
    boost::system::error_code ec;
    socket->connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port())}, ec);
    ASSERT_FALSE(ec) << "connection " << i << ": " << ec.message();
    idle.push_back(std::move(socket));
  }
  for (int i = 0; i < 5; ++i) {
    auto health = HttpRequest(port(), "GET", "/healthz", {}, {}, seconds(5));
    EXPECT_EQ(health.status, 200) << health.error;
  }
  auto metrics = HttpRequest(port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body.find("herald_http_connections_evicted_total 0\n"), std::string::npos)
      << "idle connections beyond the limit must have been evicted:\n"
      << metrics.body;
}

}  // namespace
}  // namespace herald::testing
