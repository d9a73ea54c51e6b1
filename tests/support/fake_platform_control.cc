// The fake platform's settings and records: from the test (methods) and over HTTP (/_control,
// /_received, /_recipients, /_stats).
#include <boost/json.hpp>

#include "tests/support/fake_platform.h"

namespace herald::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

std::int64_t MicrosecondsSinceEpoch(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

json::object SettingsJson(const FakeCloudApiLimits& limits, const FakeCloudApiFaults& faults) {
  json::object by_number;
  for (const auto& [number, throughput] : limits.throughput_by_number) {
    by_number[number] = throughput;
  }
  return json::object{{"throughput_per_second", limits.throughput_per_second},
                      {"throughput_by_number", std::move(by_number)},
                      {"pair_interval_ms", limits.pair_interval.count()},
                      {"tier_limit", limits.tier_limit},
                      {"tier_window_ms", limits.tier_window.count()},
                      {"tier_error_code", limits.tier_error_code},
                      {"latency_ms", faults.latency.count()},
                      {"drop_rate", faults.drop_rate},
                      {"timeout_rate", faults.timeout_rate},
                      {"server_error_rate", faults.server_error_rate},
                      {"server_error_status", faults.server_error_status},
                      {"server_error_body", faults.server_error_body},
                      {"lost_answer_rate", faults.lost_answer_rate},
                      {"held_rate", faults.held_rate}};
}

// Sets the setting `key` from `value`; false when the key is unknown or the value of a wrong type.
bool ApplySetting(std::string_view key, const json::value& value, FakeCloudApiLimits& limits,
                  FakeCloudApiFaults& faults) {
  const auto number = [&]() -> std::optional<double> {
    if (value.is_int64()) return static_cast<double>(value.get_int64());
    if (value.is_uint64()) return static_cast<double>(value.get_uint64());
    if (value.is_double()) return value.get_double();
    return std::nullopt;
  }();
  if (key == "throughput_by_number") {
    if (!value.is_object()) return false;
    std::map<std::string, std::size_t> by_number;
    for (const auto& [number, throughput] : value.get_object()) {
      if (throughput.is_int64() && throughput.get_int64() >= 0) {
        by_number[std::string(number)] = static_cast<std::size_t>(throughput.get_int64());
      } else if (throughput.is_uint64()) {
        by_number[std::string(number)] = static_cast<std::size_t>(throughput.get_uint64());
      } else {
        return false;
      }
    }
    limits.throughput_by_number = std::move(by_number);
    return true;
  }
  if (key == "server_error_body") {
    if (!value.is_bool()) return false;
    faults.server_error_body = value.get_bool();
    return true;
  }
  if (!number || *number < 0) return false;
  const auto count = static_cast<std::int64_t>(*number);
  if (key == "throughput_per_second")
    limits.throughput_per_second = count;
  else if (key == "pair_interval_ms")
    limits.pair_interval = milliseconds(count);
  else if (key == "tier_limit")
    limits.tier_limit = count;
  else if (key == "tier_window_ms")
    limits.tier_window = milliseconds(count);
  else if (key == "tier_error_code")
    limits.tier_error_code = count;
  else if (key == "latency_ms")
    faults.latency = milliseconds(count);
  else if (key == "drop_rate")
    faults.drop_rate = *number;
  else if (key == "timeout_rate")
    faults.timeout_rate = *number;
  else if (key == "server_error_rate")
    faults.server_error_rate = *number;
  else if (key == "server_error_status")
    faults.server_error_status = static_cast<int>(count);
  else if (key == "lost_answer_rate")
    faults.lost_answer_rate = *number;
  else if (key == "held_rate")
    faults.held_rate = *number;
  else
    return false;
  return true;
}

FakeAnswer PlainAnswer(int status, std::string content_type, std::string body) {
  FakeAnswer answer;
  answer.status = status;
  answer.content_type = std::move(content_type);
  answer.body = std::move(body);
  return answer;
}

}  // namespace

