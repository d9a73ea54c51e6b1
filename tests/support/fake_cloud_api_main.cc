// fake_cloud_api: the fake Cloud API server (fake_cloud_api.h) as a process, for integration
// tests and benchmarks that run heraldd against it. Prints the bound port on its own line on
// stdout, then serves until SIGTERM or SIGINT. Settings can change while it runs: POST /_control.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "tests/support/fake_cloud_api.h"

int main(int argc, char** argv) {
  herald::testing::FakeCloudApiOptions options;
  std::int64_t pair_interval_ms = 0;
  std::int64_t tier_window_ms = 24 * 3600 * 1000;
  std::int64_t latency_ms = 0;
  CLI::App app{"A Cloud-API-compatible fake server on loopback (tests/support/fake_cloud_api.h)"};
  app.add_option("--host", options.host, "address to listen on (loopback)")->capture_default_str();
  app.add_option("--port", options.port, "port; 0 picks a free one")->capture_default_str();
  app.add_option("--token", options.token, "the bearer token to expect")->capture_default_str();
  app.add_option("--threads", options.threads, "server threads")->capture_default_str();
  app.add_option("--seed", options.seed, "seed of the fault draws")->capture_default_str();
  app.add_option("--throughput", options.limits.throughput_per_second,
                 "messages per second per number; 0: unlimited");
  app.add_option("--pair-interval-ms", pair_interval_ms, "131056 within this; 0: off");
  app.add_option("--tier-limit", options.limits.tier_limit,
                 "unique template recipients per window per portfolio; 0: off");
  app.add_option("--tier-window-ms", tier_window_ms, "the tier's moving window")
      ->capture_default_str();
  app.add_option("--tier-error-code", options.limits.tier_error_code)->capture_default_str();
  app.add_option("--latency-ms", latency_ms, "delay before every answer");
  bool no_record = false;
  app.add_flag("--no-record", no_record, "do not keep accepted messages (GET /_received is empty)");
  CLI11_PARSE(app, argc, argv);
  options.limits.pair_interval = std::chrono::milliseconds(pair_interval_ms);
  options.limits.tier_window = std::chrono::milliseconds(tier_window_ms);
  options.faults.latency = std::chrono::milliseconds(latency_ms);
  options.record_messages = !no_record;

  // Block the stop signals before the server's threads start, so that only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    herald::testing::FakeCloudApi server(options);
    std::cout << server.port() << std::endl;
    int received = 0;
    sigwait(&stop_signals, &received);
    server.Stop();
  } catch (const std::exception& error) {
    std::cerr << "fake_cloud_api: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
