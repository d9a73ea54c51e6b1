#include "pacer_server_sim.h"

#include <deque>
#include <queue>
#include <random>

#include "pacer_test_support.h"

namespace herald::campaign::testing {
namespace {

using std::chrono::nanoseconds;

enum class Kind { kWake, kArrive, kAnswer, kTick, kLimit };

struct Event {
  SteadyTime at;
  std::uint64_t seq = 0;  // ties in creation order: the run is deterministic
  Kind kind = Kind::kTick;
  std::size_t number = 0;
  Grant grant;
  bool accepted = false;
  int limit = 0;

  bool operator>(const Event& other) const {
    return at != other.at ? at > other.at : seq > other.seq;
  }
};

Event MakeEvent(SteadyTime at, Kind kind, std::size_t number = 0) {
  Event event;
  event.at = at;
  event.kind = kind;
  event.number = number;
  return event;
}

PacerTime Now(SteadyTime at) { return At(at - kSteadyStart); }

class Simulation {
 public:
  Simulation(Pacer& pacer, const SimConfig& config)
      : pacer_(pacer), config_(config), rng_(config.seed), results_(config.numbers.size()) {
    for (const SimNumber& number : config.numbers) servers_.push_back({number.server_limit, {}});
  }

  std::vector<SimNumberResult> Run() {
    for (std::size_t i = 0; i < config_.numbers.size(); ++i)
      Push(MakeEvent(kSteadyStart, Kind::kWake, i));
    Push(MakeEvent(kSteadyStart + config_.tick, Kind::kTick));
    for (const LimitChange& change : config_.changes) {
      Event event = MakeEvent(kSteadyStart + change.at, Kind::kLimit, change.number);
      event.limit = change.server_limit;
      Push(event);
    }
    const SteadyTime end = kSteadyStart + config_.duration;
    while (!events_.empty() && events_.top().at < end) {
      const Event event = events_.top();
      events_.pop();
      Handle(event);
    }
    return std::move(results_);
  }

 private:
  struct Server {
    int limit;
    std::deque<SteadyTime> accepted;  // in the last second
  };

  void Push(Event event) {
    event.seq = ++seq_;
    events_.push(event);
  }

  nanoseconds Uniform(nanoseconds low, nanoseconds high) {
    std::uniform_int_distribution<std::int64_t> pick(low.count(), high.count());
    return nanoseconds(pick(rng_));
  }

  void Handle(const Event& event) {
    switch (event.kind) {
      case Kind::kWake:
        return Wake(event.number, event.at);
      case Kind::kArrive:
        return Arrive(event);
      case Kind::kAnswer:
        return Answer(event);
      case Kind::kTick:
        return Tick(event.at);
      case Kind::kLimit:
        servers_[event.number].limit = event.limit;
        return;
    }
  }

  // The runner of one number: sends while granted, then sleeps until retry_at.
  void Wake(std::size_t number, SteadyTime at) {
    const SenderId sender = config_.numbers[number].sender;
    while (true) {
      SendRequest request{sender, ContactId{++recipient_}, Purpose::kUtility, false};
      const Admission admission = pacer_.TryAcquire(request, Now(at));
      if (!admission.granted()) {
        if (admission.retry_at == kUntilChanged) return;
        const nanoseconds late = Uniform(nanoseconds(0), config_.runner_lateness_max);
        Push(MakeEvent(admission.retry_at + late, Kind::kWake, number));
        return;
      }
      results_[number].grants.push_back(at);
      Event arrive = MakeEvent(at + config_.uplink, Kind::kArrive, number);
      arrive.grant = admission.grant;
      Push(arrive);
    }
  }

  void Arrive(const Event& event) {
    Server& server = servers_[event.number];
    while (!server.accepted.empty() &&
           server.accepted.front() + std::chrono::seconds(1) <= event.at) {
      server.accepted.pop_front();
    }
    Event answer = event;
    answer.kind = Kind::kAnswer;
    answer.at = event.at + Uniform(config_.downlink_min, config_.downlink_max);
    answer.accepted = static_cast<int>(server.accepted.size()) < server.limit;
    if (answer.accepted) {
      server.accepted.push_back(event.at);
      results_[event.number].server_accepted.push_back(event.at);
    } else {
      ++results_[event.number].throttled;
    }
    Push(answer);
  }

  void Answer(const Event& event) {
    if (event.accepted) {
      pacer_.OnAccepted(event.grant, Now(event.at));
      return;
    }
    static const SendErrorInfo kThrottle =
        ClassifySendFailure({SendTransport::kAnswered, 400, 130429, {}});
    pacer_.OnFailed(event.grant, kThrottle, Now(event.at), config_.throttle_retry_after);
  }

  void Tick(SteadyTime at) {
    std::vector<SenderBacklog> backlogs;
    for (const SimNumber& number : config_.numbers) backlogs.push_back({number.sender, 1000});
    pacer_.OnTick(Now(at), backlogs);
    for (std::size_t i = 0; i < config_.numbers.size(); ++i) {
      results_[i].allowed.push_back(
          {at, pacer_.Snapshot(config_.numbers[i].sender, Now(at))->allowed_per_second});
    }
    Push(MakeEvent(at + config_.tick, Kind::kTick));
  }

  Pacer& pacer_;
  const SimConfig& config_;
  std::mt19937_64 rng_;
  std::vector<SimNumberResult> results_;
  std::vector<Server> servers_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t seq_ = 0;
  std::int64_t recipient_ = 0;
};

}  // namespace

std::vector<SimNumberResult> RunServerSimulation(Pacer& pacer, const SimConfig& config) {
  return Simulation(pacer, config).Run();
}

double RatePerSecond(const std::vector<SteadyTime>& times, SteadyTime from, SteadyTime to) {
  return static_cast<double>(CountIn(times, from, to)) /
         std::chrono::duration<double>(to - from).count();
}

}  // namespace herald::campaign::testing
