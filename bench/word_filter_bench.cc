// The sensitive-word filter (issue 4, item 5): scan throughput and latency per message with
// 1,000 and 10,000 terms, a naive per-term substring loop over the same corpus as the baseline,
// and list activation (WordFilter::Build) of 10,000 terms.
//
//   cmake -S . -B build-filter-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
//   ninja -C build-filter-rel word_filter_bench
//   build-filter-rel/bench/word_filter_bench [--runs=5] [--messages=20000]
//       [--terms=1000|10000] [--naive=0] [--unseen=0] [--build=0] [--swap=0] [--long=0]
//       [--hit-percent=1]
//
// Scans and builds run on CPU 1; the activation-under-load case scans on CPU 1 and builds on
// CPU 0 (a 2-core machine: the gate's thread and the worker that activates lists).
//
// The corpus: generated marketing messages of 60-300 bytes in German and English (umlauts and
// the odd typographic quote or emoji, so about half the messages take the non-ASCII path), about
// 1% of them with one listed term in them. Terms: random pronounceable words of 4-12 letters,
// some phrases, a few prefixes and regexes; 10% in the global list, the rest in "de". Scans pass
// "de", so every term is checked. Per-message times include normalisation. Figures are medians
// over the runs; the first pass over the corpus (cold DFA caches) is not timed.
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/release.h"
#include "compliance/text_normaliser.h"
#include "compliance/word_filter.h"
#include "term_generator.h"

namespace {

using herald::bench::TermGenerator;
using herald::compliance::MatchKind;
using herald::compliance::NormalisedText;
using herald::compliance::Severity;
using herald::compliance::Term;
using herald::compliance::WordFilter;
using herald::compliance::WordList;

constexpr std::uint32_t kSeed = 20261124;

constexpr const char* kSentences[] = {
    "Hallo Anna, unser Sommerschlussverkauf startet jetzt.",
    "Bis zu 30% Rabatt auf ausgewählte Artikel in allen Filialen.",
    "Ihre Bestellung 4711 wurde versandt und kommt morgen an.",
    "Gültig bis Sonntag, solange der Vorrat reicht.",
    "Neue Herbstkollektion: Mäntel, Schals und Stiefel für kühle Tage.",
    "Vielen Dank für Ihren Einkauf bei Müller & Söhne!",
    "Öffnungszeiten über Ostern: Montag bis Samstag 9–20 Uhr.",
    "Ihr Termin am Dienstag um 14:30 Uhr ist bestätigt.",
    "Wir freuen uns auf Ihren Besuch in unserer Filiale in Köln.",
    "Jetzt den Newsletter abonnieren und nichts mehr verpassen.",
    "Hi Tom, your order has shipped and will arrive on Friday.",
    "Our summer sale starts today with great deals on shoes and bags.",
    "Thanks for shopping with us! Rate your experience in the app.",
    "Your appointment on Tuesday at 2:30 pm is confirmed.",
    "New arrivals: jackets, scarves and boots for the colder days.",
    "Reply STOP to unsubscribe from marketing messages.",
    "Visit our store in Berlin this weekend for live music.",
    "Don’t miss the “Autumn Days” – this week only in selected stores 🍂",
    "Größen von S bis XXL, Lieferung innerhalb von 2–3 Werktagen.",
    "Mehr Informationen finden Sie auf unserer Website.",
};

// Officers list spam words, not the words of ordinary messages: drop generated terms that occur
// in the corpus's sentences, so that only the planted terms hit.
std::vector<Term> WithoutCorpusWords(std::vector<Term> terms) {
  auto filter = WordFilter::Build({WordList{"all", "", 1, terms}});
  if (!filter.ok()) std::exit(1);
  std::vector<std::string> found;
  for (const char* sentence : kSentences) {
    for (const auto& match : (*filter)->Scan(sentence, "")) found.push_back(match.term);
  }
  std::erase_if(terms, [&](const Term& term) {
    return std::find(found.begin(), found.end(), term.text) != found.end();
  });
  for (const std::string& term : found)
    std::printf("(dropped \"%s\": in the corpus)\n", term.c_str());
  return terms;
}

std::vector<Term> ListTerms(std::size_t count) {
  TermGenerator generator(kSeed + static_cast<std::uint32_t>(count));
  std::vector<Term> terms;
  while (terms.size() < count) {
    for (Term& term : generator.Terms(count - terms.size())) terms.push_back(std::move(term));
    terms = WithoutCorpusWords(std::move(terms));
  }
  return terms;
}

std::vector<WordList> MakeLists(std::vector<Term> terms) {
  WordList global{"global", "", 1, {}};
  WordList german{"de", "de", 1, {}};
  for (std::size_t i = 0; i < terms.size(); ++i) {
    (i % 10 == 0 ? global : german).terms.push_back(std::move(terms[i]));
  }
  return {std::move(global), std::move(german)};
}

// Realistic marketing messages: sentences from German and English templates with random
// fillers, 60-300 bytes; `hit_percent` of them get one listed term.
std::vector<std::string> MakeCorpus(std::size_t count, const std::vector<Term>& terms,
                                    int hit_percent, std::uint32_t seed = kSeed + 1) {
  std::mt19937 random(seed);
  std::vector<std::string> corpus;
  corpus.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t target = 60 + random() % 241;
    std::string message;
    while (message.size() < 60 || message.size() < target) {
      const std::string sentence = kSentences[random() % std::size(kSentences)];
      if (message.size() >= 60 && message.size() + 1 + sentence.size() > 300) break;
      if (!message.empty()) message += ' ';
      message += sentence;
    }
    if (message.size() > 300) message.resize(message.rfind(' ', 300));
    if (static_cast<int>(random() % 100) < hit_percent) {
      const Term& term = terms[random() % terms.size()];
      if (term.kind != MatchKind::kRegex) {
        const std::size_t at = message.find(' ', message.size() / 2);
        std::string inserted(1, ' ');
        inserted += term.text;
        message.insert(at == std::string::npos ? message.size() : at, inserted);
      } else {
        message += " bit.ly/x9z";
      }
    }
    corpus.push_back(std::move(message));
  }
  return corpus;
}

double CpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

template <typename T>
T Median(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct RunFigures {
  double mb_per_s = 0;
  double p50_ns = 0;
  double p99_ns = 0;
  double clean_p99_ns = 0;  // p99 over the messages without a match
  double hit_p50_ns = 0;    // p50 over the messages with a match
  double hit_percent = 0;
};

template <typename ScanOne>
RunFigures TimeCorpus(const std::vector<std::string>& corpus, ScanOne&& scan_one) {
  std::vector<double> ns;
  std::vector<double> clean_ns;
  std::vector<double> hit_ns;
  ns.reserve(corpus.size());
  std::size_t bytes = 0;
  std::size_t hits = 0;
  double total_ns = 0;
  for (const std::string& message : corpus) {
    const auto start = std::chrono::steady_clock::now();
    const bool hit = scan_one(message);
    const auto stop = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double, std::nano>(stop - start).count();
    ns.push_back(elapsed);
    (hit ? hit_ns : clean_ns).push_back(elapsed);
    total_ns += elapsed;
    bytes += message.size();
    hits += hit ? 1 : 0;
  }
  std::sort(ns.begin(), ns.end());
  RunFigures figures;
  figures.mb_per_s = static_cast<double>(bytes) / total_ns * 1e3;
  figures.p50_ns = ns[ns.size() / 2];
  figures.p99_ns = ns[ns.size() * 99 / 100];
  std::sort(clean_ns.begin(), clean_ns.end());
  figures.clean_p99_ns = clean_ns.empty() ? 0 : clean_ns[clean_ns.size() * 99 / 100];
  figures.hit_p50_ns = hit_ns.empty() ? 0 : Median(hit_ns);
  figures.hit_percent = 100.0 * static_cast<double>(hits) / static_cast<double>(corpus.size());
  return figures;
}

template <typename ScanOne>
void Report(const char* name, const std::vector<std::string>& corpus, int runs,
            ScanOne&& scan_one) {
  TimeCorpus(corpus, scan_one);  // warm-up: DFA states, lazily compiled locators
  std::vector<double> mb_per_s;
  std::vector<double> p50;
  std::vector<double> p99;
  std::vector<double> clean_p99;
  std::vector<double> hit_p50;
  double hit_percent = 0;
  for (int run = 0; run < runs; ++run) {
    const RunFigures figures = TimeCorpus(corpus, scan_one);
    mb_per_s.push_back(figures.mb_per_s);
    p50.push_back(figures.p50_ns);
    p99.push_back(figures.p99_ns);
    clean_p99.push_back(figures.clean_p99_ns);
    hit_p50.push_back(figures.hit_p50_ns);
    hit_percent = figures.hit_percent;
  }
  std::printf(
      "%-34s %7.1f MB/s  p50 %6.0f ns  p99 %6.0f ns  | p99 without match %6.0f ns, "
      "p50 with match %6.0f ns | MB/s min..max %.1f..%.1f | %.2f%% match\n",
      name, Median(mb_per_s), Median(p50), Median(p99), Median(clean_p99), Median(hit_p50),
      *std::min_element(mb_per_s.begin(), mb_per_s.end()),
      *std::max_element(mb_per_s.begin(), mb_per_s.end()), hit_percent);
}

// The baseline: normalise, then std::string_view::find for each term's normalised text. No word
// boundaries, no obfuscation, no offsets: the least a filter could do.
struct NaiveFilter {
  explicit NaiveFilter(const std::vector<Term>& terms) {
    for (const Term& term : terms) {
      if (term.kind == MatchKind::kRegex) continue;
      NormalisedText normalised;
      herald::compliance::NormaliseText(term.text, normalised);
      needles.push_back(normalised.text);
    }
  }
  bool Scan(std::string_view message) const {
    thread_local NormalisedText normalised;
    herald::compliance::NormaliseText(message, normalised);
    const std::string_view text = normalised.text;
    bool hit = false;
    for (const std::string& needle : needles) hit |= text.find(needle) != std::string_view::npos;
    return hit;
  }
  std::vector<std::string> needles;
};

std::shared_ptr<const WordFilter> BuildOrExit(const std::vector<Term>& terms) {
  auto filter = WordFilter::Build(MakeLists(terms));
  if (!filter.ok()) {
    std::fprintf(stderr, "build failed: %s\n", filter.error().ToString().c_str());
    std::exit(1);
  }
  return *filter;
}

void ScanCase(std::size_t term_count, std::size_t messages, int runs, bool naive_baseline,
              long hit_percent) {
  const std::vector<Term> terms = ListTerms(term_count);
  const std::vector<std::string> corpus =
      MakeCorpus(messages, terms, static_cast<int>(hit_percent));
  const auto filter = BuildOrExit(terms);
  std::size_t bytes = 0;
  for (const std::string& message : corpus) bytes += message.size();
  std::printf("-- %zu terms, %zu messages, %.2f MB, mean %.0f bytes\n", term_count, corpus.size(),
              static_cast<double>(bytes) / 1e6,
              static_cast<double>(bytes) / static_cast<double>(corpus.size()));
  Report("WordFilter::Scan", corpus, runs,
         [&](const std::string& message) { return !filter->Scan(message, "de").empty(); });
  if (naive_baseline) {
    const NaiveFilter naive(terms);
    Report("naive find() per term (baseline)", corpus, runs,
           [&](const std::string& message) { return naive.Scan(message); });
  }
  std::printf("dfa_fallbacks %llu\n", static_cast<unsigned long long>(filter->dfa_fallbacks()));
}

// The same kind of corpus, but every run scans messages it has not seen (a new seed per run,
// after a warm-up on another one): the sentences are the same, the listed terms that occur and
// where they occur are new. RE2 builds DFA states lazily, and a new state of a Set costs time in
// proportion to its number of terms, so this shows what the first occurrences cost; the case
// above (the same corpus again, warm) shows the steady state.
void UnseenCase(std::size_t term_count, std::size_t messages, int runs, long hit_percent) {
  const std::vector<Term> terms = ListTerms(term_count);
  const auto filter = BuildOrExit(terms);
  for (const std::string& message :
       MakeCorpus(messages, terms, static_cast<int>(hit_percent), kSeed + 100)) {
    filter->Scan(message, "de");
  }
  std::vector<double> mb_per_s;
  std::vector<double> p99;
  std::vector<double> clean_p99;
  std::vector<double> hit_p50;
  for (int run = 0; run < runs; ++run) {
    const std::vector<std::string> corpus =
        MakeCorpus(messages, terms, static_cast<int>(hit_percent),
                   kSeed + 101 + static_cast<std::uint32_t>(run));
    const RunFigures figures = TimeCorpus(
        corpus, [&](const std::string& message) { return !filter->Scan(message, "de").empty(); });
    mb_per_s.push_back(figures.mb_per_s);
    p99.push_back(figures.p99_ns);
    clean_p99.push_back(figures.clean_p99_ns);
    hit_p50.push_back(figures.hit_p50_ns);
  }
  std::printf(
      "-- %zu terms, unseen messages each run: %.1f MB/s  p99 %.0f ns | p99 without match %.0f ns, "
      "p50 with match %.0f ns | MB/s min..max %.1f..%.1f\n",
      term_count, Median(mb_per_s), Median(p99), Median(clean_p99), Median(hit_p50),
      *std::min_element(mb_per_s.begin(), mb_per_s.end()),
      *std::max_element(mb_per_s.begin(), mb_per_s.end()));
}

// Texts of the platform's maximum length (4,096 bytes) built to make a scanner walk far from
// many word starts: each must cost time linear in its length.
void LongTextCase(std::size_t term_count) {
  const std::vector<Term> terms = ListTerms(term_count);
  const auto filter = BuildOrExit(terms);
  const auto repeat = [](std::string_view piece) {
    std::string text;
    while (text.size() + piece.size() <= 4096) text += piece;
    return text;
  };
  const std::pair<const char*, std::string> texts[] = {
      {"\"a a a a ...\"", repeat("a ")},
      {"\"aaaa...\"", repeat("a")},
      {"\"f r e e ...\"", repeat("f r e e ")},
      {"\"ab ab ab ...\"", repeat("ab ")},
      {"\"... ... ...\"", repeat(". ")},
      {"sentences", repeat("Bis zu 30% Rabatt auf ausgew\xC3\xA4hlte Artikel. ")},
  };
  std::printf("-- 4,096-byte texts, %zu terms (median of 21 scans)\n", term_count);
  for (const auto& [name, text] : texts) {
    std::vector<double> us;
    std::size_t matches = 0;
    for (int run = 0; run < 21; ++run) {
      const auto start = std::chrono::steady_clock::now();
      matches = filter->Scan(text, "de").size();
      us.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::printf("   %-16s %8.1f us  %6.1f MB/s  %zu matches\n", name, Median(us),
                static_cast<double>(text.size()) / Median(us), matches);
  }
}

void BuildCase(std::size_t term_count, int runs) {
  const std::vector<Term> terms = ListTerms(term_count);
  std::vector<double> wall_ms;
  std::vector<double> cpu_ms;
  for (int run = 0; run < runs; ++run) {
    std::vector<WordList> lists = MakeLists(terms);
    const double cpu_start = CpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    auto filter = WordFilter::Build(std::move(lists));
    const auto stop = std::chrono::steady_clock::now();
    cpu_ms.push_back((CpuSeconds() - cpu_start) * 1e3);
    wall_ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    if (!filter.ok()) std::exit(1);
  }
  std::printf(
      "-- WordFilter::Build, %zu terms: median %.1f ms wall, %.1f ms CPU (min %.1f, max %.1f ms "
      "wall)\n",
      term_count, Median(wall_ms), Median(cpu_ms),
      *std::min_element(wall_ms.begin(), wall_ms.end()),
      *std::max_element(wall_ms.begin(), wall_ms.end()));
}

void PinToCpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);  // best effort: figures say which
}

