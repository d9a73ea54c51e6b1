#include "app/send_metrics.h"

#include <algorithm>

namespace herald::app {
namespace {

using Outcome = SendMetrics::Outcome;

// The `reason` values of herald_gate_refusals_total: the gate's reason names (compliance/gate.h,
// ReasonCodeName), the send path's own (app/send_preparation.h), and "other" last.
constexpr std::string_view kRefusalLabels[] = {
    "opted_out",
    "no_consent:marketing",
    "no_consent:utility",
    "template_missing",
    "template_not_approved",
    "template_params",
    "template_too_long",
    "window_closed",
    "invalid_message",
    "text_too_long",
    "word",
    "quiet_hours",
    "quiet_hours_unknown_zone",
    "frequency_cap",
    "market",
    "missing_value",
    "contact_erased",
    "other",
};
constexpr std::string_view kOtherLabel = "other";

// The codes that slow a number (campaign/send_errors.h), each its own `code` value.
constexpr std::int64_t kLabelledCodes[] = {130429, 131048, 131056, 4, 80007};
constexpr std::string_view kCodeLabels[] = {"130429",   "131048",   "131056", "4",    "80007",
                                            "http_429", "http_5xx", "none",   "other"};

std::size_t CodeIndex(std::string_view label) {
  return static_cast<std::size_t>(std::find(std::begin(kCodeLabels), std::end(kCodeLabels), label) -
                                  std::begin(kCodeLabels));
}

}  // namespace

std::string_view SendMetrics::OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSent:
      return "sent";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kRetried:
      return "retried";
    case Outcome::kUncertain:
      return "uncertain";
    case Outcome::kSkipped:
      return "skipped";
    case Outcome::kBlocked:
      return "blocked";
    case Outcome::kExpired:
      return "expired";
    case Outcome::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

std::optional<Outcome> SendMetrics::OutcomeOf(storage::DeliveryState state) {
  using storage::DeliveryState;
  switch (state) {
    case DeliveryState::kSent:
      return Outcome::kSent;
    case DeliveryState::kFailed:
      return Outcome::kFailed;
    case DeliveryState::kSkipped:
      return Outcome::kSkipped;
    case DeliveryState::kBlocked:
      return Outcome::kBlocked;
    case DeliveryState::kExpired:
      return Outcome::kExpired;
    case DeliveryState::kUncertain:
      return Outcome::kUncertain;
    case DeliveryState::kCancelled:
      return Outcome::kCancelled;
    case DeliveryState::kQueued:
    case DeliveryState::kSending:
    case DeliveryState::kDelivered:
    case DeliveryState::kRead:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view SendMetrics::RefusalLabel(std::string_view recorded_reason) {
  if (recorded_reason == "waiting:quiet_hours") return "quiet_hours";
  if (recorded_reason.starts_with("blocked:word:")) return "word";
  std::string_view rest;
  if (recorded_reason.starts_with("skipped:")) {
    rest = recorded_reason.substr(8);
  } else {
    return {};
  }
  if (rest.starts_with("market:")) return "market";
  if (rest.starts_with("missing_value:")) return "missing_value";
  for (std::string_view label : kRefusalLabels) {
    if (rest == label) return label;
  }
  return kOtherLabel;
}

std::string_view SendMetrics::BlockingList(std::string_view recorded_reason) {
  constexpr std::string_view kPrefix = "blocked:word:";
  if (!recorded_reason.starts_with(kPrefix)) return {};
  std::string_view rest = recorded_reason.substr(kPrefix.size());
  // List names hold no ':' (letters, digits, '-', '_', '.'); the term may.
  const auto colon = rest.find(':');
  return colon == std::string_view::npos ? rest : rest.substr(0, colon);
}

std::string_view SendMetrics::ErrorCodeLabel(const campaign::SendFailure& failure) {
  if (failure.error_code) {
    for (std::size_t i = 0; i < std::size(kLabelledCodes); ++i) {
      if (*failure.error_code == kLabelledCodes[i]) return kCodeLabels[i];
    }
    return kOtherLabel;
  }
  if (failure.transport != campaign::SendTransport::kAnswered) return "none";
  if (failure.http_status == 429) return "http_429";
  if (failure.http_status >= 500 && failure.http_status <= 599) return "http_5xx";
  return "none";
}

void SendMetrics::SenderOutcomes::Count(Outcome outcome, std::uint64_t n) {
  if (n > 0) counters_[static_cast<std::size_t>(outcome)].Increment(static_cast<double>(n));
}

namespace {

std::vector<metrics::Counter> OutcomeCounters(const metrics::CounterFamily& family,
                                              std::string_view sender) {
  std::vector<metrics::Counter> counters;
  counters.reserve(SendMetrics::kOutcomeCount);
  for (std::size_t i = 0; i < SendMetrics::kOutcomeCount; ++i) {
    counters.push_back(
        family.With({{"sender", std::string(sender)},
                     {"state", std::string(SendMetrics::OutcomeName(static_cast<Outcome>(i)))}}));
  }
  return counters;
}

}  // namespace

SendMetrics::SendMetrics(metrics::Registry& registry)
    : outcomes_(registry.AddCounter(
          "herald_delivery_outcomes_total",
          "Deliveries decided or answered on the send path, by number (none: before one was "
          "chosen) and state.")),
      refusals_(registry.AddCounter(
          "herald_gate_refusals_total",
          "Messages the compliance gate or a market rule refused (quiet_hours: held), by reason.")),
      blocks_(registry.AddCounter("herald_wordlist_blocks_total",
                                  "Messages blocked by a word, by the word list of the term.")),
      errors_(registry.AddCounter("herald_send_errors_total",
                                  "Sends that failed or got no answer, by class and error code.")),
      no_sender_(OutcomeCounters(outcomes_, kNoSender)) {
  for (std::string_view label : kRefusalLabels) {
    refusals_by_label_.push_back(refusals_.With({{"reason", std::string(label)}}));
  }
}

SendMetrics::SenderOutcomes SendMetrics::ForSender(std::string_view phone_number_id) const {
  return SenderOutcomes(OutcomeCounters(outcomes_, phone_number_id));
}

void SendMetrics::CountOutcome(std::string_view phone_number_id, Outcome outcome, std::uint64_t n) {
  ForSender(phone_number_id).Count(outcome, n);
}

void SendMetrics::CountDecision(std::string_view recorded_reason) {
  const std::string_view label = RefusalLabel(recorded_reason);
  if (label.empty()) return;
  const auto at = std::find(std::begin(kRefusalLabels), std::end(kRefusalLabels), label);
  refusals_by_label_[static_cast<std::size_t>(at - std::begin(kRefusalLabels))].Increment();
  const std::string_view list = BlockingList(recorded_reason);
  if (list.empty()) return;
  std::lock_guard lock(mutex_);
  if (auto found = blocks_by_list_.find(list); found != blocks_by_list_.end()) {
    found->second.Increment();
  } else if (blocks_by_list_.size() < kMaxListLabels) {
    blocks_by_list_.emplace(std::string(list), blocks_.With({{"list", std::string(list)}}))
        .first->second.Increment();
  } else {
    if (!other_lists_) other_lists_ = blocks_.With({{"list", std::string(kOtherLabel)}});
    other_lists_->Increment();
  }
}

void SendMetrics::CountSendError(const campaign::SendErrorInfo& info,
                                 const campaign::SendFailure& failure) {
  const std::string_view code = ErrorCodeLabel(failure);
  const std::pair<int, std::size_t> key{static_cast<int>(info.error_class), CodeIndex(code)};
  std::lock_guard lock(mutex_);
  auto found = errors_by_kind_.find(key);
  if (found == errors_by_kind_.end()) {
    found = errors_by_kind_
                .emplace(key, errors_.With({{"class", std::string(campaign::SendErrorClassName(
                                                          info.error_class))},
                                            {"code", std::string(code)}}))
                .first;
  }
  found->second.Increment();
}

}  // namespace herald::app
