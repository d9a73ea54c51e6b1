#include "http/http_server.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <filesystem>
#include <list>
#include <map>
#include <vector>

namespace herald::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// After an error response the peer may still be sending (e.g. a 10 MB body we refused): read and
// discard for a moment so that closing does not reset the connection before the peer reads our
// answer (a "lingering close", as nginx does).
constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);

bool IsDisconnect(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
         ec == beast::error::timeout || ec == asio::error::broken_pipe ||
         ec == bhttp::error::partial_message;
}

// The error response for a request that could not be read, or nothing for a plain disconnect.
std::optional<Response> ReadErrorResponse(const beast::error_code& ec, const HttpLimits& limits,
                                          std::size_t body_limit) {
  if (IsDisconnect(ec)) return std::nullopt;
  if (ec == bhttp::error::body_limit) {
    return JsonError(413, "payload_too_large",
                     "request body exceeds the limit of " + std::to_string(body_limit) + " bytes");
  }
  if (ec == bhttp::error::header_limit) {
    return JsonError(
        431, "header_too_large",
        "request header exceeds " + std::to_string(limits.max_header_bytes) + " bytes");
  }
  return JsonError(400, "bad_request", "malformed HTTP request: " + ec.message());
}

template <typename Parser>
Router::RouteInfo RouteOf(const Parser& parser, const Router& router) {
  const auto& header = parser.get();
  std::string_view target = header.target();
  return router.Lookup(header.method_string(), target.substr(0, target.find('?')));
}

template <typename Parser>
beast::error_code ApplyRouteBodyLimit(Parser& parser, const HttpLimits& limits, BodySize body_size,
                                      std::size_t* applied) {
  std::size_t limit =
      body_size == BodySize::kNormal ? limits.max_body_bytes : limits.max_bulk_body_bytes;
  *applied = limit;
  if (auto length = parser.content_length(); length && *length > limit) {
    return bhttp::error::body_limit;
  }
  parser.body_limit(limit);
  return {};
}

// The request line and headers; the body is the caller's.
template <typename Body>
Request ToRequestHeader(const bhttp::request<Body>& message) {
  Request request;
  request.method = std::string(message.method_string());
  std::string_view target = message.target();
  std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  request.authorization = std::string(message[bhttp::field::authorization]);
  request.content_type = std::string(message[bhttp::field::content_type]);
  request.actor = std::string(message["X-Herald-Actor"]);
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return request;
}

bhttp::response<bhttp::string_body> ToMessage(Response&& response, unsigned version,
                                              bool keep_alive) {
  bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status), version};
  message.set(bhttp::field::server, "heraldd");
  message.set(bhttp::field::content_type, response.content_type);
  message.set(bhttp::field::cache_control, "no-store");
  for (auto& [name, value] : response.headers) message.set(name, value);
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  return message;
}

// The server's series. Handles are kept so that serving a request looks no label up in the
// registry; the duration histograms are cached per route the first time it is served.
class ServerMetrics {
 public:
  explicit ServerMetrics(metrics::Registry& registry)
      : open(registry.AddGauge("herald_http_connections_open", "Open HTTP connections.").With()),
        accepted(
            registry
                .AddCounter("herald_http_connections_accepted_total", "Accepted HTTP connections.")
                .With()),
        evicted(registry
                    .AddCounter("herald_http_connections_evicted_total",
                                "Idle connections closed to make room at the connection limit.")
                    .With()),
        refused(registry
                    .AddCounter("herald_http_connections_refused_total",
                                "Connections refused with 503 because every connection was busy.")
                    .With()),
        durations_(registry.AddHistogram(
            "herald_http_request_duration_seconds",
            "Time from a request read in full until its response is written, by route pattern.",
            metrics::LatencyBucketsSeconds())) {
    auto family =
        registry.AddCounter("herald_http_responses_total", "HTTP responses by status class.");
    for (int status_class = 1; status_class <= 5; ++status_class) {
      responses_.push_back(family.With({{"code", std::to_string(status_class) + "xx"}}));
    }
  }

  void CountResponse(int status) { responses_[std::clamp(status / 100, 1, 5) - 1].Increment(); }

  // Network thread only (the cache is not locked).
  metrics::Histogram DurationOf(const Router::RouteInfo& route) {
    std::string key;
    key.append(route.method).append(" ").append(route.pattern);
    auto found = durations_by_route_.find(key);
    if (found == durations_by_route_.end()) {
      auto histogram = durations_.With(
          {{"method", std::string(route.method)}, {"route", std::string(route.pattern)}});
      found = durations_by_route_.emplace(std::move(key), histogram).first;
    }
    return found->second;
  }

