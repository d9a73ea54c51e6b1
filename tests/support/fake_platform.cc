#include "tests/support/fake_platform.h"

#include <boost/json.hpp>

namespace herald::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

std::string StringAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

const json::object* ObjectAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr ? value->if_object() : nullptr;
}

std::vector<std::string_view> SplitPath(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string_view> parts;
  while (!target.empty()) {
    target.remove_prefix(1);  // the '/'
    const std::size_t slash = target.find('/');
    parts.push_back(target.substr(0, slash));
    target = slash == std::string_view::npos ? std::string_view() : target.substr(slash);
  }
  return parts;
}

FakeAnswer JsonAnswer(int status, const json::value& value) {
  FakeAnswer answer;
  answer.status = status;
  answer.body = json::serialize(value);
  return answer;
}

// Why a template's components are not the platform's shape, or empty.
std::string CheckComponents(const json::object& template_object) {
  const json::value* components = template_object.if_contains("components");
  if (components == nullptr) return {};
  if (!components->is_array()) return "template.components must be an array";
  for (const json::value& component : components->get_array()) {
    const json::object* object = component.if_object();
    if (object == nullptr) return "a template component must be an object";
    const std::string type = StringAt(*object, "type");
    if (type != "header" && type != "body" && type != "button") {
      return "unknown component type \"" + type + "\"";
    }
    const json::value* parameters = object->if_contains("parameters");
    if (parameters == nullptr || !parameters->is_array()) return "parameters must be an array";
    for (const json::value& parameter : parameters->get_array()) {
      const json::object* p = parameter.if_object();
      if (p == nullptr || StringAt(*p, "type") != "text" || !p->contains("text")) {
        return "a parameter must be {\"type\":\"text\",\"text\":…}";
      }
    }
  }
  return {};
}

}  // namespace

struct FakePlatform::Parsed {
  std::string phone_number_id;
  std::string to;
  std::string type;
  std::string template_name;
  std::string language;
  std::string text;
  std::string callback_data;
};

FakePlatform::FakePlatform(const FakeCloudApiOptions& options)
    : token_(options.token),
      record_messages_(options.record_messages),
      portfolios_(options.portfolios),
      limits_(options.limits),
      faults_(options.faults),
      random_(options.seed) {}

std::chrono::system_clock::time_point FakePlatform::WallOf(Steady::time_point now) const {
  return started_wall_ +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(now - started_);
}

double FakePlatform::Uniform() { return static_cast<double>(random_() >> 11) * 0x1.0p-53; }

FakeAnswer FakePlatform::Error(int status, std::int64_t code, std::string message,
                               std::string details) {
  stats_.errors[code]++;
  json::object error{{"message", message}, {"type", "OAuthException"}, {"code", code}};
  if (!details.empty()) {
    error["error_data"] = json::object{{"messaging_product", "whatsapp"}, {"details", details}};
  }
  error["fbtrace_id"] = "AfakeTrace" + std::to_string(++next_id_);
  return JsonAnswer(status, json::object{{"error", std::move(error)}});
}

FakeAnswer FakePlatform::Handle(const FakeRequest& request) {
  const auto parts = SplitPath(request.target);
  if (parts.size() == 3 && parts[0].starts_with('v') && parts[2] == "messages") {
    if (request.method != "POST") {
      std::lock_guard lock(mutex_);
      return Error(400, 100, "Unsupported get request.", "");
    }
    return HandleMessages(parts[1], request);
  }
  if (request.target == "/_control" && request.method == "POST") {
    return HandleControl(request.body);
  }
  if (request.method == "GET" && request.target == "/_received") return ReceivedLines();
  if (request.method == "GET" && request.target == "/_refused") return RefusedLines();
  if (request.method == "GET" && request.target == "/_recipients") return RecipientLines();
  if (request.method == "GET" && request.target == "/_stats") return StatsJson();
  std::lock_guard lock(mutex_);
  return Error(400, 2500, "Unknown path components: " + std::string(request.target), "");
}

FakeAnswer FakePlatform::HandleMessages(std::string_view number, const FakeRequest& request) {
  const auto now = Steady::now();
  std::lock_guard lock(mutex_);
  stats_.requests++;
  stats_.last_request = WallOf(now);
  if (request.authorization != "Bearer " + token_) {
    return Error(401, 190, "Invalid OAuth access token - Cannot parse access token", "");
  }
  json::error_code ec;
  const json::value root = json::parse(request.body, ec);
  const json::object* object = ec ? nullptr : root.if_object();
  if (object == nullptr) return Error(400, 100, "(#100) Invalid parameter", "body is not JSON");
  Parsed parsed;
  parsed.phone_number_id = std::string(number);
  parsed.to = StringAt(*object, "to");
  parsed.type = StringAt(*object, "type");
  parsed.callback_data = StringAt(*object, "biz_opaque_callback_data");
  std::string problem;
  if (StringAt(*object, "messaging_product") != "whatsapp") {
    problem = "messaging_product must be \"whatsapp\"";
  } else if (object->contains("recipient_type") &&
             StringAt(*object, "recipient_type") != "individual") {
    problem = "recipient_type must be \"individual\"";
  } else if (parsed.to.empty()) {
    problem = "to is required";
  } else if (parsed.type == "template") {
    const json::object* tmpl = ObjectAt(*object, "template");
    const json::object* language = tmpl ? ObjectAt(*tmpl, "language") : nullptr;
    parsed.template_name = tmpl ? StringAt(*tmpl, "name") : "";
    parsed.language = language ? StringAt(*language, "code") : "";
    if (parsed.template_name.empty() || parsed.language.empty()) {
      problem = "template.name and template.language.code are required";
    } else {
      problem = CheckComponents(*tmpl);
    }
  } else if (parsed.type == "text") {
    const json::object* text = ObjectAt(*object, "text");
    parsed.text = text ? StringAt(*text, "body") : "";
    if (parsed.text.empty()) problem = "text.body is required";
  } else {
    problem = "type must be \"template\" or \"text\"";
  }
  if (!problem.empty()) return Error(400, 100, "(#100) Invalid parameter", problem);
  by_recipient_[parsed.to].first++;
  if (auto fault = Fault(Uniform())) return std::move(*fault);
  if (auto refused = OverLimit(parsed, now)) return std::move(*refused);
  return Accept(std::move(parsed), request.body, now);
}

