// End-to-end contact import benchmark (issue 3: "import of 1M contacts from CSV, normalisation and
// durable commit included: >= 100k rows/s"). Writes a generated CSV of N contacts
// (bench/contact_generator.h) to a temporary directory, then, for each run, imports it with
// RunImport and StorageImportSink into a fresh SQLite file (WAL, synchronous=FULL) and imports it a
// second time into the same file (every row unchanged). The clock runs from RunImport's start to
// its return, i.e. until the last batch is durable. Reports each run and the median rows/s.
//
//   ninja -C build-import-rel import_bench
//   build-import-rel/bench/import_bench [--rows=1000000] [--runs=3] [--dir=PATH] [--batch=2000]
//       [--threads=N (normaliser threads; 0: one per core)] [--null-sink (store nothing)]
//   build-import-rel/bench/import_bench --write-csv=PATH [--rows=N]
//       writes the generated file only (for bench/import_rss.sh) and prints its counts
//
// The file is realistic rather than clean: mostly canonical E.164, some spaced, "00"-prefixed or
// national (default region DE) numbers, about 1% numbers that must be rejected, quoted names,
// 0-4 tags, a country column that is often empty (derived from the number), consent and two
// attributes. The benchmark fails unless the import's counts are exactly what the generator made.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/contact_generator.h"
#include "common/clock.h"
#include "contacts/importer.h"
#include "contacts/storage_sink.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"

namespace herald::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kSeed = 20261203;

struct Options {
  std::size_t rows = 1'000'000;
  int runs = 3;
  fs::path dir;  // empty: a fresh directory under the system temp dir, removed at the end
  std::size_t batch = contacts::ImportOptions{}.batch_size;
  std::size_t threads = 0;  // ImportOptions::normaliser_threads
  bool null_sink = false;   // reader and normaliser alone: batches are dropped, not stored
  fs::path write_csv;       // non-empty: write the generated file there and import nothing
};

struct GeneratedFile {
  std::size_t rows = 0;
  std::size_t invalid = 0;  // rows whose number must be rejected
};

constexpr std::string_view kFirstNames[] = {"Anna", "Ben",  "Cara", "David", "Elif",  "Femi",
                                            "Gita", "Hugo", "Ines", "Jonas", "Kemal", "Lea",
                                            "Mia",  "Noah", "Olga", "Paulo", "Rosa",  "Sven"};
constexpr std::string_view kLastNames[] = {"Müller", "Smith",  "Silva",   "Sharma", "Jones",
                                           "Rossi",  "Garcia", "Dubois",  "Novak",  "Yilmaz",
                                           "Jansen", "Okafor", "Nielsen", "Santos"};

// a + b, built by appending: GCC 12 at -O3 flags `"00" + std::string` with a false -Wrestrict.
std::string Concat(std::string_view a, std::string_view b) {
  std::string text;
  text.reserve(a.size() + b.size());
  text.append(a).append(b);
  return text;
}

// "+49151 1234 5678": the prefix, then the subscriber digits in groups of four.
std::string Spaced(std::string_view e164, std::size_t prefix_size) {
  std::string text(e164.substr(0, prefix_size));
  for (std::size_t i = prefix_size; i < e164.size(); i += 4) {
    text += ' ';
    text += e164.substr(i, 4);
  }
  return text;
}

std::size_t PrefixSize(const GeneratedContact& contact) {
  for (const auto& country : ContactGenerator::kCountries) {
    if (country.code == contact.country) {
      return contact.phone.size() - static_cast<std::size_t>(country.subscriber_digits);
    }
  }
  return 3;
}

// The number as a person or another system wrote it; `invalid` says whether it must be rejected.
std::string WrittenPhone(const GeneratedContact& contact, bool* invalid) {
  const std::int64_t id = contact.id;
  *invalid = false;
  switch (id % 100) {
    case 7:  // ~1% invalid, four kinds
      *invalid = true;
      switch (id / 100 % 4) {
        case 0:
          return contact.phone.substr(0, 7);  // too short
        case 1:
          return Concat("+4930",
                        contact.phone.substr(contact.phone.size() - 7));  // Berlin fixed line
        case 2:
          return Concat("+999", std::string_view(contact.phone).substr(3));  // no such country code
        default:
          return "n/a";
      }
    case 11:
    case 23:
    case 37:
    case 41:
    case 59:
    case 73:  // ~6% spaced
      return Spaced(contact.phone, PrefixSize(contact));
    case 19:
    case 83:  // ~2% with the international prefix "00" (DE's, the default region)
      return Concat("00", std::string_view(contact.phone).substr(1));
    default:
      break;
  }
  // A fifth of German numbers in national format, read in the default region DE.
  if (contact.country == "DE" && id % 5 == 1)
    return Concat("0", std::string_view(contact.phone).substr(3));
  return contact.phone;
}