  metrics::Gauge open;
  metrics::Counter accepted;
  metrics::Counter evicted;  // idle connections closed to make room
  metrics::Counter refused;  // refused with 503: every connection was busy

 private:
  std::vector<metrics::Counter> responses_;  // [0] = 1xx, …, [4] = 5xx
  metrics::HistogramFamily durations_;
  std::map<std::string, metrics::Histogram> durations_by_route_;  // "GET /v1/contacts/{id}"
};

}  // namespace

class Session;

class HttpServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, const Router& router, HttpLimits limits, metrics::Registry& registry)
      : io_(io), router_(router), limits_(limits), acceptor_(io), metrics_(registry) {}

  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> RefuseBusy(tcp::socket socket);
  bool EvictLongestWaiting();
  std::size_t LiveSessions() const;
  void Unregister(std::list<Session*>::iterator position);
  void MaybeDrained();

  asio::io_context& io_;
  const Router& router_;
  HttpLimits limits_;
  tcp::acceptor acceptor_;
  bool draining_ = false;
  std::function<void()> on_drained_;
  std::list<Session*> sessions_;  // least recently started request first
  ServerMetrics metrics_;
};

// One connection. Lives as long as its Run coroutine; all on the network thread.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    position_ = server_->sessions_.insert(server_->sessions_.end(), this);
    server_->metrics_.open.Increment();
  }
  ~Session() {
    server_->metrics_.open.Decrement();
    server_->Unregister(position_);
  }

  asio::awaitable<void> Run();
  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }
  bool closed() const { return closed_; }
  // Waiting for (or still reading) a request: safe to close without losing a response.
  bool reading() const { return reading_; }
  // Called when draining: idle connections go now, busy ones after their response.
  void CloseIfReading() {
    if (reading_) Close();
  }

 private:
  asio::awaitable<bool> ServeOne(bool first);
  asio::awaitable<Response> Dispatch(Request request);
  asio::awaitable<void> SendErrorAndLinger(Response response, unsigned version);
  asio::awaitable<bool> SendFile(Response response, unsigned version, bool keep_alive);
  void MarkReading(bool reading);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::list<Session*>::iterator position_;
  bool reading_ = true;
  bool closed_ = false;
};

void Session::MarkReading(bool reading) {
  reading_ = reading;
  // Most recently active last, so eviction takes the connection that waited longest.
  if (reading) server_->sessions_.splice(server_->sessions_.end(), server_->sessions_, position_);
}

asio::awaitable<void> Session::Run() {
  auto self = shared_from_this();
  bool first = true;
  while (!closed_ && co_await ServeOne(first)) first = false;
  Close();
}