std::optional<FakeAnswer> FakePlatform::Fault(double draw) {
  FakeAnswer answer;
  answer.delay = faults_.latency;
  if (draw < faults_.drop_rate) {
    stats_.drops++;
    answer.action = FakeAnswer::Action::kDrop;
    return answer;
  }
  draw -= faults_.drop_rate;
  if (draw < faults_.timeout_rate) {
    stats_.timeouts++;
    answer.action = FakeAnswer::Action::kNeverAnswer;
    return answer;
  }
  draw -= faults_.timeout_rate;
  if (draw < faults_.server_error_rate) {
    stats_.server_errors++;
    const int status = faults_.server_error_status;
    if (faults_.server_error_body) {
      answer = status == 503 ? Error(status, 2, "(#2) Service temporarily unavailable", "")
                             : Error(status, 1, "An unknown error has occurred.", "");
      answer.delay = faults_.latency;
    } else {
      answer.status = status;
      answer.content_type = "text/html";
    }
    return answer;
  }
  return std::nullopt;
}

std::optional<FakeAnswer> FakePlatform::OverLimit(const Parsed& parsed, Steady::time_point now) {
  std::optional<FakeAnswer> refused;
  const std::int64_t second =
      std::chrono::duration_cast<std::chrono::seconds>(now - started_).count();
  auto& [window, count] = seconds_[parsed.phone_number_id];
  if (window != second) std::tie(window, count) = std::pair{second, std::size_t{0}};
  auto& tier =
      tiers_[portfolios_.contains(parsed.phone_number_id) ? portfolios_.at(parsed.phone_number_id)
                                                          : std::string("default")];
  while (!tier.times.empty() && tier.times.front().first + limits_.tier_window <= now) {
    auto found = tier.last.find(tier.times.front().second);
    if (found != tier.last.end() && found->second == tier.times.front().first) {
      tier.last.erase(found);
    }
    tier.times.pop_front();
  }
  const auto pair = last_to_pair_.find({parsed.phone_number_id, parsed.to});
  const auto own = limits_.throughput_by_number.find(parsed.phone_number_id);
  const std::size_t throughput =
      own != limits_.throughput_by_number.end() ? own->second : limits_.throughput_per_second;
  std::int64_t refused_code = 0;
  if (throughput > 0 && count >= throughput) {
    refused_code = 130429;
    refused = Error(400, 130429, "(#130429) Rate limit hit",
                    "Cloud API message throughput has been reached.");
    refused->headers.emplace_back("Retry-After", "1");
  } else if (parsed.type == "template" && limits_.tier_limit > 0 &&
             !tier.last.contains(parsed.to) && tier.last.size() >= limits_.tier_limit) {
    refused_code = limits_.tier_error_code;
    refused = Error(400, limits_.tier_error_code,
                    "(#" + std::to_string(limits_.tier_error_code) + ") Messaging limit reached",
                    "The business portfolio reached its limit of unique recipients in 24 hours.");
  } else if (limits_.pair_interval.count() > 0 && pair != last_to_pair_.end() &&
             now - pair->second < limits_.pair_interval) {
    refused_code = 131056;
    refused =
        Error(400, 131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit",
              "Message failed to send because there were too many messages sent from this "
              "phone number to the same phone number in a short period of time.");
  }
  if (refused) {
    refused->delay = faults_.latency;
    if (record_messages_) {
      refused_.push_back(Refusal{parsed.phone_number_id, parsed.to, refused_code, WallOf(now)});
    }
    return refused;
  }
  count++;
  if (parsed.type == "template" && limits_.tier_limit > 0) {
    tier.last[parsed.to] = now;
    tier.times.emplace_back(now, parsed.to);
  }
  return std::nullopt;
}

FakeAnswer FakePlatform::Accept(Parsed parsed, std::string_view body, Steady::time_point now) {
  const std::string id = "wamid.fake." + std::to_string(++next_id_);
  if (limits_.pair_interval.count() > 0) last_to_pair_[{parsed.phone_number_id, parsed.to}] = now;
  stats_.accepted++;
  by_recipient_[parsed.to].second++;
  const bool held = Uniform() < faults_.held_rate;
  const bool lost = Uniform() < faults_.lost_answer_rate;
  json::object contact{{"input", parsed.to}, {"wa_id", parsed.to}};
  json::object message{{"id", id},
                       {"message_status", held ? "held_for_quality_assessment" : "accepted"}};
  FakeAnswer answer = JsonAnswer(200, json::object{{"messaging_product", "whatsapp"},
                                                   {"contacts", json::array{std::move(contact)}},
                                                   {"messages", json::array{std::move(message)}}});
  answer.delay = faults_.latency;
  if (lost) {
    stats_.lost_answers++;
    answer.action = FakeAnswer::Action::kDrop;
  }
  if (record_messages_) {
    received_.push_back(ReceivedMessage{
        id, std::move(parsed.phone_number_id), std::move(parsed.to), std::move(parsed.type),
        std::move(parsed.template_name), std::move(parsed.language), std::move(parsed.text),
        std::move(parsed.callback_data), std::string(body), WallOf(now)});
  }
  return answer;
}

}  // namespace herald::testing