enum class Phase { kSteady, kBuilding, kAfterSwap };

struct PhaseFigures {
  std::vector<double> ns;
  std::size_t bytes = 0;
  double total_ns = 0;
};

void PrintPhase(const char* name, PhaseFigures& figures) {
  if (figures.ns.empty()) return;
  std::sort(figures.ns.begin(), figures.ns.end());
  const auto at = [&](double q) {
    return figures
        .ns[std::min(figures.ns.size() - 1,
                     static_cast<std::size_t>(q * static_cast<double>(figures.ns.size())))];
  };
  const auto slow = static_cast<std::size_t>(
      figures.ns.end() - std::upper_bound(figures.ns.begin(), figures.ns.end(), 100e3));
  std::printf(
      "   %-30s %8zu scans %6.1f MB/s  p50 %5.0f ns  p99 %6.0f ns  p99.9 %7.0f ns  max %8.0f ns  "
      "%zu over 100 us\n",
      name, figures.ns.size(), static_cast<double>(figures.bytes) / figures.total_ns * 1e3, at(0.5),
      at(0.99), at(0.999), figures.ns.back(), slow);
}

// Sending goes on while a list is activated: one thread scans the corpus without pause through a
// WordFilterSlot (as the gate does), another builds a filter of `term_count` terms and swaps it
// in, `runs` times. Scans are timed by phase: steady, while the new filter is being built, and
// in the 200 ms after a swap (the new filter's DFA caches start empty). Every scan must find a
// filter and finish; the number of versions seen shows the swaps took effect.
void ActivationUnderLoadCase(std::size_t term_count, int runs) {
  const std::vector<Term> terms = ListTerms(term_count);
  const std::vector<std::string> corpus = MakeCorpus(20000, terms, 1);
  herald::compliance::WordFilterSlot slot(BuildOrExit(terms));
  for (const std::string& message : corpus) slot.Load()->Scan(message, "de");  // warm, like steady
  constexpr int kAfterSwapMs = 200;
  std::atomic<int> phase{static_cast<int>(Phase::kSteady)};
  std::atomic<bool> done{false};
  std::vector<double> build_ms;
  std::array<PhaseFigures, 3> figures;
  std::size_t filters_seen = 0;
  std::thread scanner([&] {
    PinToCpu(1);
    const WordFilter* last = nullptr;
    for (std::size_t i = 0; !done.load(std::memory_order_relaxed); i = (i + 1) % corpus.size()) {
      const std::string& message = corpus[i];
      const int now_phase = phase.load(std::memory_order_relaxed);
      const auto start = std::chrono::steady_clock::now();
      const std::shared_ptr<const WordFilter> filter = slot.Load();
      filter->Scan(message, "de");
      const auto stop = std::chrono::steady_clock::now();
      if (filter.get() != last) ++filters_seen;
      last = filter.get();
      PhaseFigures& into = figures[static_cast<std::size_t>(now_phase)];
      const double elapsed = std::chrono::duration<double, std::nano>(stop - start).count();
      into.ns.push_back(elapsed);
      into.bytes += message.size();
      into.total_ns += elapsed;
    }
  });
  PinToCpu(0);
  for (int run = 0; run < runs; ++run) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::vector<WordList> lists = MakeLists(terms);
    lists[1].version = run + 2;
    phase.store(static_cast<int>(Phase::kBuilding));
    const auto start = std::chrono::steady_clock::now();
    auto next = WordFilter::Build(std::move(lists));
    if (!next.ok()) std::exit(1);
    std::shared_ptr<const WordFilter> previous = slot.Exchange(std::move(*next));
    build_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    phase.store(static_cast<int>(Phase::kAfterSwap));
    herald::ReleaseWhenUnshared(std::move(previous));  // as the daemon does: not on the scanner
    std::this_thread::sleep_for(std::chrono::milliseconds(kAfterSwapMs));
    phase.store(static_cast<int>(Phase::kSteady));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  done.store(true);
  scanner.join();
  std::printf(
      "-- activation under load, %zu terms, %d swaps: build+swap median %.1f ms (min %.1f, max "
      "%.1f); the scanning thread saw %zu filters and never waited\n",
      term_count, runs, Median(build_ms), *std::min_element(build_ms.begin(), build_ms.end()),
      *std::max_element(build_ms.begin(), build_ms.end()), filters_seen);
  PrintPhase("steady", figures[0]);
  PrintPhase("while the next filter is built", figures[1]);
  PrintPhase("first 200 ms on the new filter", figures[2]);
}

