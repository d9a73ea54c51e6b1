// The fake Cloud API's transport: Beast HTTP/1.1 with keep-alive, one coroutine per connection
// on a strand, on its own threads. The decisions are FakePlatform's (fake_platform.h).
#include "tests/support/fake_cloud_api.h"

#include <pthread.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <stdexcept>
#include <thread>

#include "tests/support/fake_platform.h"

namespace herald::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxBodyBytes = 1 << 20;

bhttp::response<bhttp::string_body> ToResponse(FakeAnswer& answer, unsigned version,
                                               bool keep_alive) {
  bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(answer.status), version};
  response.set(bhttp::field::content_type, answer.content_type);
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  response.body() = std::move(answer.body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

}  // namespace

class FakeCloudApi::Server {
 public:
  Server(FakePlatform& platform, const FakeCloudApiOptions& options)
      : platform_(platform),
        io_(std::make_unique<asio::io_context>(static_cast<int>(options.threads))),
        acceptor_(std::make_unique<tcp::acceptor>(*io_)) {
    const tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
    acceptor_->open(endpoint.protocol());
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    acceptor_->bind(endpoint);
    acceptor_->listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(*io_, Accept(), asio::detached);
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options.threads); ++i) {
      threads_.emplace_back([this] {
        pthread_setname_np(pthread_self(), "fake-cloud-api");  // for top and perf
        io_->run();
      });
    }
  }
  ~Server() { Stop(); }

  void Stop() {
    if (stopped_.exchange(true)) return;
    io_->stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    // Destroying the io_context destroys the suspended connection coroutines: their sockets close.
    acceptor_.reset();
    io_.reset();
  }

  std::uint16_t port() const { return port_; }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_->async_accept(kTuple);
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) continue;
      platform_.CountConnection();
      socket.set_option(tcp::no_delay(true));
      asio::co_spawn(asio::make_strand(*io_), Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(kMaxBodyBytes);
      auto [read_ec, read] = co_await bhttp::async_read(socket, buffer, parser, kTuple);
      if (read_ec) co_return;
      const auto& request = parser.get();
      FakeAnswer answer = platform_.Handle({request.method_string(), request.target(),
                                            request[bhttp::field::authorization], request.body()});
      if (answer.delay.count() > 0) {
        asio::steady_timer delay(co_await asio::this_coro::executor, answer.delay);
        co_await delay.async_wait(kTuple);
      }
      if (answer.action == FakeAnswer::Action::kDrop) co_return;  // closes the socket
      if (answer.action == FakeAnswer::Action::kNeverAnswer) {
        char sink[4096];  // until the client gives up and closes
        for (;;) {
          auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), kTuple);
          if (ec) co_return;
        }
      }
      const bool keep_alive = request.keep_alive();
      auto response = ToResponse(answer, request.version(), keep_alive);
      auto [write_ec, written] = co_await bhttp::async_write(socket, response, kTuple);
      if (write_ec || !keep_alive) co_return;
    }
  }

  FakePlatform& platform_;
  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
};

FakeCloudApi::FakeCloudApi(FakeCloudApiOptions options)
    : platform_(std::make_unique<FakePlatform>(options)) {
  try {
    server_ = std::make_unique<Server>(*platform_, options);
  } catch (const std::exception& error) {
    throw std::runtime_error("fake Cloud API cannot listen on " + options.host + ":" +
                             std::to_string(options.port) + ": " + error.what());
  }
}

FakeCloudApi::~FakeCloudApi() { Stop(); }

std::uint16_t FakeCloudApi::port() const { return server_->port(); }
std::string FakeCloudApi::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
const std::string& FakeCloudApi::token() const { return platform_->token(); }
void FakeCloudApi::SetLimits(FakeCloudApiLimits limits) { platform_->SetLimits(limits); }
void FakeCloudApi::SetFaults(FakeCloudApiFaults faults) { platform_->SetFaults(faults); }
FakeCloudApiLimits FakeCloudApi::limits() const { return platform_->limits(); }
FakeCloudApiFaults FakeCloudApi::faults() const { return platform_->faults(); }
std::vector<ReceivedMessage> FakeCloudApi::Received() const { return platform_->Received(); }
std::size_t FakeCloudApi::RequestsFor(const std::string& to) const {
  return platform_->RequestsFor(to);
}
std::map<std::string, std::size_t> FakeCloudApi::RequestsByRecipient() const {
  return platform_->RequestsByRecipient();
}
FakeCloudApiStats FakeCloudApi::Stats() const { return platform_->Stats(); }
void FakeCloudApi::Stop() { server_->Stop(); }

}  // namespace herald::testing
