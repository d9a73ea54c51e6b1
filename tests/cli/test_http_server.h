// Test-only HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for testing the CLI against real
// sockets. It serves one connection at a time on its own thread with Boost.Beast's synchronous
// API, answers each request with whatever the handler returns and records what it received. A
// second client waits until the first closes its (keep-alive) connection: destroy one ApiClient
// before using another against the same server.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace herald::cli::testing {

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string authorization;  // the Authorization header, "" when absent
  std::string content_type;
  std::string body;
  std::string actor;  // the X-Herald-Actor header, "" when absent
};

struct CannedResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds delay{0};  // wait this long before answering
};

using RequestHandler = std::function<CannedResponse(const RecordedRequest&)>;

class TestHttpServer {
 public:
  // Binds and starts serving; the handler runs on the server's thread.
  explicit TestHttpServer(RequestHandler handler);
  ~TestHttpServer();  // stops the server and joins its thread

  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:<port>"
  std::vector<RecordedRequest> requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A loopback URL that nothing listens on (a port bound and released again).
std::string UnusedLoopbackUrl();

}  // namespace herald::cli::testing
