// The pacer (issue 16, item 5): decides, message by message, whether a business number may send
// now, and if not, when it is worth asking again (PRODUCT.md, "The path of one message", step 3).
// Pure: every call gets the time from the caller; no I/O, no clock, no locks.
//
// TryAcquire checks, in order; the first that refuses decides (PaceReason, stable names):
//   1. the number is paused (by an operator, or stopped by an error)        paused
//   2. marketing on a number whose quality is RED                           quality_red
//   3. a business-initiated message while the account is restricted        restricted
//      (RESTRICTED_BIZ_INITIATED_MESSAGING until its expiry; business-initiated: not a
//      service reply and counted toward the tier)
//   4. a pause after a throttle (Retry-After, 131048, 4/80007 on the portfolio)  backoff
//   5. the number's rate: GCRA spacing at min(level, adaptive rate, warm-up ramp)
//                                         rate | warmup | backoff (whichever binds)
//   6. the pair rate: one message per pair_interval to the same user        pair_rate
//   7. the portfolio's unique users per moving 24 h (counts_toward_tier)    tier_cap
// A grant takes the number's turn, the user's pair turn and (when counted) a tier slot.
//
// Spacing guarantee (detail/rate_spacer.h): no half-open second [t, t + 1 s) holds more than
// ceil(r) grants, r the rate at its last grant (so never more than an integer level). A caller
// that asks at each retry_at gets exactly r in the long run (to 1 ns per interval); one that asks
// up to `lateness_credit` late loses at most its lateness per second (the window check counts
// the late grants themselves: 0.1 % for 1 ms), one later than that starts a new schedule. On a
// rate change the new spacing starts from the last grant.
//
// Which message goes next is not the pacer's business: campaign/send_queue.h puts single
// messages first and shares the number between campaigns. So TryAcquire takes no priority: the
// platform's limits are the same for a single message and a campaign's.
//
// Memory: per number, the grants of the last second at its highest level and the users sent to
// within pair_interval (pair_backoff after a 131056); per portfolio, the users counted in the
// tier window. Idle pair keys and users leaving the window are evicted as they expire.
//
// Adaptive rate (AIMD). A failure that slows the number (SendErrorInfo::slows_number: 130429,
// HTTP 429 without a code, 131048, 131056, 4, 80007) cuts the rate once per `decrease_hold`
// (the time box: the failures of requests already in flight at the old rate do not cut again):
//   - 130429 / HTTP 429: to the rate the platform really allows, less `accepted_rate_margin`:
//     the rate in force times the share of the answers since the previous cut that were
//     accepted rather than throttled (detail/answer_meter.h). A server that throttles above its
//     limit accepts exactly its limit, so this lands just under a lowered limit in one or two
//     steps. When the number paused within the last second (a Retry-After), the share says
//     little (only the last request of a burst is refused): the answers accepted in the last
//     second, a direct count of the limit, are taken instead when clearly lower. Bounded below
//     by `decrease_factor` x rate and above by (1 - margin) x rate.
//   - the others: x `decrease_factor`.
// Never below `min_rate_per_second`. OnTick raises the rate by `increase_per_second` x the
// ceiling per second of tick time, only while the number has a backlog and `increase_hold`
// after the last cut (each probe above a limit costs a throttle, and a Retry-After pause with
// it), never above the ceiling (min(level, warm-up)). A cut rate returns to the level after
// `decrease_expiry` without a slowing failure.
//
// Clocks. Two readings of the same instant (PacerTime): spacing, pair rate and backoff use the
// monotonic clock, immune to wall-clock steps and precise to the nanosecond (80/s needs 12.5 ms
// exactly; SysTime has milliseconds). The tier window, restriction expiry and warm-up age are
// wall-clock facts that come from storage and webhooks and must survive a restart: SysTime.
// Every retry_at is on the monotonic clock.
//
// Thread rules: one owner. A Pacer is a plain object, not thread-safe; the campaign runner's
// thread makes every call (setters from webhooks and the API are posted to it). Snapshot is
// const but must run on that thread too.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/send_errors.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/purpose.h"
#include "common/result.h"

