// Segment evaluation over the in-memory contact index (issue 3, "Scale"): index build time at 1M
// contacts, and count latency and memory per contact at 1M and 10M.
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-bench
//   segment_bench build-bench/bench/segment_bench                        # everything, 1M then 10M
//   build-bench/bench/segment_bench --benchmark_filter=1000000   # only the 1M cases
//
// Each case reports the median of 5 repetitions. Counters: matches (contacts counted),
// index_bytes_per_contact (ContactIndex::MemoryBytes() / N) and rss_bytes_per_contact (growth
// of the resident set while building the index, after Compact() and malloc_trim).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/contact_generator.h"
#include "campaign/contact_index.h"
#include "campaign/segment.h"

namespace {

using herald::SysTime;
using herald::bench::ContactGenerator;
using herald::bench::GeneratedContact;
using herald::campaign::ContactFacts;
using herald::campaign::ContactIndex;
using herald::campaign::ParseSegment;
using herald::campaign::SegmentExpr;

constexpr std::uint64_t kSeed = 20261124;
const SysTime kNow = SysTime(std::chrono::sys_days(std::chrono::year(2026) / 11 / 24));

struct NamedExpression {
  const char* name;
  const char* text;
};

// The first is the 5-term case (tags, country, consent, NOT); the others show the cost of
// the other term kinds.
const NamedExpression kExpressions[] = {
    {"five_terms", "tag:vip AND country:DE AND opted_in:marketing AND NOT tag:churned AND lang:de"},
    {"countries_or", "(country:DE OR country:AT OR country:CH) AND opted_in:marketing"},
    {"last_inbound", "last_inbound < 7d AND opted_in:utility"},
    {"attributes", "attr.orders >= 3 AND attr.plan = \"gold\" AND NOT opted_out"},
};

ContactFacts ToFacts(GeneratedContact contact) {
  ContactFacts facts;
  facts.id = herald::ContactId{contact.id};
  facts.tags = std::move(contact.tags);
  facts.country = std::move(contact.country);
  facts.language = std::move(contact.language);
  facts.opted_out = contact.opted_out;
  facts.consent_marketing = contact.consent_marketing;
  facts.consent_utility = contact.consent_utility;
  facts.last_inbound = contact.last_inbound;
  if (!contact.plan.empty()) facts.attributes.emplace_back("plan", std::move(contact.plan));
  if (contact.orders >= 0) facts.attributes.emplace_back("orders", std::to_string(contact.orders));
  return facts;
}

std::size_t ResidentBytes() {
  long pages = 0;
  long resident = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(statm);
  }
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// One index at a time, built on first use for its size: at 10M, a second one would not be
// measured alone.
struct BuiltIndex {
  std::int64_t contacts = 0;
  std::unique_ptr<ContactIndex> index;
  double resident_bytes = 0;
};

const BuiltIndex& IndexOf(std::int64_t contacts) {
  static BuiltIndex built;
  if (built.contacts == contacts) return built;
  built.index.reset();
  malloc_trim(0);
  const std::size_t resident_before = ResidentBytes();
  auto index = std::make_unique<ContactIndex>();
  ContactGenerator generator(kSeed, kNow);
  for (std::int64_t i = 0; i < contacts; ++i) index->Upsert(nullptr, ToFacts(generator.Next()));
  index->Compact();
  malloc_trim(0);
  built.resident_bytes = static_cast<double>(ResidentBytes() - resident_before);
  built.index = std::move(index);
  built.contacts = contacts;
  return built;
}

void AddMemoryCounters(benchmark::State& state, const BuiltIndex& built) {
  const auto n = static_cast<double>(built.contacts);
  state.counters["index_bytes_per_contact"] = static_cast<double>(built.index->MemoryBytes()) / n;
  state.counters["rss_bytes_per_contact"] = built.resident_bytes / n;
}

void BM_BuildIndex(benchmark::State& state) {
  const std::int64_t contacts = state.range(0);
  std::vector<ContactFacts> facts;
  facts.reserve(static_cast<std::size_t>(contacts));
  ContactGenerator generator(kSeed, kNow);
  for (std::int64_t i = 0; i < contacts; ++i) facts.push_back(ToFacts(generator.Next()));
  for (auto _ : state) {
    ContactIndex index;
    for (const ContactFacts& contact : facts) index.Upsert(nullptr, contact);
    index.Compact();
    benchmark::DoNotOptimize(index.Size());
    state.PauseTiming();  // destruction is not part of a build
    { ContactIndex discard(std::move(index)); }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * contacts);
}

void BM_Count(benchmark::State& state, const NamedExpression* expression) {
  const BuiltIndex& built = IndexOf(state.range(0));
  const SegmentExpr expr = ParseSegment(expression->text).value();
  std::uint64_t matches = 0;
  for (auto _ : state) {
    matches = built.index->Count(expr, kNow);
    benchmark::DoNotOptimize(matches);
  }
  state.counters["matches"] = static_cast<double>(matches);
  AddMemoryCounters(state, built);
}

// Preview: the set, its per-country breakdown and a sample.
void BM_Preview(benchmark::State& state) {
  const BuiltIndex& built = IndexOf(state.range(0));
  const SegmentExpr expr = ParseSegment(kExpressions[0].text).value();
  for (auto _ : state) {
    const herald::campaign::ContactSet set = built.index->Evaluate(expr, kNow);
    benchmark::DoNotOptimize(built.index->CountByCountry(set));
    benchmark::DoNotOptimize(set.Sample(20));
  }
}

void RegisterAll() {
  benchmark::RegisterBenchmark("BM_BuildIndex", BM_BuildIndex)
      ->Arg(1'000'000)
      ->Iterations(1)
      ->Repetitions(5)
      ->ReportAggregatesOnly(true)
      ->Unit(benchmark::kMillisecond);
  for (const std::int64_t contacts : {1'000'000, 10'000'000}) {
    for (const NamedExpression& expression : kExpressions) {
      benchmark::RegisterBenchmark((std::string("BM_Count/") + expression.name).c_str(), BM_Count,
                                   &expression)
          ->Arg(contacts)
          ->Repetitions(5)
          ->ReportAggregatesOnly(true)
          ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark("BM_Preview/five_terms", BM_Preview)
        ->Arg(contacts)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
