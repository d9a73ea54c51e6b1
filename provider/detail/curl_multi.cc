#include "provider/detail/curl_multi.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace herald::provider::detail {
namespace {

namespace asio = boost::asio;
using SteadyTime = std::chrono::steady_clock::time_point;

// Sockets handed to libcurl per look at the epoll set; more wait for the next look.
constexpr int kMaxEventsPerPoll = 256;

int CurlActionOf(std::uint32_t events) {
  int action = 0;
  if (events & EPOLLIN) action |= CURL_CSELECT_IN;
  if (events & EPOLLOUT) action |= CURL_CSELECT_OUT;
  // An error or hang-up alone: let libcurl find out what happened on its next read.
  if (action == 0 && (events & (EPOLLERR | EPOLLHUP))) action = CURL_CSELECT_ERR;
  return action;
}

}  // namespace

class CurlMulti::State : public std::enable_shared_from_this<State> {
 public:
  State(asio::io_context& io, Finished finished, CURLM* multi, int epoll_fd)
      : io_(io),
        finished_(std::move(finished)),
        multi_(multi),
        sockets_(io, epoll_fd),
        timer_(io) {}
  ~State() {
    closing_ = true;
    // Closes the cached connections; the socket and timer callbacks still run and need members.
    curl_multi_cleanup(multi_);
  }

  void Start();
  void Close();
  CURLM* multi() const { return multi_; }

  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* state, void* per_socket);
  static int OnTimer(CURLM* multi, long timeout_ms, void* state);

 private:
  void Watch(curl_socket_t socket, int what);
  void SetTimer(long timeout_ms);
  void ArmTimer(SteadyTime at);
  void TimerFired();
  void WaitForSockets();
  void PollSockets();
  void DrainFinished();

  asio::io_context& io_;
  Finished finished_;
  CURLM* multi_;
  asio::posix::stream_descriptor sockets_;  // the epoll set of libcurl's sockets
  std::vector<char> registered_;            // by descriptor: in the epoll set
  bool poll_pending_ = false;               // an async_wait or a posted poll is outstanding
  asio::steady_timer timer_;
  std::optional<SteadyTime> deadline_;  // when libcurl wants its timeout action
  std::optional<SteadyTime> armed_at_;  // when the pending timer wait fires
  std::uint64_t timer_generation_ = 0;
  bool closing_ = false;
};

int CurlMulti::State::OnSocket(CURL*, curl_socket_t socket, int what, void* state, void*) {
  static_cast<State*>(state)->Watch(socket, what);
  return 0;
}

int CurlMulti::State::OnTimer(CURLM*, long timeout_ms, void* state) {
  static_cast<State*>(state)->SetTimer(timeout_ms);
  return 0;
}

void CurlMulti::State::Start() { WaitForSockets(); }

void CurlMulti::State::Close() {
  closing_ = true;
  boost::system::error_code ignored;
  sockets_.cancel(ignored);
  timer_.cancel();
}

// libcurl's socket callback: no libcurl calls in here.
void CurlMulti::State::Watch(curl_socket_t socket, int what) {
  if (socket < 0) return;
  const auto index = static_cast<std::size_t>(socket);
  if (index >= registered_.size()) registered_.resize(index + 64, 0);
  const int epoll_fd = sockets_.native_handle();
  if (what == CURL_POLL_REMOVE) {
    // libcurl reports the removal before it closes the socket (Curl_multi_closed).
    if (registered_[index]) ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, socket, nullptr);
    registered_[index] = 0;
    return;
  }
  epoll_event event{};
  event.events = ((what & CURL_POLL_IN) ? std::uint32_t{EPOLLIN} : 0u) |
                 ((what & CURL_POLL_OUT) ? std::uint32_t{EPOLLOUT} : 0u);
  event.data.fd = socket;
  int op = registered_[index] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (::epoll_ctl(epoll_fd, op, socket, &event) != 0) {
    // Our record was stale (a descriptor closed and reused without a removal): take the other op.
    op = errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    ::epoll_ctl(epoll_fd, op, socket, &event);
  }
  registered_[index] = 1;
}

