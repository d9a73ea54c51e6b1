// The compliance gate (issue 4): decisions per second on one core for the whole gate — consent,
// template rendering and rules, the word filter built from the starter word lists
// (data/wordlists/*.csv), quiet hours over the system tz database (US, BR, MX and AU with all
// their zones) and the frequency cap — on a realistic mix of messages and recipients.
//
//   cmake -S . -B build-gate-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
//   ninja -C build-gate-rel gate_bench
//   build-gate-rel/bench/gate_bench                       # every case, median of 5 runs
//   build-gate-rel/bench/gate_bench --benchmark_filter=Whole
//
// items_per_second of BM_WholeGate is the figure for the issue (target >= 500k decisions/s).
// The other cases break it down: the gate without a word filter, the word filter's Scan alone on
// the same rendered texts, template rendering alone, and quiet hours for one zone and for the US.
// HERALD_WORDLIST_DIR (environment) overrides the directory of the CSV word lists;
// HERALD_GATE_GENERATED_TERMS=10000 adds that many generated terms to them.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "compliance/gate.h"
#include "term_generator.h"

namespace {

using namespace herald;              // NOLINT: a benchmark driver
using namespace herald::compliance;  // NOLINT
using std::chrono::hours;

// 2024-07-01 18:30Z: afternoon in the Americas, evening in Europe, night in India and Australia
// (those are refused by quiet hours, as they would be in a real campaign at that time).
const SysTime kNow = SysTime(std::chrono::sys_days(std::chrono::year(2024) / 7 / 1)) + hours(18) +
                     std::chrono::minutes(30);
const SenderId kSender{1};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "gate_bench: %s\n", message.c_str());
  std::exit(1);
}

// The starter lists' simple CSV (no quoted fields): term,match,severity,note.
std::vector<WordList> ReadWordLists() {
  const char* env = std::getenv("HERALD_WORDLIST_DIR");
  const std::filesystem::path dir = env != nullptr ? env : HERALD_WORDLIST_DIR;
  std::vector<WordList> lists;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".csv") continue;
    WordList list;
    list.name = list.language = entry.path().stem().string();
    list.version = 1;
    std::ifstream file(entry.path());
    std::string line;
    std::getline(file, line);  // header
    while (std::getline(file, line)) {
      if (line.empty()) continue;
      std::vector<std::string> fields;
      std::stringstream row(line);
      for (std::string field; fields.size() < 3 && std::getline(row, field, ',');) {
        fields.push_back(field);
      }
      std::string note;
      std::getline(row, note);
      if (fields.size() < 3) Die("bad line in " + entry.path().string() + ": " + line);
      auto kind = ParseMatchKind(fields[1]);
      auto severity = ParseSeverity(fields[2]);
      if (!kind.ok() || !severity.ok()) Die("bad match or severity: " + line);
      list.terms.push_back(Term{fields[0], *kind, *severity, note});
    }
    lists.push_back(std::move(list));
  }
  if (lists.empty()) Die("no word lists in " + dir.string());
  return lists;
}

MessageTemplate Make(std::string name, std::string language, TemplateCategory category,
                     std::string header, std::string body, std::string footer) {
  MessageTemplate result{
      std::move(name), std::move(language), category, TemplateStatus::kApproved, {}};
  if (!header.empty()) {
    result.components.header_format = HeaderFormat::kText;
    result.components.header_text = std::move(header);
  }
  result.components.body = std::move(body);
  result.components.footer = std::move(footer);
  return result;
}

TemplateCatalog BuildCatalog() {
  const auto kMarketing = TemplateCategory::kMarketing;
  std::vector<MessageTemplate> templates = {
      Make("summer_sale", "en", kMarketing, "Hello {{1}}",
           "{{1}}, our summer sale starts today: {{2}} with {{3}} off for members. Use your "
           "personal "
           "code at checkout before Sunday, and see the whole range in the shop.",
           "Reply STOP to opt out"),
      Make(
          "summer_sale", "de", kMarketing, "Hallo {{1}}",
          "{{1}}, unser Sommerschlussverkauf beginnt heute: {{2}} mit {{3}} Rabatt für Mitglieder. "
          "Löse deinen Code bis Sonntag an der Kasse ein und entdecke das ganze Sortiment.",
          "Antworte STOPP zum Abmelden"),
      Make(
          "summer_sale", "pt_BR", kMarketing, "Olá {{1}}",
          "{{1}}, nossa liquidação de verão começa hoje: {{2}} com {{3}} de desconto para membros. "
          "Use seu código pessoal no caixa até domingo e veja toda a linha na loja.",
          "Responda PARAR para sair"),
      Make("summer_sale", "es", kMarketing, "Hola {{1}}",
           "{{1}}, nuestras rebajas de verano empiezan hoy: {{2}} con {{3}} de descuento para "
           "socios. "
           "Usa tu código personal en la caja antes del domingo y mira toda la gama.",
           "Responde BAJA para darte de baja"),
      Make("order_update", "en", TemplateCategory::kUtility, "",
           "Your order {{1}} has shipped and should arrive on {{2}}. Track it any time in your "
           "account; reply to this message if anything is wrong.",
           ""),
      Make("order_update", "de", TemplateCategory::kUtility, "",
           "Deine Bestellung {{1}} ist unterwegs und kommt voraussichtlich am {{2}}. Den Status "
           "siehst du jederzeit in deinem Konto.",
           ""),
      Make("login_code", "en", TemplateCategory::kAuthentication, "",
           "{{1}} is your verification code. For your security, do not share this code.",
           "This code expires in 10 minutes."),
  };
  Result<TemplateCatalog> catalog = TemplateCatalog::Build(std::move(templates));
  if (!catalog.ok()) Die(catalog.error().ToString());
  return *catalog;
}