long Flag(int argc, char** argv, std::string_view name, long fallback) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=') {
      return std::atol(argv[i] + name.size() + 1);
    }
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  PinToCpu(1);
  const int runs = static_cast<int>(Flag(argc, argv, "--runs", 5));
  const auto messages = static_cast<std::size_t>(Flag(argc, argv, "--messages", 20000));
  const bool naive = Flag(argc, argv, "--naive", 1) != 0;
  const long only_terms = Flag(argc, argv, "--terms", 0);  // 0: 1,000 and 10,000
  for (const std::size_t terms : {std::size_t{1000}, std::size_t{10000}}) {
    if (only_terms == 0 || static_cast<std::size_t>(only_terms) == terms) {
      ScanCase(terms, messages, runs, naive, Flag(argc, argv, "--hit-percent", 1));
      if (Flag(argc, argv, "--unseen", 1) != 0) {
        UnseenCase(terms, messages, runs, Flag(argc, argv, "--hit-percent", 1));
      }
    }
  }
  if (Flag(argc, argv, "--build", 1) != 0) {
    BuildCase(10000, runs);
    BuildCase(1000, runs);
  }
  if (Flag(argc, argv, "--swap", 1) != 0) ActivationUnderLoadCase(10000, runs);
  if (Flag(argc, argv, "--long", 1) != 0) LongTextCase(10000);
  return 0;
}
