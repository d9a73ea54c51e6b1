// http/http_server.h: the HTTP/1.1 server of the admin API, webhooks and metrics (Boost.Beast).
//
// Defends itself: a header size limit, a body size limit (413), timeouts for the header, the body
// and keep-alive idleness, and a connection limit. At the limit a new connection evicts the
// connection that has waited longest for a request; only when every connection is busy is the new
// one refused (503). So idle or slow clients can never lock out /healthz.
//
// Reports herald_http_* into the metrics registry given at construction: connections (open,
// accepted, evicted, refused), responses by status class, and request durations by route pattern
// and method, from the full request read until the response is written (docs/operations.md).
//
// Thread rules: every method must be called on the io_context's (single) network thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/metrics.h"
#include "common/result.h"
#include "http/router.h"

namespace boost::asio {
class io_context;
}

namespace herald::http {

struct HttpLimits {
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_bulk_body_bytes = 256 * 1024 * 1024;  // routes with BodySize::kBulk
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::size_t max_connections = 512;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const Router& router, HttpLimits limits,
             metrics::Registry& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Returns the bound address as "host:port" (useful with port 0).
  Result<std::string> Listen(const std::string& host, std::uint16_t port);
  // Applies new limits to new requests (a reload). Open connections keep working.
  void SetLimits(HttpLimits limits);

  // Stops accepting new connections; open ones carry on.
  void StopAccepting();
  // Graceful stop: closes connections that wait for a request; busy ones finish their current
  // response and then close. `on_drained` runs once no connection is left.
  void Drain(std::function<void()> on_drained);
  // Closes every connection now.
  void CloseAll();

  std::size_t open_connections() const;

  class Impl;  // defined in http_server.cc

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace herald::http
