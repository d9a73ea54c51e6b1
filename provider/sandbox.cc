#include "provider/sandbox.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "common/log.h"
#include "provider/detail/webhook_json.h"

namespace herald::provider {
namespace {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kSandboxAccount = "sandbox";
constexpr const char* kReplies[] = {"Thanks!", "Yes, please", "What time?", "ok", "👍"};

struct Event {
  Steady::time_point due;
  std::uint64_t sequence;  // ties are run in the order they were scheduled
  std::function<void()> run;
};

// For a min-heap on (due, sequence).
bool RunsLater(const Event& a, const Event& b) {
  return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
}

PlatformError MakePlatformError(std::int64_t code, std::string message, std::string details,
                                std::uint64_t trace) {
  PlatformError error;
  error.code = code;
  error.message = std::move(message);
  error.type = "OAuthException";
  error.details = std::move(details);
  error.fbtrace_id = "sandbox-" + std::to_string(trace);
  return error;
}

// Messages a number sent in one clock second.
struct SecondWindow {
  std::int64_t second = -1;
  std::size_t count = 0;
};

// What the simulated platform did with one send, decided at Send.
struct Decision {
  milliseconds answer_delay{0};
  SendResult result;
};

}  // namespace

class SandboxProvider::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, config::SandboxConfig config, WebhookSink webhooks, const Clock& clock)
      : io_(io),
        config_(config),
        webhooks_(std::move(webhooks)),
        clock_(clock),
        random_(config.seed),
        timer_(io) {}

  void Send(Message message, Done done);
  void Stop();
  std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  double Uniform() { return static_cast<double>(random_() >> 11) * 0x1.0p-53; }
  milliseconds Jitter(milliseconds mean) {
    return milliseconds(
        static_cast<std::int64_t>(static_cast<double>(mean.count()) * (0.5 + Uniform())));
  }
  std::string NextMessageId();
  Decision Decide(const Message& message, SysTime now);
  bool OverThroughput(const std::string& number, SysTime now);
  bool WithinPairInterval(const Message& message, SysTime now);
  void ScheduleStatuses(const Message& message, const std::string& message_id,
                        Steady::time_point at);
  void EmitStatus(const Message& message, const std::string& message_id, std::string status,
                  std::optional<detail::StatusError> error);
  void EmitReply(const Message& message, const std::string& message_id, std::string body);
  void Schedule(Steady::time_point due, std::function<void()> run);
  void ArmTimer();
  void RunDue();

  asio::io_context& io_;
  const config::SandboxConfig config_;
  WebhookSink webhooks_;
  const Clock& clock_;
  std::mt19937_64 random_;
  std::uint64_t sends_ = 0;
  std::uint64_t messages_ = 0;
  std::uint64_t sequence_ = 0;
  std::vector<Event> events_;  // a heap: RunsLater
  asio::steady_timer timer_;
  std::optional<Steady::time_point> armed_at_;
  std::uint64_t timer_generation_ = 0;
  std::map<std::uint64_t, Done> unanswered_;     // by send number
  std::map<std::string, SecondWindow> seconds_;  // by phone_number_id
  // The last accepted message per (number, recipient), and the same in time order for pruning.
  std::map<std::pair<std::string, std::string>, SysTime> last_to_pair_;
  std::deque<std::pair<SysTime, std::pair<std::string, std::string>>> pair_times_;
  std::atomic<std::size_t> in_flight_{0};
  bool stopped_ = false;
};

