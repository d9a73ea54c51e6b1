#include "provider/cloud_api.h"

#include <strings.h>

#include <atomic>
#include <boost/asio.hpp>
#include <deque>
#include <utility>
#include <vector>

#include "common/log.h"
#include "provider/detail/cloud_api_answer.h"
#include "provider/detail/curl_multi.h"

namespace herald::provider {
namespace {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

// An answer larger than this is not the platform's: the transfer is cut off (kUncertain).
constexpr std::size_t kMaxAnswerBytes = 1 << 20;
constexpr std::string_view kBaseUrlKey = "provider.cloud_api.base_url";

void InitCurlOnce() {
  static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)initialised;
}

// A path segment we put into the URL as it is: the phone number id, the API version.
bool IsPlainSegment(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    const bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       c == '_' || c == '-' || c == '.';
    if (!plain) return false;
  }
  return true;
}

// An easy handle and its error text, reused from transfer to transfer (connections live in the
// multi handle's cache, so reuse does not depend on which easy handle a transfer gets).
struct Easy {
  CURL* handle = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~Easy() {
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

struct Transfer {
  std::string url;
  std::string body;
  int attempts = 0;  // requests libcurl was about to make (CURLOPT_PREREQFUNCTION)
  std::string answer;
  std::string retry_after;
  Provider::Done done;
  Steady::time_point handed;    // Send
  Steady::time_point deadline;  // handed + request_timeout
  std::unique_ptr<Easy> easy;
  std::size_t index = 0;  // position in the active list
};

// Called by libcurl right before it makes the request on a connection, new or reused. The first
// call marks the request as possibly sent. A second call is libcurl re-sending on its own after a
// reused connection died without an answer (see cloud_api.h): refused, so it is sent at most once.
int BeforeRequest(void* user, char*, char*, int, int) {
  auto* transfer = static_cast<Transfer*>(user);
  return transfer->attempts++ == 0 ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
}

std::size_t WriteAnswer(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  if (transfer->answer.size() + size * count > kMaxAnswerBytes) return 0;  // CURLE_WRITE_ERROR
  transfer->answer.append(data, size * count);
  return size * count;
}

std::size_t ReadHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  constexpr std::string_view kRetryAfter = "retry-after:";
  if (line.starts_with("HTTP/")) {
    transfer->retry_after.clear();  // a new response (after a 100 Continue): its own headers
  } else if (line.size() > kRetryAfter.size() &&
             ::strncasecmp(line.data(), kRetryAfter.data(), kRetryAfter.size()) == 0) {
    line.remove_prefix(kRetryAfter.size());
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    transfer->retry_after = std::string(line.substr(0, 64));
  }
  return size * count;
}

SendResult Unsent(std::string detail) {
  SendResult result;
  result.outcome = Outcome::kNotSent;
  result.detail = std::move(detail);
  return result;
}

}  // namespace

class CloudApiProvider::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, CloudApiOptions options)
      : io_(io), options_(std::move(options)), waiting_timer_(io) {}
  ~Impl();

  Status Init();
  void Send(Message message, Done done);
  void Stop();
  std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  std::size_t transfers() const { return active_.size(); }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  void Start(std::unique_ptr<Transfer> transfer);
  void StartWaiting();
  void OnFinished(CURL* easy, CURLcode code);
  SendResult ResultOf(const Transfer& transfer, CURLcode code) const;
  void Finish(std::unique_ptr<Transfer> transfer, SendResult result);
  std::unique_ptr<Transfer> TakeActive(Transfer* transfer);
  std::unique_ptr<Easy> TakeEasy();
  void ArmWaitingTimer();
  void ExpireWaiting();
  void Post(Done done, SendResult result);

  asio::io_context& io_;
  const CloudApiOptions options_;
  std::string url_prefix_;  // "{base_url}/{api_version}/"
  curl_slist* headers_ = nullptr;
  std::unique_ptr<detail::CurlMulti> multi_;
  std::vector<std::unique_ptr<Transfer>> active_;  // handed to libcurl
  std::deque<std::unique_ptr<Transfer>> waiting_;  // for a slot, oldest (soonest deadline) first
  std::vector<std::unique_ptr<Easy>> idle_easies_;
  asio::steady_timer waiting_timer_;
  bool waiting_timer_armed_ = false;
  std::atomic<std::size_t> in_flight_{0};
  bool stopped_ = false;
};

CloudApiProvider::Impl::~Impl() {
  Stop();
  idle_easies_.clear();  // removed from the multi handle: cleaned up before it, as libcurl asks
  multi_.reset();
  curl_slist_free_all(headers_);
}

Status CloudApiProvider::Impl::Init() {
  url_prefix_ = options_.base_url + "/" + options_.api_version + "/";
  for (const std::string& header :
       {"Authorization: Bearer " + options_.access_token,
        std::string("Content-Type: application/json"), std::string("Expect:")}) {
    curl_slist* appended = curl_slist_append(headers_, header.c_str());
    if (appended == nullptr) return MakeError(ErrorCode::kResourceExhausted, "curl_slist_append");
    headers_ = appended;
  }
  auto multi = detail::CurlMulti::Create(
      io_, [this](CURL* easy, CURLcode code) { OnFinished(easy, code); },
      static_cast<long>(options_.max_in_flight));
  if (!multi) return std::move(multi).error();
  multi_ = std::move(multi).value();
  return Status::Ok();
}