void AppendField(std::string& row, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    row += value;
    return;
  }
  row += '"';
  for (char c : value) {
    if (c == '"') row += '"';
    row += c;
  }
  row += '"';
}

GeneratedFile WriteCsv(const fs::path& path, std::size_t rows) {
  std::ofstream out(path, std::ios::binary);
  out << "phone,name,tags,country,language,consent_marketing,plan,orders\r\n";
  ContactGenerator generator(kSeed, SysTime{std::chrono::milliseconds(1'764'000'000'000)});
  GeneratedFile file;
  std::string row;
  for (std::size_t i = 0; i < rows; ++i) {
    GeneratedContact contact = generator.Next();
    bool invalid = false;
    row.clear();
    AppendField(row, WrittenPhone(contact, &invalid));
    row += ',';
    const auto first = kFirstNames[contact.id % std::size(kFirstNames)];
    const auto last = kLastNames[contact.id / 7 % std::size(kLastNames)];
    // Some exports write "Last, First", which needs quoting.
    const std::string name = contact.id % 10 == 3 ? std::string(last) + ", " + std::string(first)
                                                  : std::string(first) + " " + std::string(last);
    AppendField(row, name);
    row += ',';
    for (std::size_t t = 0; t < contact.tags.size(); ++t) {
      if (t > 0) row += ';';
      row += contact.tags[t];
    }
    row += ',';
    if (contact.id % 2 == 0) row += contact.country;  // else derived from the number
    row += ',';
    row += contact.language;
    row += ',';
    if (contact.opted_out) {
      row += "no";
    } else if (contact.consent_marketing) {
      row += "yes";
    }
    row += ',';
    row += contact.plan;
    row += ',';
    if (contact.orders >= 0) row += std::to_string(contact.orders);
    row += "\r\n";
    out << row;
    file.invalid += invalid ? 1 : 0;
  }
  file.rows = rows;
  return file;
}

// Accepts every batch at once as "created" (or "unchanged" on the re-import), storing nothing.
class NullSink : public contacts::ImportSink {
 public:
  explicit NullSink(storage::UpsertOutcome outcome) : outcome_(outcome) {}
  void Write(std::vector<storage::ContactUpsert> batch, Done done) override {
    done(std::vector<storage::UpsertOutcome>(batch.size(), outcome_));
  }

 private:
  storage::UpsertOutcome outcome_;
};

