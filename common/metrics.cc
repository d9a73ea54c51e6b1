#include "common/metrics.h"

#include <prometheus/check_names.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace herald::metrics {

void Counter::Increment(double by) { counter_->Increment(by); }
double Counter::Value() const { return counter_->Value(); }

void Gauge::Set(double value) { gauge_->Set(value); }
void Gauge::Set(std::chrono::duration<double> elapsed) { gauge_->Set(elapsed.count()); }
void Gauge::Increment(double by) { gauge_->Increment(by); }
void Gauge::Decrement(double by) { gauge_->Decrement(by); }
double Gauge::Value() const { return gauge_->Value(); }

void Histogram::Observe(double value) { histogram_->Observe(value); }
void Histogram::Observe(std::chrono::duration<double> elapsed) {
  histogram_->Observe(elapsed.count());
}

template <typename Series>
Series Family<Series>::With(const Labels& labels) const {
  if constexpr (std::is_same_v<Series, Histogram>) {
    return Series(&family_->Add(labels, buckets_));
  } else {
    return Series(&family_->Add(labels));
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

std::vector<double> LatencyBucketsSeconds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// The pulled series, and the name of every family so that a callback cannot take the name of a
// pushed family (prometheus::Registry checks only its own families against each other).
struct Registry::Callbacks {
  struct Entry {
    std::string help;
    bool counter;
    std::function<double()> read;
  };
  mutable std::mutex mutex;
  std::map<std::string, Entry> entries;
  std::map<std::string, std::string> pushed_types;  // name -> "counter", "gauge", "histogram"

  void ClaimPushed(const std::string& name, const std::string& type) {
    std::lock_guard lock(mutex);
    if (entries.contains(name)) {
      throw std::invalid_argument("metric " + name + " is already registered as a callback");
    }
    pushed_types.emplace(name, type);
  }
};

CallbackRegistration::CallbackRegistration(CallbackRegistration&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), name_(std::move(other.name_)) {}

CallbackRegistration& CallbackRegistration::operator=(CallbackRegistration&& other) noexcept {
  if (this != &other) {
    if (registry_) registry_->RemoveCallback(name_);
    registry_ = std::exchange(other.registry_, nullptr);
    name_ = std::move(other.name_);
  }
  return *this;
}

CallbackRegistration::~CallbackRegistration() {
  if (registry_) registry_->RemoveCallback(name_);
}

Registry::Registry()
    : registry_(std::make_unique<prometheus::Registry>()),
      callbacks_(std::make_unique<Callbacks>()) {}

Registry::~Registry() = default;

CounterFamily Registry::AddCounter(const std::string& name, const std::string& help) {
  callbacks_->ClaimPushed(name, "counter");
  return CounterFamily(&prometheus::BuildCounter().Name(name).Help(help).Register(*registry_));
}

GaugeFamily Registry::AddGauge(const std::string& name, const std::string& help) {
  callbacks_->ClaimPushed(name, "gauge");
  return GaugeFamily(&prometheus::BuildGauge().Name(name).Help(help).Register(*registry_));
}

HistogramFamily Registry::AddHistogram(const std::string& name, const std::string& help,
                                       std::vector<double> buckets) {
  if (!std::is_sorted(buckets.begin(), buckets.end())) {
    throw std::invalid_argument("histogram " + name + ": buckets must be ascending");
  }
  callbacks_->ClaimPushed(name, "histogram");
  return HistogramFamily(&prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_),
                         std::move(buckets));
}

CallbackRegistration Registry::AddCallbackCounter(const std::string& name, const std::string& help,
                                                  std::function<double()> read) {
  return AddCallback(name, help, true, std::move(read));
}

CallbackRegistration Registry::AddCallbackGauge(const std::string& name, const std::string& help,
                                                std::function<double()> read) {
  return AddCallback(name, help, false, std::move(read));
}

CallbackRegistration Registry::AddCallback(const std::string& name, const std::string& help,
                                           bool counter, std::function<double()> read) {
  if (!prometheus::CheckMetricName(name))
    throw std::invalid_argument("invalid metric name " + name);
  std::lock_guard lock(callbacks_->mutex);
  if (callbacks_->pushed_types.contains(name) || callbacks_->entries.contains(name)) {
    throw std::invalid_argument("metric " + name + " is already registered");
  }
  callbacks_->entries.emplace(name, Callbacks::Entry{help, counter, std::move(read)});
  return CallbackRegistration(this, name);
}

void Registry::RemoveCallback(const std::string& name) {
  std::lock_guard lock(callbacks_->mutex);
  callbacks_->entries.erase(name);
}

std::string Registry::Serialize() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  {
    std::lock_guard lock(callbacks_->mutex);
    for (const auto& [name, entry] : callbacks_->entries) {
      prometheus::MetricFamily family;
      family.name = name;
      family.help = entry.help;
      prometheus::ClientMetric sample;
      if (entry.counter) {
        family.type = prometheus::MetricType::Counter;
        sample.counter.value = entry.read();
      } else {
        family.type = prometheus::MetricType::Gauge;
        sample.gauge.value = entry.read();
      }
      family.metric.push_back(std::move(sample));
      families.push_back(std::move(family));
    }
  }
  // Stable, readable output: families by name, series by labels (prometheus-cpp hashes them).
  std::sort(families.begin(), families.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& family : families) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const auto& a, const auto& b) { return a.label < b.label; });
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace herald::metrics
