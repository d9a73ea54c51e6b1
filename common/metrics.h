// common/metrics.h: the metrics registry every component registers its series into, served as
// /metrics in the Prometheus text format (0.0.4).
//
// A component registers its series once, at construction, and keeps the handles (Counter, Gauge,
// Histogram) it updates afterwards; the registry owns the series. Two kinds of value:
//   - pushed: the component updates a handle where the event happens (a request answered, a
//     filter activated). Most series are pushed.
//   - pulled: the value already lives elsewhere and is read when /metrics is scraped, through a
//     callback (AddCallbackCounter/AddCallbackGauge), e.g. the storage writer's Stats, which a
//     lower layer keeps and must not learn about this registry, or uptime.
//
// Names follow Prometheus conventions: snake_case with the `herald_` prefix, counters end in
// `_total`, quantities in base units (`_seconds`, `_bytes`). Registering a name twice with the
// same type returns the same family (two servers on one registry share their counters);
// registering it with another type, or twice as a callback, is a programming error and throws
// std::invalid_argument, as do invalid metric or label names.
//
// Label values must come from a small fixed set (a status class, a route pattern), never from
// user input such as a raw path: every distinct value is a new series kept forever.
//
// A thin facade over prometheus-cpp's core library, so that its headers stay in metrics.cc.
//
// Thread rules: everything is safe from any thread. Handles are cheap to copy and valid as long as
// their Registry lives. Callbacks run on the thread that calls Serialize, under the registry's
// lock: they must be safe on that thread (in heraldd, the network thread) and must not use the
// registry. Destroying a CallbackRegistration waits for a running callback and removes it, so an
// owner that keeps the registration as a member (declared after what the callback reads) can
// never be read after its destruction.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace herald::metrics {

// The Content-Type of Registry::Serialize's output.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Label name -> value, e.g. {{"code", "2xx"}}.
using Labels = std::map<std::string, std::string>;

template <typename Series>
class Family;

// A monotonically increasing count (of events, or of seconds spent).
class Counter {
 public:
  void Increment(double by = 1);  // `by` must not be negative
  double Value() const;

 private:
  friend class Family<Counter>;
  using Metric = prometheus::Counter;
  explicit Counter(prometheus::Counter* counter) : counter_(counter) {}
  prometheus::Counter* counter_;
};

// A value that goes up and down (open connections, terms in the active word lists).
class Gauge {
 public:
  void Set(double value);
  void Set(std::chrono::duration<double> elapsed);  // in seconds, the base unit
  void Increment(double by = 1);
  void Decrement(double by = 1);
  double Value() const;

 private:
  friend class Family<Gauge>;
  using Metric = prometheus::Gauge;
  explicit Gauge(prometheus::Gauge* gauge) : gauge_(gauge) {}
  prometheus::Gauge* gauge_;
};

// Counts observations into fixed buckets (cumulative `le` buckets, a sum and a count).
class Histogram {
 public:
  void Observe(double value);
  void Observe(std::chrono::duration<double> elapsed);  // in seconds, the base unit

 private:
  friend class Family<Histogram>;
  using Metric = prometheus::Histogram;
  explicit Histogram(prometheus::Histogram* histogram) : histogram_(histogram) {}
  prometheus::Histogram* histogram_;
};

// One metric name; one series per distinct set of label values. With() creates the series on
// first use (its value starts at 0) and returns the same one afterwards. It takes a lock and
// looks the labels up: on a hot path, keep the handle instead of calling With() every time.
template <typename Series>
class Family {
 public:
  Series With(const Labels& labels = {}) const;

 private:
  friend class Registry;
  using Metric = typename Series::Metric;
  explicit Family(prometheus::Family<Metric>* family, std::vector<double> buckets = {})
      : family_(family), buckets_(std::move(buckets)) {}
  prometheus::Family<Metric>* family_;
  std::vector<double> buckets_;  // histograms only
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Upper bounds in seconds for request and job latencies: 0.5 ms to 10 s.
std::vector<double> LatencyBucketsSeconds();

class Registry;

// Keeps a callback registered; removes it on destruction (waiting for a running call).
class CallbackRegistration {
 public:
  CallbackRegistration(CallbackRegistration&& other) noexcept;
  CallbackRegistration& operator=(CallbackRegistration&& other) noexcept;
  ~CallbackRegistration();

 private:
  friend class Registry;
  CallbackRegistration(Registry* registry, std::string name)
      : registry_(registry), name_(std::move(name)) {}
  Registry* registry_;
  std::string name_;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily AddCounter(const std::string& name, const std::string& help);
  GaugeFamily AddGauge(const std::string& name, const std::string& help);
  // `buckets`: the upper bounds, ascending; the +Inf bucket is implicit.
  HistogramFamily AddHistogram(const std::string& name, const std::string& help,
                               std::vector<double> buckets);

  // An unlabelled series whose value `read` returns at every Serialize. A callback counter must
  // never go down (Prometheus takes a decrease for a restart).
  [[nodiscard]] CallbackRegistration AddCallbackCounter(const std::string& name,
                                                        const std::string& help,
                                                        std::function<double()> read);
  [[nodiscard]] CallbackRegistration AddCallbackGauge(const std::string& name,
                                                      const std::string& help,
                                                      std::function<double()> read);

  // Every series, families sorted by name, in the text exposition format (kTextContentType).
  std::string Serialize() const;

 private:
  friend class CallbackRegistration;
  struct Callbacks;
  CallbackRegistration AddCallback(const std::string& name, const std::string& help, bool counter,
                                   std::function<double()> read);
  void RemoveCallback(const std::string& name);

  std::unique_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Callbacks> callbacks_;
};

}  // namespace herald::metrics