// libcurl's timer callback: one non-repeating timer; no libcurl calls in here.
void CurlMulti::State::SetTimer(long timeout_ms) {
  if (timeout_ms < 0) {
    deadline_.reset();  // a pending wait fires and finds nothing to do
    return;
  }
  const SteadyTime at = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  deadline_ = at;
  // A wait that fires before `at` re-arms for the rest; cheaper than cancelling it every time.
  if (armed_at_ && *armed_at_ <= at) return;
  ArmTimer(at);
}

void CurlMulti::State::ArmTimer(SteadyTime at) {
  if (closing_) return;
  timer_.expires_at(at);  // a superseded wait completes with operation_aborted
  armed_at_ = at;
  const std::uint64_t generation = ++timer_generation_;
  timer_.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || self->timer_generation_ != generation) return;
    self->armed_at_.reset();
    if (!ec) self->TimerFired();
  });
}

void CurlMulti::State::TimerFired() {
  if (!deadline_) return;
  if (std::chrono::steady_clock::now() < *deadline_) return ArmTimer(*deadline_);
  deadline_.reset();
  int running = 0;
  curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  DrainFinished();
}

void CurlMulti::State::WaitForSockets() {
  if (closing_ || poll_pending_) return;
  poll_pending_ = true;
  sockets_.async_wait(asio::posix::descriptor_base::wait_read,
                      [weak = weak_from_this()](const boost::system::error_code& ec) {
                        auto self = weak.lock();
                        if (!self) return;
                        self->poll_pending_ = false;
                        if (!ec) self->PollSockets();
                      });
}

void CurlMulti::State::PollSockets() {
  epoll_event events[kMaxEventsPerPoll];
  const int ready = ::epoll_wait(sockets_.native_handle(), events, kMaxEventsPerPoll, 0);
  for (int i = 0; i < ready; ++i) {
    int running = 0;
    curl_multi_socket_action(multi_, events[i].data.fd, CurlActionOf(events[i].events), &running);
  }
  DrainFinished();
  if (closing_) return;
  if (ready > 0) {
    // Look again before waiting: the set is level-triggered, the io_context's epoll is not.
    poll_pending_ = true;
    asio::post(io_, [weak = weak_from_this()] {
      auto self = weak.lock();
      if (!self) return;
      self->poll_pending_ = false;
      self->PollSockets();
    });
  } else {
    WaitForSockets();
  }
}

void CurlMulti::State::DrainFinished() {
  std::vector<std::pair<CURL*, CURLcode>> finished;
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg == CURLMSG_DONE)
      finished.emplace_back(message->easy_handle, message->data.result);
  }
  auto self = shared_from_this();  // `finished_` must not end us, but be safe
  for (const auto& [easy, result] : finished) finished_(easy, result);
}

CurlMulti::CurlMulti(std::shared_ptr<State> state) : state_(std::move(state)) {}

CurlMulti::~CurlMulti() {
  state_->Close();
  state_.reset();
}

Result<std::unique_ptr<CurlMulti>> CurlMulti::Create(asio::io_context& io, Finished finished,
                                                     long max_connections) {
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    return MakeError(ErrorCode::kResourceExhausted,
                     "epoll_create1 failed: errno " + std::to_string(errno));
  }
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) {
    ::close(epoll_fd);
    return MakeError(ErrorCode::kResourceExhausted, "curl_multi_init failed");
  }
  auto state = std::make_shared<State>(io, std::move(finished), multi, epoll_fd);
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &State::OnSocket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, state.get());
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &State::OnTimer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, state.get());
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, max_connections);
  state->Start();
  return std::unique_ptr<CurlMulti>(new CurlMulti(std::move(state)));
}

Status CurlMulti::Add(CURL* easy) {
  const CURLMcode code = curl_multi_add_handle(state_->multi(), easy);
  if (code != CURLM_OK) {
    return MakeError(ErrorCode::kInternal,
                     std::string("curl_multi_add_handle: ") + curl_multi_strerror(code));
  }
  return Status::Ok();
}

void CurlMulti::Remove(CURL* easy) { curl_multi_remove_handle(state_->multi(), easy); }

}  // namespace herald::provider::detail