namespace herald::campaign {

// A business portfolio: the owner of the messaging limit shared by its numbers.
// (Belongs in common/ids.h once a second module needs it.)
using PortfolioId = Id<struct PortfolioIdTag>;

namespace detail {
struct PacerState;
}

using SteadyTime = std::chrono::steady_clock::time_point;

// Both clocks, read by the caller at the same moment.
struct PacerTime {
  SteadyTime steady;
  SysTime wall;
};

// retry_at when only a setter (or an operator) can change the answer.
inline constexpr SteadyTime kUntilChanged = SteadyTime::max();

enum class Quality { kUnknown, kGreen, kYellow, kRed };
std::string_view QualityName(Quality quality);  // "unknown", "green", "yellow", "red"

enum class PaceReason {
  kNone,  // granted
  kRate,
  kWarmup,
  kBackoff,
  kPairRate,
  kTierCap,
  kQualityRed,
  kRestricted,
  kPaused,
  kUnknownSender,  // a bug in the caller: the sender was never added (or was removed)
};
inline constexpr std::size_t kPaceReasonCount = 10;

// "", "rate", "warmup", "backoff", "pair_rate", "tier_cap", "quality_red", "restricted",
// "paused", "unknown_sender".
std::string_view PaceReasonName(PaceReason reason);

// A point of the warm-up ramp: a number `age` after its warm-up start may send `per_minute`.
// Between points the rate is interpolated linearly; after the last it stays there (clear the
// warm-up start to end it).
struct WarmupPoint {
  std::chrono::milliseconds age;
  double per_minute;
};

// Defaults from reference/whatsapp.md ("Throughput"); each will become a config key.
struct PacerConfig {
  std::chrono::milliseconds pair_interval = std::chrono::seconds(6);
  std::chrono::milliseconds pair_backoff = std::chrono::seconds(30);  // after 131056
  // How late after retry_at a caller may ask without the schedule restarting from its time.
  std::chrono::nanoseconds lateness_credit = std::chrono::milliseconds(10);
  double decrease_factor = 0.5;        // the deepest single cut (and the cut for 131048, 4, ...)
  double accepted_rate_margin = 0.02;  // a 130429 cut lands this far under the estimated limit
  std::chrono::milliseconds decrease_hold = std::chrono::seconds(1);   // one cut per hold
  std::chrono::milliseconds increase_hold = std::chrono::seconds(10);  // no increase after a cut
  std::chrono::milliseconds decrease_expiry = std::chrono::minutes(10);
  double increase_per_second = 0.02;        // fraction of the ceiling added per second
  double min_rate_per_second = 5.0 / 60.0;  // "cut to 5/minute after a risk flag"
  std::chrono::milliseconds spam_pause = std::chrono::minutes(1);      // after 131048
  std::chrono::milliseconds account_pause = std::chrono::seconds(10);  // 4 / 80007, no Retry-After
  std::vector<WarmupPoint> warmup = {{std::chrono::milliseconds(0), 20.0},
                                     {std::chrono::weeks(8), 60.0}};
  std::chrono::milliseconds tier_window = std::chrono::hours(24);
  std::optional<std::size_t> default_tier_limit = 250;  // until SetTierLimit: the lowest tier
  std::chrono::milliseconds tier_recheck = std::chrono::seconds(1);  // tier full of in-flight
};

// kInvalidArgument naming the field ("decrease_factor", "warmup", ...) when a value is out of
// range: factors and margins in (0, 1) / [0, 1), durations >= 0 (intervals > 0), warm-up points
// with increasing ages starting at 0 and positive rates.
Status ValidatePacerConfig(const PacerConfig& config);

inline constexpr double kMaxLevelPerSecond = 10000;

struct SenderSettings {
  PortfolioId portfolio;
  double level_per_second = 80;  // 80 default, 1000 upgraded, 20 when shared with the Business app
  Quality quality = Quality::kUnknown;
  std::optional<SysTime> warmup_start;      // set: the warm-up ramp caps the rate
  std::optional<SysTime> restricted_until;  // business-initiated sends paused until then
  bool paused = false;
};

struct SendRequest {
  SenderId sender;
  ContactId recipient;
  Purpose purpose = Purpose::kMarketing;
  bool counts_toward_tier = true;  // false when the user has an open service window
};

// What a granted send holds until its answer; hand it back to OnAccepted or OnFailed.
struct Grant {
  SenderId sender;
  PortfolioId portfolio;
  ContactId recipient;
  bool tier_reserved = false;
};

struct Admission {
  PaceReason reason = PaceReason::kNone;
  // Refused: the earliest instant worth asking again for this request (kUntilChanged: not until
  // a setter changes something). Granted: unset.
  SteadyTime retry_at{};
  Grant grant;  // granted only