// CPU seconds used by the whole process (every thread) so far.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU seconds used by the calling thread so far.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// CPU seconds of every thread of this process, by thread id (from /proc; 10 ms resolution).
std::map<int, double> ThreadsCpuSeconds() {
  std::map<int, double> threads;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (const auto& entry : fs::directory_iterator("/proc/self/task")) {
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto after_name = text.rfind(')');
    if (after_name == std::string::npos) continue;
    std::istringstream fields(text.substr(after_name + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15: utime, stime
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    threads[std::stoi(entry.path().filename().string())] = (utime + stime) / tick;
  }
  return threads;
}

// "8.1 5.9 1.2": CPU us/row of each thread that worked during the import, busiest first.
std::string BusyThreads(const std::map<int, double>& before, const std::map<int, double>& after,
                        double rows, double total_us_per_row) {
  std::vector<double> busy;
  for (const auto& [tid, seconds] : after) {
    auto it = before.find(tid);
    const double used = seconds - (it == before.end() ? 0 : it->second);
    if (used * 1e6 / rows >= 0.05) busy.push_back(used * 1e6 / rows);
  }
  // Threads that ended before `after` was taken (RunImport's normalisers) are gone from /proc:
  // what the process used beyond the threads still listed is theirs.
  double listed = 0;
  for (double us : busy) listed += us;
  if (total_us_per_row - listed >= 0.05) busy.push_back(total_us_per_row - listed);
  std::sort(busy.rbegin(), busy.rend());
  std::string text;
  char number[32];
  for (double us : busy) {
    std::snprintf(number, sizeof number, "%s%.1f", text.empty() ? "" : " ", us);
    text += number;
  }
  return text;
}

struct Figures {
  double rows_per_s = -1;  // negative: the import failed
  double cpu_us_per_row = 0;
  double caller_cpu_us_per_row = 0;  // of that, on the thread that called RunImport
  std::string threads;               // of that, per thread (see BusyThreads)
};

struct RunFigures {
  Figures first;
  Figures again;
};

bool Check(bool condition, const char* what) {
  if (!condition) std::fprintf(stderr, "import_bench: unexpected result: %s\n", what);
  return condition;
}

// One import of the whole file.
Figures ImportOnce(const fs::path& csv, storage::SqliteStore& store, const Options& options,
                   const GeneratedFile& file, bool expect_created) {
  SystemClock clock;
  std::ifstream input(csv, std::ios::binary);
  contacts::ImportOptions import_options;
  import_options.default_region = "DE";
  import_options.batch_size = options.batch;
  import_options.normaliser_threads = options.threads;
  contacts::ImportProgress progress;
  std::size_t committed = 0;  // written on the writer thread only
  contacts::StorageImportSink storage_sink(
      store, clock, "import-bench",
      [&committed](std::vector<storage::UpsertResult>&& results) { committed += results.size(); });
  NullSink null_sink(expect_created ? storage::UpsertOutcome::kCreated
                                    : storage::UpsertOutcome::kUnchanged);
  contacts::ImportSink& sink =
      options.null_sink ? static_cast<contacts::ImportSink&>(null_sink) : storage_sink;
  const double cpu_start = ProcessCpuSeconds();
  const double caller_cpu_start = ThreadCpuSeconds();
  const auto threads_start = ThreadsCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  auto counts = contacts::RunImport(input, import_options, sink, progress, clock);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const double cpu = ProcessCpuSeconds() - cpu_start;
  const double caller_cpu = ThreadCpuSeconds() - caller_cpu_start;
  const auto threads_end = ThreadsCpuSeconds();
  if (!counts.ok()) {
    std::fprintf(stderr, "import_bench: import failed: %s\n", counts.error().ToString().c_str());
    return {};
  }
  if (options.null_sink) committed = counts->created + counts->unchanged;
  const std::uint64_t good = file.rows - file.invalid;
  bool ok = Check(counts->rows == file.rows, "rows read");
  ok &= Check(counts->rejected == file.invalid, "rejected = generated invalid numbers");
  ok &= Check(committed == good, "every stored row reported as committed");
  if (expect_created) {
    ok &= Check(counts->created == good, "created on the first import");
  } else {
    ok &= Check(counts->unchanged == good, "unchanged on the re-import");
  }
  if (!ok) {
    std::fprintf(stderr, "  rows=%llu created=%llu updated=%llu unchanged=%llu rejected=%llu\n",
                 static_cast<unsigned long long>(counts->rows),
                 static_cast<unsigned long long>(counts->created),
                 static_cast<unsigned long long>(counts->updated),
                 static_cast<unsigned long long>(counts->unchanged),
                 static_cast<unsigned long long>(counts->rejected));
    auto rejects = progress.rejects();
    for (std::size_t i = 0; i < std::min<std::size_t>(rejects.size(), 5); ++i) {
      std::fprintf(stderr, "  %s\n", rejects[i].reason.c_str());
    }
    return {};
  }
  const auto rows = static_cast<double>(file.rows);
  return {rows / elapsed.count(), cpu * 1e6 / rows, caller_cpu * 1e6 / rows,
          BusyThreads(threads_start, threads_end, rows, cpu * 1e6 / rows)};
}

bool RunOnce(const fs::path& dir, const fs::path& csv, const Options& options,
             const GeneratedFile& file, RunFigures* figures) {
  const fs::path db = dir / "import.db";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  auto store = storage::SqliteStore::Open({db});
  if (!store.ok()) {
    std::fprintf(stderr, "import_bench: %s\n", store.error().ToString().c_str());
    return false;
  }
  figures->first = ImportOnce(csv, **store, options, file, true);
  if (figures->first.rows_per_s < 0) return false;
  figures->again = ImportOnce(csv, **store, options, file, false);
  if (figures->again.rows_per_s < 0) return false;
  (*store)->Stop();
  return true;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

bool ParseOptions(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view name) -> const char* {
      return arg.substr(0, name.size()) == name ? argv[i] + name.size() : nullptr;
    };
    if (const char* v = value("--rows=")) {
      options->rows = std::strtoull(v, nullptr, 10);
    } else if (const char* v = value("--runs=")) {
      options->runs = std::atoi(v);
    } else if (const char* v = value("--dir=")) {
      options->dir = v;
    } else if (const char* v = value("--batch=")) {
      options->batch = std::strtoull(v, nullptr, 10);
    } else if (const char* v = value("--threads=")) {
      options->threads = std::strtoull(v, nullptr, 10);
    } else if (arg == "--null-sink") {
      options->null_sink = true;
    } else if (const char* v = value("--write-csv=")) {
      options->write_csv = v;
    } else {
      std::fprintf(stderr,
                   "usage: import_bench [--rows=1000000] [--runs=3] [--dir=PATH] [--batch=N] "
                   "[--threads=N] [--null-sink] [--write-csv=PATH]\n");
      return false;
    }
  }
  return options->rows > 0 && options->runs > 0 && options->batch > 0;
}

int Main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, &options)) return 2;
  if (!options.write_csv.empty()) {
    const GeneratedFile file = WriteCsv(options.write_csv, options.rows);
    std::error_code error;
    const auto size = fs::file_size(options.write_csv, error);
    if (error) {
      std::fprintf(stderr, "import_bench: cannot write %s\n", options.write_csv.c_str());
      return 1;
    }
    std::printf("rows=%zu invalid=%zu bytes=%llu\n", file.rows, file.invalid,
                static_cast<unsigned long long>(size));
    return 0;
  }
  const bool own_dir = options.dir.empty();
  if (own_dir) {
    std::string pattern = (fs::temp_directory_path() / "herald-import-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    options.dir = pattern;
  }
  fs::create_directories(options.dir);
  const fs::path csv = options.dir / "contacts.csv";
  const GeneratedFile file = WriteCsv(csv, options.rows);
  std::printf("file: %s, %zu rows, %zu with invalid numbers, %.1f MB; batch %zu\n", csv.c_str(),
              file.rows, file.invalid, static_cast<double>(fs::file_size(csv)) / 1e6,
              options.batch);

  std::vector<double> first, again, first_cpu, again_cpu;
  bool ok = true;
  for (int run = 0; run < options.runs && ok; ++run) {
    RunFigures figures;
    ok = RunOnce(options.dir, csv, options, file, &figures);
    if (!ok) break;
    first.push_back(figures.first.rows_per_s);
    again.push_back(figures.again.rows_per_s);
    first_cpu.push_back(figures.first.cpu_us_per_row);
    again_cpu.push_back(figures.again.cpu_us_per_row);
    std::printf(
        "run %d: import %.0f rows/s (CPU us/row %.2f; by thread %s; caller %.2f), re-import "
        "(unchanged) %.0f rows/s (CPU us/row %.2f; by thread %s; caller %.2f)\n",
        run + 1, figures.first.rows_per_s, figures.first.cpu_us_per_row,
        figures.first.threads.c_str(), figures.first.caller_cpu_us_per_row,
        figures.again.rows_per_s, figures.again.cpu_us_per_row, figures.again.threads.c_str(),
        figures.again.caller_cpu_us_per_row);
    std::fflush(stdout);
  }
  if (ok) {
    std::printf(
        "median of %d: import %.0f rows/s (%.2f x the 100k rows/s target), "
        "re-import %.0f rows/s\n",
        options.runs, Median(first), Median(first) / 100'000, Median(again));
  }
  if (own_dir) fs::remove_all(options.dir);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace herald::bench

int main(int argc, char** argv) { return herald::bench::Main(argc, argv); }