FakeAnswer FakePlatform::HandleControl(std::string_view body) {
  json::error_code ec;
  const json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) {
    return PlainAnswer(400, "text/plain", "expected a JSON object of settings\n");
  }
  std::lock_guard lock(mutex_);
  FakeCloudApiLimits limits = limits_;
  FakeCloudApiFaults faults = faults_;
  for (const auto& [key, value] : root.get_object()) {
    if (!ApplySetting(key, value, limits, faults)) {
      return PlainAnswer(400, "text/plain",
                         "unknown setting or bad value: " + std::string(key) + "\n");
    }
  }
  limits_ = limits;
  faults_ = faults;
  return PlainAnswer(200, "application/json", json::serialize(SettingsJson(limits_, faults_)));
}

FakeAnswer FakePlatform::ReceivedLines() const {
  std::lock_guard lock(mutex_);
  std::string lines;
  for (const ReceivedMessage& message : received_) {
    const auto arrived =
        std::chrono::duration_cast<milliseconds>(message.arrived.time_since_epoch());
    lines += json::serialize(json::object{{"message_id", message.message_id},
                                          {"phone_number_id", message.phone_number_id},
                                          {"to", message.to},
                                          {"type", message.type},
                                          {"template", message.template_name},
                                          {"language", message.template_language},
                                          {"text", message.text},
                                          {"callback_data", message.callback_data},
                                          {"arrived_ms", arrived.count()},
                                          {"arrived_us", MicrosecondsSinceEpoch(message.arrived)}});
    lines += '\n';
  }
  return PlainAnswer(200, "application/jsonl", std::move(lines));
}

FakeAnswer FakePlatform::RefusedLines() const {
  std::lock_guard lock(mutex_);
  std::string lines;
  for (const Refusal& refusal : refused_) {
    lines += json::serialize(json::object{{"phone_number_id", refusal.phone_number_id},
                                          {"to", refusal.to},
                                          {"code", refusal.code},
                                          {"arrived_us", MicrosecondsSinceEpoch(refusal.arrived)}});
    lines += '\n';
  }
  return PlainAnswer(200, "application/jsonl", std::move(lines));
}

FakeAnswer FakePlatform::RecipientLines() const {
  std::lock_guard lock(mutex_);
  std::string lines;
  for (const auto& [to, counts] : by_recipient_) {
    lines += json::serialize(
        json::object{{"to", to}, {"requests", counts.first}, {"accepted", counts.second}});
    lines += '\n';
  }
  return PlainAnswer(200, "application/jsonl", std::move(lines));
}

FakeAnswer FakePlatform::StatsJson() const {
  const FakeCloudApiStats stats = Stats();
  json::object errors;
  for (const auto& [code, count] : stats.errors) errors[std::to_string(code)] = count;
  return PlainAnswer(200, "application/json",
                     json::serialize(json::object{
                         {"connections", stats.connections},
                         {"requests", stats.requests},
                         {"accepted", stats.accepted},
                         {"errors", std::move(errors)},
                         {"server_errors", stats.server_errors},
                         {"timeouts", stats.timeouts},
                         {"drops", stats.drops},
                         {"lost_answers", stats.lost_answers},
                         {"window_origin_us", MicrosecondsSinceEpoch(started_wall_)},
                         {"last_request_us",
                          stats.last_request ? MicrosecondsSinceEpoch(*stats.last_request) : 0}}));
}

void FakePlatform::CountConnection() {
  std::lock_guard lock(mutex_);
  stats_.connections++;
}

void FakePlatform::SetLimits(FakeCloudApiLimits limits) {
  std::lock_guard lock(mutex_);
  limits_ = limits;
}

void FakePlatform::SetFaults(FakeCloudApiFaults faults) {
  std::lock_guard lock(mutex_);
  faults_ = faults;
}

FakeCloudApiLimits FakePlatform::limits() const {
  std::lock_guard lock(mutex_);
  return limits_;
}

FakeCloudApiFaults FakePlatform::faults() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

std::vector<ReceivedMessage> FakePlatform::Received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t FakePlatform::RequestsFor(const std::string& to) const {
  std::lock_guard lock(mutex_);
  const auto found = by_recipient_.find(to);
  return found == by_recipient_.end() ? 0 : found->second.first;
}

std::map<std::string, std::size_t> FakePlatform::RequestsByRecipient() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::size_t> requests;
  for (const auto& [to, counts] : by_recipient_) requests.emplace(to, counts.first);
  return requests;
}

FakeCloudApiStats FakePlatform::Stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace herald::testing
