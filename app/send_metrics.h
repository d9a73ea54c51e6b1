// app/send_metrics.h: the send path's counters (issue 18, item 9): what became of the deliveries,
// by number and state; the decisions of the gate and the market rules, by reason and, for a
// blocking word, by word list; the platform's error answers, by class and code. One per registry:
// the daemon makes it and hands it to the campaign runner (send-time decisions and answers), the
// message service (single messages refused at the request) and the campaign service (deliveries
// expired or cancelled with their campaign).
//
// Series (registered at construction):
//   herald_delivery_outcomes_total{sender, state}  sender: the phone_number_id, or "none" when the
//       delivery was decided before a number was chosen; state: sent, failed, retried (queued
//       again after a failed attempt), uncertain, skipped, blocked, expired, cancelled
//   herald_gate_refusals_total{reason}  the gate's reason names (opted_out, no_consent:marketing,
//       window_closed, word, quiet_hours (held until they end), frequency_cap, …), market,
//       missing_value, contact_erased, other
//   herald_wordlist_blocks_total{list}  the list of the blocking term: the first kMaxListLabels
//       names seen, then "other"
//   herald_send_errors_total{class, code}  class: campaign::SendErrorClassName; code: 130429,
//       131048, 131056, 4, 80007 (the codes that slow a number), http_429, http_5xx, none (no
//       answer, or an answer without a code), other
// Every label takes its values from a fixed set, or a capped one (list): never a recipient, a
// term or a free-form reason.
//
// Thread rules: safe from any thread. ForSender returns handles to keep per number: counting
// through them is lock-free; CountDecision and CountSendError take a short lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "campaign/send_errors.h"
#include "common/metrics.h"
#include "common/thread_annotations.h"
#include "storage/delivery_repository.h"

namespace herald::app {

class SendMetrics {
 public:
  enum class Outcome {
    kSent,
    kFailed,
    kRetried,
    kUncertain,
    kSkipped,
    kBlocked,
    kExpired,
    kCancelled,
  };
  static constexpr std::size_t kOutcomeCount = 8;
  // "sent", "failed", "retried", "uncertain", "skipped", "blocked", "expired", "cancelled".
  static std::string_view OutcomeName(Outcome outcome);
  // The outcome a final state records (kSent for sent, …); nullopt for the states the send path
  // does not end in (queued, sending, delivered, read).
  static std::optional<Outcome> OutcomeOf(storage::DeliveryState state);

  static constexpr std::string_view kNoSender = "none";
  static constexpr std::size_t kMaxListLabels = 50;

  // The `reason` label of a decision recorded on a delivery ("skipped:no_consent:marketing" →
  // "no_consent:marketing", "blocked:word:global:gratis" → "word", "skipped:market:…" → "market",
  // "waiting:quiet_hours" → "quiet_hours"); empty for a reason that is not such a decision
  // ("retry:…", "waiting:no_sender", "failed:…").
  static std::string_view RefusalLabel(std::string_view recorded_reason);
  // The word list of a recorded "blocked:word:<list>:<term>", else empty.
  static std::string_view BlockingList(std::string_view recorded_reason);
  // The `code` label of a failed send: see the header comment.
  static std::string_view ErrorCodeLabel(const campaign::SendFailure& failure);

  // One number's outcome counters. Cheap to copy; valid as long as the registry.
  class SenderOutcomes {
   public:
    void Count(Outcome outcome, std::uint64_t n = 1);

   private:
    friend class SendMetrics;
    explicit SenderOutcomes(std::vector<metrics::Counter> counters)
        : counters_(std::move(counters)) {}
    std::vector<metrics::Counter> counters_;  // by Outcome
  };

  explicit SendMetrics(metrics::Registry& registry);

  // Makes the number's series (at 0) on first use: keep the result rather than calling it per
  // message.
  SenderOutcomes ForSender(std::string_view phone_number_id) const;
  SenderOutcomes& NoSender() { return no_sender_; }
  // For rare paths (a single message refused at the request): ForSender(…).Count(…).
  void CountOutcome(std::string_view phone_number_id, Outcome outcome, std::uint64_t n = 1);

  // A decision recorded on a delivery (DeliveryOutcome::reason): counted by RefusalLabel, and a
  // blocking word by its list as well; anything else is ignored.
  void CountDecision(std::string_view recorded_reason);
  // A send that did not end with a message id, as the runner classified it.
  void CountSendError(const campaign::SendErrorInfo& info, const campaign::SendFailure& failure);

 private:
  metrics::CounterFamily outcomes_;
  metrics::CounterFamily refusals_;
  metrics::CounterFamily blocks_;
  metrics::CounterFamily errors_;
  SenderOutcomes no_sender_;
  std::vector<metrics::Counter> refusals_by_label_;  // by the index of the label in the fixed set

  std::mutex mutex_;
  std::map<std::string, metrics::Counter, std::less<>> blocks_by_list_ HERALD_GUARDED_BY(mutex_);
  std::optional<metrics::Counter> other_lists_ HERALD_GUARDED_BY(mutex_);
  // By class and code label index; made on first use.
  std::map<std::pair<int, std::size_t>, metrics::Counter> errors_by_kind_ HERALD_GUARDED_BY(mutex_);
};

}  // namespace herald::app