void SandboxProvider::Impl::Send(Message message, Done done) {
  if (stopped_) {
    SendResult result;
    result.outcome = Outcome::kNotSent;
    result.detail = "the provider is stopped";
    asio::post(io_, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
    return;
  }
  const std::uint64_t send = sends_++;
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  unanswered_.emplace(send, std::move(done));
  Decision decision = Decide(message, clock_.Now());
  const Steady::time_point answer_at = Steady::now() + decision.answer_delay;
  decision.result.latency = decision.answer_delay;
  if (decision.result.outcome == Outcome::kAccepted) {
    ScheduleStatuses(message, decision.result.message_id, answer_at);
  }
  Schedule(answer_at, [this, send, result = std::move(decision.result)]() mutable {
    auto found = unanswered_.find(send);
    if (found == unanswered_.end()) return;
    Done answered = std::move(found->second);
    unanswered_.erase(found);
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    asio::post(io_, [answered = std::move(answered), result = std::move(result)]() mutable {
      answered(std::move(result));
    });
  });
}

std::string SandboxProvider::Impl::NextMessageId() {
  char id[64];
  std::snprintf(id, sizeof(id), "wamid.sandbox.%06llu.%016llx",
                static_cast<unsigned long long>(++messages_),
                static_cast<unsigned long long>(random_()));
  return id;
}

Decision SandboxProvider::Impl::Decide(const Message& message, SysTime now) {
  Decision decision;
  decision.answer_delay = Jitter(config_.latency);
  SendResult& result = decision.result;
  const std::uint64_t trace = sends_;
  if (Uniform() < config_.transient_error_rate) {
    result.outcome = Outcome::kRejected;
    result.http_status = 500;
    result.error = MakePlatformError(131000, "(#131000) Something went wrong",
                                     "Message failed to send because of an unknown error.", trace);
  } else if (OverThroughput(message.phone_number_id, now)) {
    result.outcome = Outcome::kRejected;
    result.http_status = 400;
    result.error = MakePlatformError(130429, "(#130429) Rate limit hit",
                                     "Cloud API message throughput has been reached.", trace);
  } else if (WithinPairInterval(message, now)) {
    result.outcome = Outcome::kRejected;
    result.http_status = 400;
    result.error = MakePlatformError(
        131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone "
        "number to the same phone number in a short period of time.",
        trace);
  } else {
    result.outcome = Outcome::kAccepted;
    result.http_status = 200;
    result.message_id = NextMessageId();
    result.message_status = "accepted";
    seconds_[message.phone_number_id].count++;
    auto key = std::pair{message.phone_number_id, message.to};
    last_to_pair_[key] = now;
    pair_times_.emplace_back(now, std::move(key));
    return decision;
  }
  result.detail = "sandbox: error " + std::to_string(result.error->code);
  return decision;
}

bool SandboxProvider::Impl::OverThroughput(const std::string& number, SysTime now) {
  const std::int64_t second =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  SecondWindow& window = seconds_[number];
  if (window.second != second) window = SecondWindow{second, 0};
  return window.count >= config_.throughput;
}

bool SandboxProvider::Impl::WithinPairInterval(const Message& message, SysTime now) {
  while (!pair_times_.empty() && pair_times_.front().first + config_.pair_interval <= now) {
    auto found = last_to_pair_.find(pair_times_.front().second);
    if (found != last_to_pair_.end() && found->second == pair_times_.front().first) {
      last_to_pair_.erase(found);
    }
    pair_times_.pop_front();
  }
  if (config_.pair_interval.count() == 0) return false;
  auto found = last_to_pair_.find({message.phone_number_id, message.to});
  return found != last_to_pair_.end() && now - found->second < config_.pair_interval;
}

void SandboxProvider::Impl::ScheduleStatuses(const Message& message, const std::string& message_id,
                                             Steady::time_point at) {
  // Every draw is made here, in a fixed order, so the outcome does not depend on timing.
  const bool undeliverable = Uniform() < config_.undeliverable_rate;
  const bool read = Uniform() < config_.read_rate;
  const bool reply = Uniform() < config_.reply_rate;
  const bool stop = Uniform() < config_.stop_rate;
  const std::string reply_text = stop ? "STOP" : kReplies[random_() % std::size(kReplies)];
  std::vector<milliseconds> delays;
  for (int i = 0; i < 4; ++i) delays.push_back(Jitter(config_.status_delay));

  // The events share one copy of the message.
  auto shared = std::make_shared<const Message>(message);
  at += delays[0];
  Schedule(at, [this, shared, message_id] { EmitStatus(*shared, message_id, "sent", {}); });
  at += delays[1];
  if (undeliverable) {
    detail::StatusError error{131026, "Message undeliverable", "Message undeliverable",
                              "Message Undeliverable."};
    Schedule(at, [this, shared, message_id, error] {
      EmitStatus(*shared, message_id, "failed", error);
    });
    return;
  }
  Schedule(at, [this, shared, message_id] { EmitStatus(*shared, message_id, "delivered", {}); });
  if (!read) return;
  at += delays[2];
  Schedule(at, [this, shared, message_id] { EmitStatus(*shared, message_id, "read", {}); });
  if (!reply) return;
  at += delays[3];
  Schedule(at,
           [this, shared, message_id, reply_text] { EmitReply(*shared, message_id, reply_text); });
}

void SandboxProvider::Impl::EmitStatus(const Message& message, const std::string& message_id,
                                       std::string status,
                                       std::optional<detail::StatusError> error) {
  detail::StatusUpdate update;
  update.message_id = message_id;
  update.status = std::move(status);
  update.timestamp = clock_.Now();
  update.recipient_id = message.to;
  update.callback_data = message.callback_data;
  update.error = std::move(error);
  if (!update.error) {
    const bool text = std::holds_alternative<TextContent>(message.content);
    update.pricing = text ? detail::StatusPricing{false, "PMP", "service", "free_customer_service"}
                          : detail::StatusPricing{true, "PMP", "marketing", "regular"};
  }
  const detail::WebhookAccount account{std::string(kSandboxAccount), message.phone_number_id,
                                       message.phone_number_id};
  webhooks_(detail::StatusWebhookJson(account, update));
}

void SandboxProvider::Impl::EmitReply(const Message& message, const std::string& message_id,
                                      std::string body) {
  detail::InboundText inbound;
  inbound.from = message.to;
  inbound.profile_name =
      "Sandbox " + message.to.substr(message.to.size() > 4 ? message.to.size() - 4 : 0);
  inbound.message_id = "wamid.sandbox.in." + message_id.substr(message_id.rfind('.') + 1);
  inbound.timestamp = clock_.Now();
  inbound.body = std::move(body);
  inbound.context_message_id = message_id;
  const detail::WebhookAccount account{std::string(kSandboxAccount), message.phone_number_id,
                                       message.phone_number_id};
  webhooks_(detail::InboundTextWebhookJson(account, inbound));
}

void SandboxProvider::Impl::Schedule(Steady::time_point due, std::function<void()> run) {
  events_.push_back(Event{due, sequence_++, std::move(run)});
  std::push_heap(events_.begin(), events_.end(), RunsLater);
  ArmTimer();
}

void SandboxProvider::Impl::ArmTimer() {
  if (stopped_ || events_.empty()) return;
  const Steady::time_point due = events_.front().due;
  if (armed_at_ && *armed_at_ <= due) return;
  timer_.expires_at(due);
  armed_at_ = due;
  const std::uint64_t generation = ++timer_generation_;
  timer_.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || self->timer_generation_ != generation) return;
    self->armed_at_.reset();
    if (!ec) self->RunDue();
  });
}

