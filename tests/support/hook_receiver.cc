#include "tests/support/hook_receiver.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <mutex>
#include <thread>

namespace herald::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

struct HookReceiver::State {
  std::string secret;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;
  std::thread acceptor_thread;

  mutable std::mutex mutex;
  int fail_first = 0;
  bool always_fail = false;
  bool stopping = false;
  std::vector<ReceivedHook> received;
  std::vector<std::thread> connections;
  std::vector<std::shared_ptr<tcp::socket>> sockets;

  void Serve(std::shared_ptr<tcp::socket> socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(*socket, buffer, request, ec);
    if (ec) return;
    ReceivedHook hook;
    const auto header = [&request](const char* name) {
      const auto found = request.find(name);
      return found == request.end() ? std::string() : std::string(found->value());
    };
    hook.event = header("X-Herald-Event");
    hook.event_id = header("X-Herald-Event-Id");
    hook.attempt = header("X-Herald-Attempt");
    hook.body = request.body();
    const std::string timestamp = header("X-Herald-Timestamp");
    const std::string signature = header("X-Herald-Signature");
    const std::string expected = Sign(secret, timestamp, hook.body);
    hook.signature_valid = signature.size() == expected.size() &&
                           CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
    try {
      const auto sent = std::chrono::seconds(std::stoll(timestamp));
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch());
      hook.fresh =
          (now - sent) <= std::chrono::minutes(5) && (sent - now) <= std::chrono::minutes(5);
    } catch (const std::exception&) {
      hook.fresh = false;
    }
    {
      std::lock_guard lock(mutex);
      if (!hook.signature_valid || !hook.fresh) {
        hook.answered = 401;
      } else if (always_fail || fail_first > 0) {
        if (fail_first > 0) --fail_first;
        hook.answered = 500;
      } else {
        hook.answered = 200;
      }
      received.push_back(hook);
    }
    http::response<http::string_body> response{static_cast<http::status>(hook.answered), 11};
    response.set(http::field::content_type, "text/plain");
    response.keep_alive(false);
    response.body() = hook.answered == 200 ? "ok\n" : "no\n";
    response.prepare_payload();
    http::write(*socket, response, ec);
    socket->shutdown(tcp::socket::shutdown_both, ec);
  }
};

HookReceiver::HookReceiver(std::string secret) : state_(std::make_shared<State>()) {
  state_->secret = std::move(secret);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  state_->port = state_->acceptor.local_endpoint().port();
  state_->acceptor_thread = std::thread([state = state_] {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(state->io);
      beast::error_code ec;
      state->acceptor.accept(*socket, ec);
      std::lock_guard lock(state->mutex);
      if (state->stopping) return;
      if (ec) continue;
      state->sockets.push_back(socket);
      state->connections.emplace_back([state, socket] { state->Serve(socket); });
    }
  });
}

HookReceiver::~HookReceiver() { Stop(); }

void HookReceiver::Stop() {
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) return;
    state_->stopping = true;
    for (auto& socket : state_->sockets) {
      beast::error_code ec;
      socket->shutdown(tcp::socket::shutdown_both, ec);
    }
  }
  // Wakes the blocked accept: a connection of our own.
  {
    beast::error_code ec;
    tcp::socket poke(state_->io);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), state_->port), ec);
  }
  state_->acceptor_thread.join();
  {
    std::lock_guard lock(state_->mutex);
    connections = std::move(state_->connections);
  }
  for (std::thread& connection : connections) connection.join();
  beast::error_code ec;
  state_->acceptor.close(ec);
}

std::string HookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(state_->port) + "/events";
}

void HookReceiver::SetFailFirst(int count) {
  std::lock_guard lock(state_->mutex);
  state_->fail_first = count;
}

void HookReceiver::SetAlwaysFail(bool fail) {
  std::lock_guard lock(state_->mutex);
  state_->always_fail = fail;
}

std::vector<ReceivedHook> HookReceiver::Received() const {
  std::lock_guard lock(state_->mutex);
  return state_->received;
}

std::vector<ReceivedHook> HookReceiver::Accepted() const {
  std::vector<ReceivedHook> accepted;
  for (ReceivedHook& hook : Received()) {
    if (hook.answered == 200) accepted.push_back(std::move(hook));
  }
  return accepted;
}

bool HookReceiver::WaitForAccepted(std::size_t count, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Accepted().size() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool HookReceiver::WaitForReceived(std::size_t count, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Received().size() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string HookReceiver::Sign(const std::string& secret, const std::string& timestamp,
                               const std::string& body) {
  const std::string signed_text = timestamp + "." + body;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), digest,
       &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

}  // namespace herald::testing