std::unique_ptr<Easy> CloudApiProvider::Impl::TakeEasy() {
  if (!idle_easies_.empty()) {
    auto easy = std::move(idle_easies_.back());
    idle_easies_.pop_back();
    return easy;
  }
  auto easy = std::make_unique<Easy>();
  easy->handle = curl_easy_init();
  if (easy->handle == nullptr) return nullptr;
  CURL* h = easy->handle;
  const bool plain_http = options_.base_url.starts_with("http://");  // loopback only: checked
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, &BeforeRequest);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteAnswer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, easy->error);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, plain_http ? "http" : "https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  // Over TLS, wait for ALPN to tell whether the first connection multiplexes (HTTP/2) rather
  // than open one connection per send. Not over plain HTTP (loopback tests): there it would be
  // known only after the first answer, and one request that hangs would hold up all others.
  curl_easy_setopt(h, CURLOPT_PIPEWAIT, plain_http ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  // A connection idle for long may be closed by the server just as it is reused; the send would
  // then end uncertain (libcurl may not re-send it). Idle ones are not reused after this long.
  curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, 30L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "herald");
  return easy;
}

void CloudApiProvider::Impl::Send(Message message, Done done) {
  if (stopped_) return Post(std::move(done), Unsent("the provider is stopped"));
  if (!IsPlainSegment(message.phone_number_id)) {
    return Post(std::move(done), Unsent("invalid phone_number_id"));
  }
  auto transfer = std::make_unique<Transfer>();
  transfer->url = url_prefix_ + message.phone_number_id + "/messages";
  transfer->body = ToCloudApiJson(message);
  transfer->done = std::move(done);
  transfer->handed = Steady::now();
  transfer->deadline = transfer->handed + options_.request_timeout;
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  if (waiting_.empty() && active_.size() < options_.max_in_flight) {
    Start(std::move(transfer));
  } else {
    waiting_.push_back(std::move(transfer));
    ArmWaitingTimer();
  }
}

void CloudApiProvider::Impl::Start(std::unique_ptr<Transfer> transfer) {
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(transfer->deadline - Steady::now());
  if (left.count() <= 0) {
    return Finish(std::move(transfer),
                  Unsent("request_timeout passed while waiting for a transfer slot"));
  }
  transfer->easy = TakeEasy();
  if (!transfer->easy) return Finish(std::move(transfer), Unsent("curl_easy_init failed"));
  CURL* h = transfer->easy->handle;
  transfer->easy->error[0] = '\0';
  curl_easy_setopt(h, CURLOPT_URL, transfer->url.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, transfer->body.data());  // not copied: lives as long
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(transfer->body.size()));
  curl_easy_setopt(h, CURLOPT_PREREQDATA, transfer.get());
  curl_easy_setopt(h, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(h, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(h, CURLOPT_PRIVATE, transfer.get());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
  Transfer* raw = transfer.get();
  raw->index = active_.size();
  active_.push_back(std::move(transfer));
  if (Status added = multi_->Add(h); !added) {
    auto failed = TakeActive(raw);
    idle_easies_.push_back(std::move(failed->easy));
    Finish(std::move(failed), Unsent(added.error().message));
  }
}

void CloudApiProvider::Impl::StartWaiting() {
  while (!stopped_ && !waiting_.empty() && active_.size() < options_.max_in_flight) {
    auto next = std::move(waiting_.front());
    waiting_.pop_front();
    Start(std::move(next));
  }
}

std::unique_ptr<Transfer> CloudApiProvider::Impl::TakeActive(Transfer* transfer) {
  const std::size_t index = transfer->index;
  std::unique_ptr<Transfer> taken = std::move(active_[index]);
  if (index + 1 != active_.size()) {
    active_[index] = std::move(active_.back());
    active_[index]->index = index;
  }
  active_.pop_back();
  return taken;
}

void CloudApiProvider::Impl::OnFinished(CURL* easy, CURLcode code) {
  char* user = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &user);
  multi_->Remove(easy);
  auto transfer = TakeActive(reinterpret_cast<Transfer*>(user));
  SendResult result = ResultOf(*transfer, code);
  idle_easies_.push_back(std::move(transfer->easy));
  Finish(std::move(transfer), std::move(result));
  StartWaiting();
}

