#include "provider/sandbox.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <cstdio>
#include <deque>
#include <limits>
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

// Bit 63 of Event::what: the event is the next status of the message in that slot, not an answer.
constexpr std::uint64_t kStatusEvent = std::uint64_t{1} << 63;

// What the timer runs next: an answer (the send's number) or a message's next status (its slot).
// 24 bytes, no allocation: a campaign's worth of pending statuses must not cost a closure each.
struct Event {
  Steady::time_point due{};
  std::uint64_t sequence = 0;  // ties are run in the order they were scheduled
  std::uint64_t what = 0;
};

// For a min-heap on (due, sequence).
bool RunsLater(const Event& a, const Event& b) {
  return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
}

// The statuses of one accepted message: what their webhooks need and what was drawn at Send.
// Statuses go out one after the other: when one is emitted the next is scheduled, with the
// sequence number reserved for it at Send, so the order of events is the same as if every status
// had been scheduled at Send. About 110 bytes (the two strings fit their small buffers for E.164
// numbers and delivery ids).
struct PendingStatuses {
  std::string to;
  std::string callback_data;
  std::uint64_t message_number = 0;  // the two parts of the wamid (MessageIdOf)
  std::uint64_t message_random = 0;
  std::uint64_t first_sequence = 0;          // the next status's is first_sequence + stage
  std::array<std::uint32_t, 3> delays_ms{};  // before delivered|failed, read, reply
  std::uint32_t number = 0;                  // the sender, an index in numbers_
  std::uint8_t stage = 0;                    // next: 0 sent, 1 delivered|failed, 2 read, 3 reply
  std::uint8_t stages = 0;                   // how many there are: 2, 3 or 4
  std::uint8_t reply = 0;                    // index in kReplies; kStopReply for "STOP"
  bool undeliverable = false;
  bool text = false;
};
constexpr std::uint8_t kStopReply = 0xff;

std::string MessageIdOf(std::uint64_t number, std::uint64_t random) {
  char id[64];
  std::snprintf(id, sizeof(id), "wamid.sandbox.%06llu.%016llx",
                static_cast<unsigned long long>(number), static_cast<unsigned long long>(random));
  return id;
}

std::uint32_t Milliseconds32(milliseconds delay) {
  return static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(delay.count(), 0, std::numeric_limits<std::uint32_t>::max()));
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
  std::uint64_t message_random = 0;  // of an accepted message's wamid
};

}  // namespace

class SandboxProvider::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, config::SandboxConfig config, SandboxLimits limits,
       WebhookSink webhooks, const Clock& clock)
      : io_(io),
        config_(config),
        limits_(limits),
        webhooks_(std::move(webhooks)),
        clock_(clock),
        random_(config.seed),
        timer_(io) {}

  void Send(Message message, Done done);
  void Stop();
  std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  std::size_t pending_statuses() const { return statuses_.size() - free_slots_.size(); }
  std::uint64_t shed_statuses() const { return shed_; }

 private:
  // A send not answered yet, and its answer once decided.
  struct Unanswered {
    Done done;
    SendResult result;
  };

  double Uniform() { return static_cast<double>(random_() >> 11) * 0x1.0p-53; }
  milliseconds Jitter(milliseconds mean) {
    return milliseconds(
        static_cast<std::int64_t>(static_cast<double>(mean.count()) * (0.5 + Uniform())));
  }
  Decision Decide(const Message& message, SysTime now);
  bool OverThroughput(const std::string& number, SysTime now);
  bool WithinPairInterval(const Message& message, SysTime now);
  void ScheduleStatuses(const Message& message, std::uint64_t message_number,
                        std::uint64_t message_random, Steady::time_point at);
  std::uint32_t NumberIndex(const std::string& phone_number_id);
  void RunStatus(std::uint32_t slot, Steady::time_point due);
  void EmitStatus(const PendingStatuses& pending, std::string status,
                  std::optional<detail::StatusError> error);
  void EmitReply(const PendingStatuses& pending, std::string body);
  void Answer(std::uint64_t send);
  void Schedule(Steady::time_point due, std::uint64_t sequence, std::uint64_t what);
  void ArmTimer();
  void RunDue();

  asio::io_context& io_;
  const config::SandboxConfig config_;
  const SandboxLimits limits_;
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
  std::map<std::uint64_t, Unanswered> unanswered_;  // by send number
  // Accepted messages whose statuses are still to come, by slot; free slots are reused.
  std::vector<PendingStatuses> statuses_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t shed_ = 0;  // accepted messages whose statuses were not simulated (the cap)
  std::vector<std::string> numbers_;  // phone_number_ids of PendingStatuses::number
  std::map<std::string, std::uint32_t, std::less<>> number_index_;
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
  Unanswered& unanswered = unanswered_[send];
  unanswered.done = std::move(done);
  const std::uint64_t message_number = messages_ + 1;
  Decision decision = Decide(message, clock_.Now());
  const Steady::time_point answer_at = Steady::now() + decision.answer_delay;
  decision.result.latency = decision.answer_delay;
  if (decision.result.outcome == Outcome::kAccepted) {
    ScheduleStatuses(message, message_number, decision.message_random, answer_at);
  }
  unanswered.result = std::move(decision.result);
  Schedule(answer_at, sequence_++, send);
}