// Reads one request, answers it; false when the connection must end.
asio::awaitable<bool> Session::ServeOne(bool first) {
  const HttpLimits limits = server_->limits_;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  // The route (and so its limit) is known only after the header: admit the larger limit while
  // reading the header, then apply the route's own before reading the body.
  parser.body_limit(std::max(limits.max_body_bytes, limits.max_bulk_body_bytes));
  MarkReading(true);

  if (buffer_.size() == 0) {  // wait for the first byte: keep-alive idleness
    stream_.expires_after(first ? limits.header_timeout : limits.idle_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), kTuple);
    if (ec) co_return false;
    buffer_.commit(n);
  }
  stream_.expires_after(limits.header_timeout);
  auto [header_ec, header_bytes] =
      co_await bhttp::async_read_header(stream_, buffer_, parser, kTuple);
  beast::error_code ec = header_ec;
  std::size_t body_limit = limits.max_body_bytes;
  Router::RouteInfo route;
  if (!ec) {
    route = RouteOf(parser, server_->router_);
    ec = ApplyRouteBodyLimit(parser, limits, route.body_size, &body_limit);
  }
  const BodySize size_class = route.body_size;
  if (!ec && !parser.is_done() && parser.get()[bhttp::field::expect] == "100-continue") {
    // curl sends large bodies (imports) only after this interim answer, or after a 1 s wait.
    bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, parser.get().version()};
    auto [continue_ec, continue_bytes] = co_await bhttp::async_write(stream_, proceed, kTuple);
    ec = continue_ec;
  }
  std::optional<Request> request;
  unsigned version = 11;
  bool keep_alive = false;
  if (!ec && size_class == BodySize::kSpooled && !parser.is_done()) {
    // Written to a temporary file as it arrives: an upload never sits in memory. The writes go
    // to the page cache (no fsync), so they do not hold up the network thread noticeably.
    auto spool = TempFile::Create("upload");
    if (!spool.ok()) {
      co_await SendErrorAndLinger(JsonError(507, "insufficient_storage", spool.error().message),
                                  parser.get().version());
      co_return false;
    }
    bhttp::request_parser<bhttp::file_body> file_parser{std::move(parser)};
    file_parser.body_limit(body_limit);
    file_parser.get().body().open((*spool)->path().c_str(), beast::file_mode::write, ec);
    if (!ec) {
      stream_.expires_after(limits.read_timeout);
      auto [body_ec, body_bytes] =
          co_await bhttp::async_read(stream_, buffer_, file_parser, kTuple);
      ec = body_ec;
    }
    if (!ec) {
      bhttp::request<bhttp::file_body> message = file_parser.release();
      message.body().close();
      version = message.version();
      keep_alive = message.keep_alive();
      request = ToRequestHeader(message);
      request->body_file = std::move(*spool);
    }
  } else if (!ec) {
    if (!parser.is_done()) {
      stream_.expires_after(limits.read_timeout);
      auto [body_ec, body_bytes] = co_await bhttp::async_read(stream_, buffer_, parser, kTuple);
      ec = body_ec;
    }
    if (!ec) {
      bhttp::request<bhttp::string_body> message = parser.release();
      version = message.version();
      keep_alive = message.keep_alive();
      request = ToRequestHeader(message);
      request->body = std::move(message.body());
    }
  }
  if (ec) {
    if (auto response = ReadErrorResponse(ec, limits, body_limit); response && !closed_) {
      co_await SendErrorAndLinger(std::move(*response), 11);
    }
    co_return false;
  }
  MarkReading(false);
  const auto started = std::chrono::steady_clock::now();
  metrics::Histogram duration = server_->metrics_.DurationOf(route);

  Response response = co_await Dispatch(std::move(*request));
  server_->metrics_.CountResponse(response.status);
  keep_alive = keep_alive && !server_->draining_ && !closed_;
  bool keep_going = false;
  if (!response.body_file.empty()) {
    keep_going = co_await SendFile(std::move(response), version, keep_alive);
  } else {
    auto reply = ToMessage(std::move(response), version, keep_alive);
    stream_.expires_after(limits.read_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream_, reply, kTuple);
    keep_going = !write_ec && keep_alive;
  }
  duration.Observe(std::chrono::steady_clock::now() - started);
  co_return keep_going;
}

// Streams a file body in chunks; the write timeout restarts for every chunk, so a large download
// to a slow but steady client is not cut off, while a stalled one is.
asio::awaitable<bool> Session::SendFile(Response response, unsigned version, bool keep_alive) {
  std::filesystem::path path = response.body_file;
  bhttp::response<bhttp::file_body> reply{static_cast<bhttp::status>(response.status), version};
  beast::error_code ec;
  reply.body().open(path.c_str(), beast::file_mode::scan, ec);
  std::filesystem::remove(path, ec);  // the open descriptor keeps the data until sent
  if (!reply.body().is_open()) {
    auto error =
        ToMessage(JsonError(500, "internal", "cannot read the response file"), version, false);
    co_await bhttp::async_write(stream_, error, kTuple);
    co_return false;
  }
  reply.set(bhttp::field::server, "heraldd");
  reply.set(bhttp::field::content_type, response.content_type);
  reply.set(bhttp::field::cache_control, "no-store");
  for (auto& [name, value] : response.headers) reply.set(name, value);
  reply.keep_alive(keep_alive);
  reply.prepare_payload();
  bhttp::response_serializer<bhttp::file_body> serializer(reply);
  while (!serializer.is_done()) {
    stream_.expires_after(server_->limits_.read_timeout);
    auto [write_ec, written] = co_await bhttp::async_write_some(stream_, serializer, kTuple);
    if (write_ec) co_return false;
  }
  co_return keep_alive;
}

asio::awaitable<Response> Session::Dispatch(Request request) {
  auto executor = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      [this, executor, &request](auto handler) {
        using HandlerType = decltype(handler);
        auto shared = std::make_shared<HandlerType>(std::move(handler));
        auto answered = std::make_shared<bool>(false);
        server_->router_.Dispatch(
            std::move(request), [executor, shared, answered](Response response) {
              // Handlers may answer from another thread: resume on the network thread.
              asio::post(executor, [shared, answered, response = std::move(response)]() mutable {
                if (std::exchange(*answered, true)) return;  // exactly once
                (*shared)(std::move(response));
              });
            });
      },
      asio::use_awaitable);
}