void SandboxProvider::Impl::RunDue() {
  const Steady::time_point now = Steady::now();
  while (!stopped_ && !events_.empty() && events_.front().due <= now) {
    std::pop_heap(events_.begin(), events_.end(), RunsLater);
    std::function<void()> run = std::move(events_.back().run);
    events_.pop_back();
    run();
  }
  ArmTimer();
}

void SandboxProvider::Impl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  events_.clear();
  for (auto& [send, done] : unanswered_) {
    SendResult result;
    result.outcome = Outcome::kUncertain;
    result.detail = "the provider stopped before the sandbox answered";
    asio::post(io_, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }
  log::Info("event=provider_stopped kind={} uncertain={} not_sent={}", log::Quoted("sandbox"),
            unanswered_.size(), 0);
  unanswered_.clear();
  in_flight_.store(0, std::memory_order_relaxed);
}

SandboxProvider::SandboxProvider(asio::io_context& io, config::SandboxConfig config,
                                 WebhookSink webhooks, const Clock& clock)
    : impl_(std::make_shared<Impl>(io, config, std::move(webhooks), clock)) {}

SandboxProvider::~SandboxProvider() { impl_->Stop(); }

void SandboxProvider::Send(Message message, Done done) {
  impl_->Send(std::move(message), std::move(done));
}
std::size_t SandboxProvider::in_flight() const { return impl_->in_flight(); }
void SandboxProvider::Stop() { impl_->Stop(); }

}  // namespace herald::provider