  bool granted() const { return reason == PaceReason::kNone; }
};

struct SenderBacklog {
  SenderId sender;
  std::size_t due = 0;  // messages due and waiting for this number
};

struct PacerCounters {
  std::uint64_t granted = 0;
  std::uint64_t accepted = 0;
  std::uint64_t failed = 0;
  std::uint64_t decreases = 0;
  std::array<std::uint64_t, kPaceReasonCount> refused{};  // by PaceReason
};

// For /metrics and GET /v1/senders/{id}: every decision the pacer is making about a number.
struct SenderSnapshot {
  SenderId sender;
  PortfolioId portfolio;
  Quality quality = Quality::kUnknown;
  double level_per_second = 0;
  double warmup_per_second = 0;  // 0: no warm-up
  double adaptive_per_second = 0;
  double allowed_per_second = 0;  // what the pacer grants: min of the three
  // Why the number sends below its level (or not at all): kNone, kPaused, kRestricted,
  // kQualityRed (marketing only), kBackoff (a pause, or a cut rate), kWarmup.
  PaceReason slowed_by = PaceReason::kNone;
  std::optional<SteadyTime> backoff_until;  // a pause in force
  std::optional<SteadyTime> hold_until;     // the time box of the last cut
  std::optional<SysTime> restricted_until;
  bool paused = false;
  std::string stop_reason;  // the failure that stopped the number ("account_locked:131031")
  SteadyTime next_slot{};   // the earliest grant by rate (ignoring pair rate and tier)
  std::size_t tokens = 0;   // grants that could be taken at once now, by rate
  std::size_t pair_keys = 0;
  std::size_t tier_used = 0;
  std::size_t tier_in_flight = 0;
  std::optional<std::size_t> tier_limit;  // nullopt: unlimited
  PacerCounters counters;
};

class Pacer {
 public:
  static Result<Pacer> Create(PacerConfig config);

  Pacer(Pacer&&) noexcept;
  Pacer& operator=(Pacer&&) noexcept;
  ~Pacer();

  // kAlreadyExists; kInvalidArgument for a level outside (0, kMaxLevelPerSecond].
  Status AddSender(SenderId sender, const SenderSettings& settings, PacerTime now);
  // kNotFound. Grants still in flight may be handed back; they only release their tier slot.
  Status RemoveSender(SenderId sender);

  // Setters: kNotFound for an unknown sender; SetLevel also kInvalidArgument as AddSender.
  Status SetLevel(SenderId sender, double per_second, PacerTime now);
  Status SetQuality(SenderId sender, Quality quality);
  Status SetWarmupStart(SenderId sender, std::optional<SysTime> start, PacerTime now);
  Status SetRestriction(SenderId sender, std::optional<SysTime> until);
  // Unpausing also clears a stop made by an error.
  Status SetPaused(SenderId sender, bool paused);
  // nullopt: unlimited. Creates the portfolio when none of its numbers was added yet.
  void SetTierLimit(PortfolioId portfolio, std::optional<std::size_t> unique_users);
  // A message accepted before a restart, to rebuild the moving 24 h (in any order).
  void SeedTierUsage(PortfolioId portfolio, ContactId recipient, SysTime accepted_at);

  Admission TryAcquire(const SendRequest& request, PacerTime now);

  // The platform accepted the message (including "held for quality assessment": accepted and
  // pending, not failed). Confirms the tier slot.
  void OnAccepted(const Grant& grant, PacerTime now);
  // The send failed (ClassifySendFailure). Releases the tier slot (kept for kUncertain: the
  // message may have gone), applies the cut and pauses (see the header comment), blocks the
  // pair after 131056, and pauses the number (StopScope::kNumber) or every number
  // (kEverything) when the failure stops sending.
  void OnFailed(const Grant& grant, const SendErrorInfo& error, PacerTime now,
                std::optional<std::chrono::milliseconds> retry_after = std::nullopt);

  // On a timer (every 100 ms to 1 s): additive increase for the numbers with a backlog (absent
  // from `backlogs`: none), restores expired cuts, re-reads the warm-up ramp, evicts idle pair
  // keys and users that left the tier window.
  void OnTick(PacerTime now, std::span<const SenderBacklog> backlogs);

  // nullopt for an unknown sender.
  std::optional<SenderSnapshot> Snapshot(SenderId sender, PacerTime now) const;
  std::vector<SenderId> Senders() const;

  const PacerConfig& config() const;

 private:
  explicit Pacer(std::unique_ptr<detail::PacerState> state);
  std::unique_ptr<detail::PacerState> state_;
};

// The warm-up ramp's rate per second for a number warmed up since `start` (pure; for tests and
// the API's forecast).
double WarmupRatePerSecond(const std::vector<WarmupPoint>& ramp, SysTime start, SysTime now);

}  // namespace herald::campaign