void SandboxProvider::Impl::Answer(std::uint64_t send) {
  auto found = unanswered_.find(send);
  if (found == unanswered_.end()) return;
  Unanswered answered = std::move(found->second);
  unanswered_.erase(found);
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  asio::post(io_, [done = std::move(answered.done), result = std::move(answered.result)]() mutable {
    done(std::move(result));
  });
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
    decision.message_random = random_();
    result.message_id = MessageIdOf(++messages_, decision.message_random);
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

void SandboxProvider::Impl::ScheduleStatuses(const Message& message, std::uint64_t message_number,
                                             std::uint64_t message_random, Steady::time_point at) {
  // Every draw is made here, in a fixed order, so the outcome does not depend on timing (nor on
  // whether the cap sheds this message's statuses).
  const bool undeliverable = Uniform() < config_.undeliverable_rate;
  const bool read = Uniform() < config_.read_rate;
  const bool reply = Uniform() < config_.reply_rate;
  const bool stop = Uniform() < config_.stop_rate;
  const std::uint8_t reply_index =
      stop ? kStopReply : static_cast<std::uint8_t>(random_() % std::size(kReplies));
  std::array<milliseconds, 4> delays;
  for (milliseconds& delay : delays) delay = Jitter(config_.status_delay);
  const std::uint8_t stages = undeliverable ? 2 : !read ? 2 : !reply ? 3 : 4;
  if (pending_statuses() >= limits_.max_pending_statuses) {
    if (shed_++ == 0) {
      log::Warn("event=sandbox_statuses_shed pending={} max_pending_statuses={}",
                pending_statuses(), limits_.max_pending_statuses);
    }
    return;
  }
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(statuses_.size());
    statuses_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  PendingStatuses& pending = statuses_[slot];
  pending.to = message.to;
  pending.callback_data = message.callback_data;
  pending.message_number = message_number;
  pending.message_random = message_random;
  pending.first_sequence = sequence_;
  sequence_ += stages;
  for (std::size_t i = 0; i < pending.delays_ms.size(); ++i) {
    pending.delays_ms[i] = Milliseconds32(delays[i + 1]);
  }
  pending.number = NumberIndex(message.phone_number_id);
  pending.stage = 0;
  pending.stages = stages;
  pending.reply = reply_index;
  pending.undeliverable = undeliverable;
  pending.text = std::holds_alternative<TextContent>(message.content);
  Schedule(at + delays[0], pending.first_sequence, kStatusEvent | slot);
}

std::uint32_t SandboxProvider::Impl::NumberIndex(const std::string& phone_number_id) {
  auto [found, added] =
      number_index_.try_emplace(phone_number_id, static_cast<std::uint32_t>(numbers_.size()));
  if (added) numbers_.push_back(phone_number_id);
  return found->second;
}

// Emits the slot's next status and schedules the one after it, or frees the slot.
void SandboxProvider::Impl::RunStatus(std::uint32_t slot, Steady::time_point due) {
  PendingStatuses& pending = statuses_[slot];
  const std::uint8_t stage = pending.stage++;
  if (stage == 0) {
    EmitStatus(pending, "sent", {});
  } else if (stage == 1 && pending.undeliverable) {
    EmitStatus(pending, "failed",
               detail::StatusError{131026, "Message undeliverable", "Message undeliverable",
                                   "Message Undeliverable."});
  } else if (stage == 1) {
    EmitStatus(pending, "delivered", {});
  } else if (stage == 2) {
    EmitStatus(pending, "read", {});
  } else {
    EmitReply(pending, pending.reply == kStopReply ? "STOP" : kReplies[pending.reply]);
  }
  if (stopped_) return;                      // the webhook sink stopped the provider
  PendingStatuses& after = statuses_[slot];  // the sink may have sent: statuses_ may have moved
  if (after.stage < after.stages) {
    Schedule(due + milliseconds(after.delays_ms[stage]), after.first_sequence + after.stage,
             kStatusEvent | slot);
    return;
  }
  after = PendingStatuses{};  // gives back what the strings held
  free_slots_.push_back(slot);
}

void SandboxProvider::Impl::EmitStatus(const PendingStatuses& pending, std::string status,
                                       std::optional<detail::StatusError> error) {
  const std::string message_id = MessageIdOf(pending.message_number, pending.message_random);
  detail::StatusUpdate update;
  update.message_id = message_id;
  update.status = std::move(status);
  update.timestamp = clock_.Now();
  update.recipient_id = pending.to;
  update.callback_data = pending.callback_data;
  update.error = std::move(error);
  if (!update.error) {
    update.pricing = pending.text
                         ? detail::StatusPricing{false, "PMP", "service", "free_customer_service"}
                         : detail::StatusPricing{true, "PMP", "marketing", "regular"};
  }
  const std::string& number = numbers_[pending.number];
  const detail::WebhookAccount account{std::string(kSandboxAccount), number, number};
  webhooks_(detail::StatusWebhookJson(account, update));
}

void SandboxProvider::Impl::EmitReply(const PendingStatuses& pending, std::string body) {
  const std::string message_id = MessageIdOf(pending.message_number, pending.message_random);
  const std::string& to = pending.to;
  detail::InboundText inbound;
  inbound.from = to;
  inbound.profile_name = "Sandbox " + to.substr(to.size() > 4 ? to.size() - 4 : 0);
  inbound.message_id = "wamid.sandbox.in." + message_id.substr(message_id.rfind('.') + 1);
  inbound.timestamp = clock_.Now();
  inbound.body = std::move(body);
  inbound.context_message_id = message_id;
  const std::string& number = numbers_[pending.number];
  const detail::WebhookAccount account{std::string(kSandboxAccount), number, number};
  webhooks_(detail::InboundTextWebhookJson(account, inbound));
}

void SandboxProvider::Impl::Schedule(Steady::time_point due, std::uint64_t sequence,
                                     std::uint64_t what) {
  events_.push_back(Event{due, sequence, what});
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
    const Event event = events_.back();
    events_.pop_back();
    if ((event.what & kStatusEvent) != 0) {
      RunStatus(static_cast<std::uint32_t>(event.what & ~kStatusEvent), event.due);
    } else {
      Answer(event.what);
    }
  }
  ArmTimer();
}