struct Place {
  const char* country;
  const char* time_zone;
  const char* language;
};

// Weighted towards the multi-zone countries, the expensive case for quiet hours.
const Place kPlaces[] = {
    {"DE", "Europe/Berlin", "de"},
    {"DE", "", "de_AT"},
    {"US", "", "en"},
    {"US", "", "en_US"},
    {"US", "America/Chicago", "en"},
    {"BR", "America/Sao_Paulo", "pt_BR"},
    {"BR", "", "pt_BR"},
    {"GB", "", "en_GB"},
    {"FR", "", "fr"},
    {"ES", "Europe/Madrid", "es"},
    {"MX", "", "es_MX"},
    {"IN", "", "en"},
    {"AU", "", "en"},
};

// One prepared decision: the message and the recipient with the storage their views point to.
struct Case {
  std::vector<TemplateParameter> header;
  std::vector<TemplateParameter> body;
  std::vector<ServiceWindow> windows;
  std::vector<SysTime> sends;
  std::string text;
  OutboundMessage message;
  RecipientState recipient;
  SysTime now = kNow;
};

const char* const kNames[] = {"Ann", "Jürgen", "María", "João", "Chen", "Priya", "Olivia"};
const char* const kProducts[] = {"linen shirts", "sandals", "sunglasses", "beach towels",
                                 "free shipping"};  // the last one is blocked ("free")

void FillMessage(Case& c, std::mt19937& random, int kind) {
  const Place& place = kPlaces[random() % std::size(kPlaces)];
  c.recipient.country = place.country;
  c.recipient.time_zone = place.time_zone;
  c.recipient.language = place.language;
  const char* name = kNames[random() % std::size(kNames)];
  if (kind < 60) {  // marketing campaign template
    c.header = {{"", name}};
    c.body = {
        {"", name}, {"", random() % 50 == 0 ? kProducts[4] : kProducts[random() % 4]}, {"", "20%"}};
    c.message.content = TemplateMessage{"summer_sale", "", {c.header, c.body}};
  } else if (kind < 85) {  // order updates
    c.body = {{"", "A-1047-22"}, {"", "Thursday"}};
    c.message.content = TemplateMessage{"order_update", "", {{}, c.body}};
  } else if (kind < 90) {  // login codes
    c.body = {{"", "482913"}};
    c.message.content = TemplateMessage{"login_code", "", {{}, c.body}};
  } else {  // service replies inside the window
    c.text =
        "Thanks for your message! Your return label is attached; drop the parcel at any "
        "post office within 14 days.";
    c.message.content = FreeText{c.text};
  }
}

std::vector<Case> MakeCases(std::size_t count) {
  std::mt19937 random(20240701);
  std::vector<Case> cases(count);
  for (std::size_t i = 0; i < count; ++i) {
    Case& c = cases[i];
    c.message.sender = kSender;
    c.message.recipient = ContactId{static_cast<std::int64_t>(i)};
    FillMessage(c, random, static_cast<int>(random() % 100));
    c.recipient.consent = ConsentState{random() % 100 == 0, random() % 10 != 0, true};
    c.windows = {{kSender, kNow - hours(random() % 30), std::nullopt}};
    for (std::size_t s = random() % 4; s > 0; --s) c.sends.push_back(kNow - hours(30 * s));
    c.recipient.service_windows = c.windows;
    c.recipient.recent_marketing_sends = c.sends;
    c.now = kNow + std::chrono::milliseconds(i);
  }
  return cases;
}

struct World {
  std::shared_ptr<const GatePolicy> policy;
  TemplateCatalog catalog;
  std::shared_ptr<const WordFilter> filter;
  std::vector<Case> cases;
};

