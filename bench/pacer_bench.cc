// The pacer (issue 16, item 5): cost of one TryAcquire + OnAccepted, the pair the runner makes for
// every message, on one core. Budget: well under 1 us (the product must decide, pace and record
// >= 50,000 deliveries/s).
//
//   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release
//   ninja -C build-release pacer_bench
//   build-release/bench/pacer_bench                 # every case, median of 5 runs
//
// BM_AcquireAccept/senders:N/ids:K: N numbers at 80/s in one portfolio (unlimited tier, still
// counted: the 24 h window of unique users is kept), asked in turn, each exactly at its next slot
// in simulated time, so that every acquire is granted; recipients cycle through 1,000,000
// distinct users, so the tier window holds 1M users and every number's pair keys turn over. The
// window is filled with 1M accepted messages before timing starts. ids:0 uses dense contact ids
// 0..999,999 (what storage's surrogate keys look like), ids:1 random 64-bit ids (hash tables
// without the help of dense keys). OnTick runs every 100 ms of
// simulated time, inside the timing. BM_AcquireRefused: the cheapest answer, a number asked
// before its turn.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "campaign/pacer.h"

namespace {

using namespace herald;            // NOLINT: a benchmark driver
using namespace herald::campaign;  // NOLINT
using std::chrono::nanoseconds;

constexpr std::int64_t kRecipients = 1'000'000;
constexpr double kLevel = 80;
const nanoseconds kInterval = std::chrono::microseconds(12'500);  // 1 / 80 s
const nanoseconds kTickEvery = std::chrono::milliseconds(100);
const SteadyTime kSteadyStart = SteadyTime(std::chrono::hours(1000));
const SysTime kWallStart = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 12 / 7));

PacerTime At(nanoseconds since) {
  return PacerTime{kSteadyStart + since,
                   kWallStart + std::chrono::duration_cast<std::chrono::milliseconds>(since)};
}

[[noreturn]] void Die(const char* message) {
  std::fprintf(stderr, "pacer_bench: %s\n", message);
  std::exit(1);
}

Pacer MakePacer(std::int64_t senders) {
  Result<Pacer> created = Pacer::Create(PacerConfig{});
  if (!created.ok()) Die("invalid config");
  Pacer pacer = std::move(created).value();
  pacer.SetTierLimit(PortfolioId{1}, std::nullopt);
  SenderSettings settings;
  settings.portfolio = PortfolioId{1};
  settings.level_per_second = kLevel;
  for (std::int64_t s = 1; s <= senders; ++s) {
    if (!pacer.AddSender(SenderId{s}, settings, At({})).ok()) Die("AddSender failed");
  }
  return pacer;
}

std::vector<std::int64_t> RecipientIds(bool scattered) {
  std::vector<std::int64_t> ids(kRecipients);
  std::mt19937_64 rng(16);
  for (std::int64_t i = 0; i < kRecipients; ++i) {
    ids[static_cast<std::size_t>(i)] = scattered ? static_cast<std::int64_t>(rng() >> 1) : i;
  }
  return ids;
}

// The runner's loop in simulated time: sender i % N at i x (interval / N).
class Driver {
 public:
  Driver(std::int64_t senders, bool scattered_ids)
      : senders_(senders), step_(kInterval / senders), ids_(RecipientIds(scattered_ids)) {}

  // One TryAcquire + OnAccepted; true when granted.
  bool Next(Pacer& pacer) {
    const PacerTime now = At(elapsed_);
    const SendRequest request{SenderId{1 + i_ % senders_},
                              ContactId{ids_[static_cast<std::size_t>(i_ % kRecipients)]},
                              Purpose::kMarketing, true};
    const Admission admission = pacer.TryAcquire(request, now);
    if (admission.granted()) pacer.OnAccepted(admission.grant, now);
    ++i_;
    elapsed_ += step_;
    if (elapsed_ >= next_tick_) {
      pacer.OnTick(now, {});
      next_tick_ += kTickEvery;
    }
    return admission.granted();
  }

 private:
  std::int64_t senders_;
  nanoseconds step_;
  std::vector<std::int64_t> ids_;
  std::int64_t i_ = 0;
  nanoseconds elapsed_{0};
  nanoseconds next_tick_ = kTickEvery;
};

void BM_AcquireAccept(benchmark::State& state) {
  Pacer pacer = MakePacer(state.range(0));
  Driver driver(state.range(0), state.range(1) != 0);
  for (std::int64_t i = 0; i < kRecipients; ++i) {
    if (!driver.Next(pacer)) Die("a warm-up acquire was refused");
  }
  std::int64_t granted = 0;
  for (auto _ : state) granted += driver.Next(pacer) ? 1 : 0;
  if (granted != state.iterations()) Die("an acquire was refused: the driver is off its slots");
  state.SetItemsProcessed(state.iterations());
  const SenderSnapshot snapshot = *pacer.Snapshot(SenderId{1}, At({}));
  state.counters["tier_users"] = static_cast<double>(snapshot.tier_used);
  state.counters["pair_keys_per_number"] = static_cast<double>(snapshot.pair_keys);
}

void BM_AcquireRefused(benchmark::State& state) {
  Pacer pacer = MakePacer(1);
  if (!pacer.TryAcquire({SenderId{1}, ContactId{1}}, At({})).granted()) Die("first refused");
  std::int64_t recipient = 1;
  for (auto _ : state) {
    const Admission admission = pacer.TryAcquire({SenderId{1}, ContactId{++recipient}}, At({}));
    benchmark::DoNotOptimize(admission);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_AcquireAccept)
    ->ArgNames({"senders", "ids"})
    ->ArgsProduct({{4, 1000}, {0, 1}})
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_AcquireRefused)->Repetitions(5)->ReportAggregatesOnly(true);

BENCHMARK_MAIN();
