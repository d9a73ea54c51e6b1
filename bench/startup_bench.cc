// Time from exec of heraldd to READY=1 on its notify socket, with an empty database: once on a
// brand-new file (migrations run) and once on an existing, migrated, empty file.
//
// Usage: HERALD_BUILD_DIR=build build/bench/startup_bench [runs]   (default 21 runs each)
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/support/temp_dir.h"

namespace {

using herald::testing::DaemonProcess;
using herald::testing::TempDir;
using Clock = std::chrono::steady_clock;

std::string Config(const TempDir& dir) {
  return "[server]\nlisten = \"127.0.0.1:0\"\n[storage]\npath = \"" + (dir / "herald.db").string() +
         "\"\n[log]\nformat = \"text\"\nlevel = \"warn\"\n";
}

// One start: milliseconds from fork/exec to READY=1, or -1 on failure.
double StartOnce(const TempDir& dir) {
  auto start = Clock::now();
  DaemonProcess daemon(dir.path(), Config(dir),
                       {{"HERALD_ADMIN_TOKEN", "bench-token-0123456789abcdef"}});
  if (!daemon.WaitReady(std::chrono::seconds(10))) return -1;
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  daemon.Signal(SIGTERM);
  daemon.WaitExit(std::chrono::seconds(10));
  return ms;
}

void Report(const char* name, std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  double median = samples[samples.size() / 2];
  std::printf("%-28s runs=%zu min=%.1fms median=%.1fms max=%.1fms target=100ms ratio=%.2f\n", name,
              samples.size(), samples.front(), median, samples.back(), median / 100.0);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 21;
  std::vector<double> fresh, existing;
  for (int i = 0; i < runs; ++i) {
    TempDir dir;
    double first = StartOnce(dir);   // creates and migrates the database
    double second = StartOnce(dir);  // opens the migrated, empty database
    if (first < 0 || second < 0) {
      std::fprintf(stderr, "heraldd did not become ready\n");
      return 1;
    }
    fresh.push_back(first);
    existing.push_back(second);
  }
  Report("new database file", fresh);
  Report("existing empty database", existing);
  return 0;
}