void SandboxProvider::Impl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  events_ = {};
  statuses_ = {};
  free_slots_ = {};
  for (auto& [send, unanswered] : unanswered_) {
    SendResult result;
    result.outcome = Outcome::kUncertain;
    result.detail = "the provider stopped before the sandbox answered";
    asio::post(io_, [done = std::move(unanswered.done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }
  log::Info("event=provider_stopped kind={} uncertain={} not_sent={} statuses_shed={}",
            log::Quoted("sandbox"), unanswered_.size(), 0, shed_);
  unanswered_.clear();
  in_flight_.store(0, std::memory_order_relaxed);
}

SandboxProvider::SandboxProvider(asio::io_context& io, config::SandboxConfig config,
                                 WebhookSink webhooks, const Clock& clock, SandboxLimits limits)
    : impl_(std::make_shared<Impl>(io, config, limits, std::move(webhooks), clock)) {}

SandboxProvider::~SandboxProvider() { impl_->Stop(); }

void SandboxProvider::Send(Message message, Done done) {
  impl_->Send(std::move(message), std::move(done));
}
std::size_t SandboxProvider::in_flight() const { return impl_->in_flight(); }
std::size_t SandboxProvider::pending_statuses() const { return impl_->pending_statuses(); }
std::uint64_t SandboxProvider::shed_statuses() const { return impl_->shed_statuses(); }
void SandboxProvider::Stop() { impl_->Stop(); }

}  // namespace herald::provider