asio::awaitable<void> Session::SendErrorAndLinger(Response response, unsigned version) {
  server_->metrics_.CountResponse(response.status);
  auto reply = ToMessage(std::move(response), version, false);
  stream_.expires_after(server_->limits_.header_timeout);
  auto [write_ec, written] = co_await bhttp::async_write(stream_, reply, kTuple);
  if (write_ec) co_return;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  std::size_t discarded = 0;
  char sink[16 * 1024];
  while (discarded < kMaxLingerBytes) {
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(sink), kTuple);
    if (ec) break;
    discarded += n;
  }
}

asio::awaitable<void> HttpServer::Impl::AcceptLoop() {
  auto self = shared_from_this();
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {  // e.g. out of file descriptors: back off instead of spinning or dying
      asio::steady_timer pause(io_, std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    metrics_.accepted.Increment();
    if (LiveSessions() >= limits_.max_connections && !EvictLongestWaiting()) {
      metrics_.refused.Increment();
      metrics_.CountResponse(503);
      asio::co_spawn(io_, RefuseBusy(std::move(socket)), asio::detached);
      continue;
    }
    auto session = std::make_shared<Session>(std::move(socket), self);
    asio::co_spawn(io_, session->Run(), asio::detached);
  }
}

asio::awaitable<void> HttpServer::Impl::RefuseBusy(tcp::socket socket) {
  auto self = shared_from_this();
  beast::tcp_stream stream(std::move(socket));
  auto reply =
      ToMessage(JsonError(503, "unavailable", "too many connections; retry later"), 11, false);
  reply.set(bhttp::field::retry_after, "1");
  stream.expires_after(std::chrono::seconds(1));
  co_await bhttp::async_write(stream, reply, kTuple);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

bool HttpServer::Impl::EvictLongestWaiting() {
  for (Session* session : sessions_) {
    if (!session->closed() && session->reading()) {
      session->Close();
      metrics_.evicted.Increment();
      return true;
    }
  }
  return false;
}

std::size_t HttpServer::Impl::LiveSessions() const {
  std::size_t live = 0;
  for (const Session* session : sessions_) live += session->closed() ? 0 : 1;
  return live;
}

void HttpServer::Impl::Unregister(std::list<Session*>::iterator position) {
  sessions_.erase(position);
  MaybeDrained();
}

void HttpServer::Impl::MaybeDrained() {
  if (draining_ && sessions_.empty() && on_drained_) {
    auto callback = std::move(on_drained_);
    on_drained_ = nullptr;
    asio::post(io_, std::move(callback));
  }
}

HttpServer::HttpServer(asio::io_context& io, const Router& router, HttpLimits limits,
                       metrics::Registry& metrics)
    : impl_(std::make_shared<Impl>(io, router, limits, metrics)) {}

HttpServer::~HttpServer() {
  StopAccepting();
  CloseAll();
}

Result<std::string> HttpServer::Listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec)
    return MakeError(ErrorCode::kInvalidArgument, "bad listen address " + host, "server.listen");
  tcp::endpoint endpoint(address, port);
  tcp::acceptor& acceptor = impl_->acceptor_;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return MakeError(ErrorCode::kUnavailable,
                     "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message(),
                     "server.listen");
  }
  auto bound = acceptor.local_endpoint();
  asio::co_spawn(impl_->io_, impl_->AcceptLoop(), asio::detached);
  std::string bound_host = bound.address().to_string();
  if (bound.address().is_v6()) bound_host = "[" + bound_host + "]";
  return bound_host + ":" + std::to_string(bound.port());
}

void HttpServer::SetLimits(HttpLimits limits) { impl_->limits_ = limits; }

void HttpServer::StopAccepting() {
  beast::error_code ignored;
  impl_->acceptor_.close(ignored);
}

void HttpServer::Drain(std::function<void()> on_drained) {
  impl_->draining_ = true;
  impl_->on_drained_ = std::move(on_drained);
  // Copy: closing may not erase from the list synchronously, but be safe against it.
  std::vector<std::weak_ptr<Session>> sessions;
  for (Session* session : impl_->sessions_) sessions.push_back(session->weak_from_this());
  for (auto& weak : sessions) {
    if (auto session = weak.lock()) session->CloseIfReading();
  }
  impl_->MaybeDrained();
}

void HttpServer::CloseAll() {
  std::vector<std::weak_ptr<Session>> sessions;
  for (Session* session : impl_->sessions_) sessions.push_back(session->weak_from_this());
  for (auto& weak : sessions) {
    if (auto session = weak.lock()) session->Close();
  }
}

std::size_t HttpServer::open_connections() const { return impl_->sessions_.size(); }

}  // namespace herald::http