SendResult CloudApiProvider::Impl::ResultOf(const Transfer& transfer, CURLcode code) const {
  long status = 0;
  curl_easy_getinfo(transfer.easy->handle, CURLINFO_RESPONSE_CODE, &status);
  const auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const bool answered = status > 0 && (code == CURLE_OK || status >= 300);
  SendResult result;
  if (answered) {
    // A complete answer, or an error status whose body may be cut short: the platform said no.
    result = detail::ReadCloudApiAnswer(
        {static_cast<int>(status), transfer.answer, transfer.retry_after}, now);
  } else {
    result.outcome = detail::TransportOutcome(transfer.attempts > 0);
    result.http_status = static_cast<int>(status);
  }
  if (code != CURLE_OK) {
    std::string text =
        transfer.easy->error[0] != '\0' ? transfer.easy->error : curl_easy_strerror(code);
    result.detail += (result.detail.empty() ? "" : "; ") + std::string("curl: ") + text;
  } else if (!answered) {
    result.detail = "no HTTP answer";
  }
  return result;
}

void CloudApiProvider::Impl::Finish(std::unique_ptr<Transfer> transfer, SendResult result) {
  result.latency =
      std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - transfer->handed);
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  Post(std::move(transfer->done), std::move(result));
}

void CloudApiProvider::Impl::Post(Done done, SendResult result) {
  asio::post(io_, [done = std::move(done), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

void CloudApiProvider::Impl::ArmWaitingTimer() {
  if (waiting_timer_armed_ || waiting_.empty() || stopped_) return;
  waiting_timer_armed_ = true;
  waiting_timer_.expires_at(waiting_.front()->deadline);
  waiting_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self) return;
    self->waiting_timer_armed_ = false;
    if (!ec) self->ExpireWaiting();
  });
}

void CloudApiProvider::Impl::ExpireWaiting() {
  const auto now = Steady::now();
  while (!waiting_.empty() && waiting_.front()->deadline <= now) {
    auto expired = std::move(waiting_.front());
    waiting_.pop_front();
    Finish(std::move(expired), Unsent("request_timeout passed while waiting for a transfer slot"));
  }
  ArmWaitingTimer();
}

void CloudApiProvider::Impl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  waiting_timer_.cancel();
  auto active = std::move(active_);
  active_.clear();
  std::size_t uncertain = 0;
  std::size_t not_sent = waiting_.size();
  for (auto& transfer : active) {
    multi_->Remove(transfer->easy->handle);
    idle_easies_.push_back(std::move(transfer->easy));
    SendResult result;
    result.outcome = detail::TransportOutcome(transfer->attempts > 0);
    result.detail = result.outcome == Outcome::kNotSent
                        ? "the provider stopped before the request left"
                        : "the provider stopped while the request was open; it may have been sent";
    (result.outcome == Outcome::kNotSent ? not_sent : uncertain)++;
    Finish(std::move(transfer), std::move(result));
  }
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& transfer : waiting) {
    Finish(std::move(transfer), Unsent("the provider stopped before the request left"));
  }
  log::Info("event=provider_stopped kind={} uncertain={} not_sent={}", log::Quoted("cloud_api"),
            uncertain, not_sent);
}

CloudApiOptions CloudApiOptions::FromConfig(const config::CloudApiConfig& config,
                                            std::string access_token) {
  CloudApiOptions options;
  options.base_url = config.base_url;
  options.api_version = config.api_version;
  options.access_token = std::move(access_token);
  options.max_in_flight = config.max_in_flight;
  options.request_timeout = config.request_timeout;
  options.connect_timeout = config.connect_timeout;
  return options;
}

Result<std::unique_ptr<CloudApiProvider>> CloudApiProvider::Create(asio::io_context& io,
                                                                   CloudApiOptions options) {
  InitCurlOnce();
  while (options.base_url.ends_with('/')) options.base_url.pop_back();
  if (Status checked = config::CheckCloudApiBaseUrl(options.base_url); !checked) {
    return MakeError(ErrorCode::kInvalidArgument, checked.error().message,
                     std::string(kBaseUrlKey));
  }
  if (!IsPlainSegment(options.api_version)) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid API version",
                     "provider.cloud_api.api_version");
  }
  const bool token_ok =
      !options.access_token.empty() &&
      std::none_of(options.access_token.begin(), options.access_token.end(),
                   [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
  if (!token_ok) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the access token is empty or has a space or control character",
                     "provider.cloud_api.access_token_file");
  }
  if (options.max_in_flight == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "must be at least 1",
                     "provider.cloud_api.max_in_flight");
  }
  auto impl = std::make_shared<Impl>(io, std::move(options));
  if (Status initialised = impl->Init(); !initialised) return initialised.error();
  return std::unique_ptr<CloudApiProvider>(new CloudApiProvider(std::move(impl)));
}

CloudApiProvider::CloudApiProvider(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
CloudApiProvider::~CloudApiProvider() = default;

void CloudApiProvider::Send(Message message, Done done) {
  impl_->Send(std::move(message), std::move(done));
}
std::size_t CloudApiProvider::in_flight() const { return impl_->in_flight(); }
void CloudApiProvider::Stop() { impl_->Stop(); }
std::size_t CloudApiProvider::transfers() const { return impl_->transfers(); }
std::size_t CloudApiProvider::waiting() const { return impl_->waiting(); }

}  // namespace herald::provider