// HERALD_GATE_GENERATED_TERMS=N adds N generated terms (bench/term_generator.h), spread over the
// lists: the whole gate with a large list. Officers list spam words, not the words of ordinary
// messages, so generated terms that occur in the benchmark's messages are dropped (the allowed
// share stays that of the starter lists).
void AddGeneratedTerms(std::vector<WordList>& lists, const World& world) {
  const char* count = std::getenv("HERALD_GATE_GENERATED_TERMS");
  if (count == nullptr) return;
  herald::bench::TermGenerator generator(20261202);
  std::vector<Term> terms = generator.Terms(std::strtoul(count, nullptr, 10));
  // A decision reports one blocking term: probe again until none of the generated terms occurs.
  std::size_t dropped = 0;
  for (bool again = true; again;) {
    auto generated_only = WordFilter::Build({WordList{"generated", "", 1, terms}});
    if (!generated_only.ok()) Die(generated_only.error().ToString());
    const Gate probe(world.policy, world.catalog, *generated_only);
    std::vector<std::string> occurring;
    for (const Case& c : world.cases) {
      const Decision decision = probe.Check(c.message, c.recipient, c.now);
      if (decision.word) occurring.push_back(decision.word->term);
      for (const WordMatch& warning : decision.warnings) occurring.push_back(warning.term);
    }
    const std::size_t before = terms.size();
    std::erase_if(terms, [&](const Term& term) {
      return std::find(occurring.begin(), occurring.end(), term.text) != occurring.end();
    });
    dropped += before - terms.size();
    again = before != terms.size();
  }
  std::fprintf(stderr, "gate_bench: %zu generated terms added (%zu dropped: in the messages)\n",
               terms.size(), dropped);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    lists[i % lists.size()].terms.push_back(std::move(terms[i]));
  }
}

const World& TheWorld() {
  static const World world = [] {
    World w;
    Result<CountryZoneTable> zones = LoadCountryZoneTable(std::string(kSystemZoneTablePath));
    if (!zones.ok()) Die(zones.error().ToString());
    GatePolicyConfig config;
    config.frequency_cap = FrequencyCapPolicy{3, hours(24 * 7)};
    auto policy = GatePolicy::Build(config, *zones);
    if (!policy.ok()) Die(policy.error().ToString());
    w.policy = *policy;
    w.catalog = BuildCatalog();
    w.cases = MakeCases(4096);
    std::vector<WordList> lists = ReadWordLists();
    AddGeneratedTerms(lists, w);
    auto filter = WordFilter::Build(std::move(lists));
    if (!filter.ok()) Die(filter.error().ToString());
    w.filter = *filter;
    return w;
  }();
  return world;
}

void RunGate(benchmark::State& state, const Gate& gate) {
  const std::vector<Case>& cases = TheWorld().cases;
  std::size_t i = 0, allowed = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ % cases.size()];
    Decision decision = gate.Check(c.message, c.recipient, c.now);
    allowed += decision.allowed();
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["allowed_share"] =
      static_cast<double>(allowed) / static_cast<double>(state.iterations());
}

void BM_WholeGate(benchmark::State& state) {
  const World& world = TheWorld();
  RunGate(state, Gate(world.policy, world.catalog, world.filter));
}

void BM_GateWithoutWordFilter(benchmark::State& state) {
  const World& world = TheWorld();
  RunGate(state, Gate(world.policy, world.catalog, nullptr));
}

// The rendered texts of the template cases, scanned in the template's language.
void BM_WordFilterScanOnly(benchmark::State& state) {
  const World& world = TheWorld();
  std::vector<std::pair<std::string, std::string>> texts;
  const Gate gate(world.policy, world.catalog, nullptr);
  for (const Case& c : world.cases) {
    Decision decision = gate.Check(c.message, c.recipient, c.now);
    const auto* message = std::get_if<TemplateMessage>(&c.message.content);
    if (message == nullptr || decision.resolved_template == nullptr) continue;
    std::string out;
    if (RenderTemplate(*decision.resolved_template, message->arguments, {}, out).ok()) {
      texts.emplace_back(std::move(out), decision.resolved_template->source.language);
    }
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [text, language] = texts[i++ % texts.size()];
    benchmark::DoNotOptimize(world.filter->Scan(text, language));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RenderTemplateOnly(benchmark::State& state) {
  const World& world = TheWorld();
  const CompiledTemplate* compiled = world.catalog.Resolve("summer_sale", "en", "en");
  const TemplateParameter header[] = {{"", "Ann"}};
  const TemplateParameter body[] = {{"", "Ann"}, {"", "sandals"}, {"", "20%"}};
  std::string out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(RenderTemplate(*compiled, {header, body}, {}, out));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["rendered_bytes"] = static_cast<double>(out.size());
}

void BM_QuietHours(benchmark::State& state, RecipientLocation where) {
  const QuietHours& quiet_hours = TheWorld().policy->quiet_hours();
  std::int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(quiet_hours.Check(kNow + std::chrono::seconds(i++ % 86400), where));
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_WholeGate)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_GateWithoutWordFilter)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_WordFilterScanOnly)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_RenderTemplateOnly)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_QuietHours, one_zone, RecipientLocation{"DE", "Europe/Berlin"})
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_QuietHours, us_all_zones, RecipientLocation{"US", ""})
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

BENCHMARK_MAIN();
