#include "tests/cli/test_http_server.h"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <mutex>
#include <thread>

namespace herald::cli::testing {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::uint64_t kMaxBodyBytes = 64 * 1024 * 1024;

}  // namespace

struct TestHttpServer::Impl {
  explicit Impl(RequestHandler request_handler) : handler(std::move(request_handler)) {
    acceptor.open(tcp::v4());
    acceptor.bind(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), 0));
    acceptor.listen();
    port = acceptor.local_endpoint().port();
  }

  void Serve() {
    while (!stopping) {
      tcp::socket socket(io);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (ec || stopping) return;
      {
        std::lock_guard lock(connection_mutex);
        connection_fd = socket.native_handle();
      }
      ServeConnection(socket);
      {
        std::lock_guard lock(connection_mutex);
        connection_fd = -1;
      }
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
    }
  }

  void ServeConnection(tcp::socket& socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxBodyBytes);  // Beast's default (1 MB) is too small for upload tests
      boost::system::error_code ec;
      http::read(socket, buffer, parser, ec);
      if (ec) return;
      http::request<http::string_body> request = parser.release();
      RecordedRequest recorded{std::string(request.method_string()),
                               std::string(request.target()),
                               std::string(request[http::field::authorization]),
                               std::string(request[http::field::content_type]),
                               request.body(),
                               std::string(request["X-Herald-Actor"])};
      {
        std::lock_guard lock(requests_mutex);
        requests.push_back(recorded);
      }
      CannedResponse canned = handler(recorded);
      if (canned.delay.count() > 0) std::this_thread::sleep_for(canned.delay);
      http::response<http::string_body> response(static_cast<http::status>(canned.status),
                                                 request.version());
      response.set(http::field::content_type, canned.content_type);
      response.body() = canned.body;
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !response.keep_alive()) return;
    }
  }

  // Called from the test's thread: wakes the server thread wherever it blocks.
  void Stop() {
    stopping = true;
    {
      // shutdown(2) on the descriptor (not the asio object, which belongs to the server thread)
      // makes a blocked read return.
      std::lock_guard lock(connection_mutex);
      if (connection_fd >= 0) ::shutdown(connection_fd, SHUT_RDWR);
    }
    // A blocked accept returns when someone connects.
    net::io_context wake_io;
    tcp::socket wake(wake_io);
    boost::system::error_code ec;
    wake.connect(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), port), ec);
    if (thread.joinable()) thread.join();
  }

  RequestHandler handler;
  net::io_context io;
  tcp::acceptor acceptor{io};
  unsigned short port = 0;
  std::atomic<bool> stopping{false};
  std::mutex connection_mutex;
  int connection_fd = -1;  // guarded by connection_mutex
  mutable std::mutex requests_mutex;
  std::vector<RecordedRequest> requests;  // guarded by requests_mutex
  std::thread thread;
};

TestHttpServer::TestHttpServer(RequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(handler))) {
  impl_->thread = std::thread([impl = impl_.get()] { impl->Serve(); });
}

TestHttpServer::~TestHttpServer() { impl_->Stop(); }

std::string TestHttpServer::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
  std::lock_guard lock(impl_->requests_mutex);
  return impl_->requests;
}

std::string UnusedLoopbackUrl() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), 0));
  const unsigned short port = acceptor.local_endpoint().port();
  acceptor.close();
  return "http://127.0.0.1:" + std::to_string(port);
}

}  // namespace herald::cli::testing
