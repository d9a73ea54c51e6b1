// app/sender_service.h: business portfolios and their sender numbers (issue 16, item 1). The
// service owns every write to them and keeps them in memory, so the campaign runner and the API
// read them without touching storage.
//
// Rules (errors are kInvalidArgument naming the field):
//   phone_number_id       1-64 ASCII letters, digits, '_' or '-' (the platform's ids are digits)
//   messaging_limit_tier  TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED, or any other
//                         TIER_<A-Z0-9_> kept as given (the platform renames its ladder); a tier
//                         whose limit Herald cannot read is paced as the lowest, TIER_250
//   throughput            messages per second, 0 < t <= 10,000 (80 by default, 1,000 once
//                         upgraded, 20 for a number shared with the WhatsApp Business app)
//   quality               GREEN, YELLOW, RED, UNKNOWN (HIGH, MEDIUM, LOW read as the first three)
//   state                 active, paused, disabled
// A sender belongs to one portfolio; naming a portfolio that does not exist creates it (with the
// tier given, else TIER_250). Every change is audited with its actor and reason.
//
// Thread rules: every method may be called from any thread. Reads answer from memory at once;
// writes answer through `reply` on the storage writer's thread once durable, after the memory
// copy and the listeners were updated.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/reply.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "storage/sender_repository.h"
#include "storage/store.h"

namespace herald::app {

using Portfolio = storage::PortfolioRecord;
using Sender = storage::SenderRecord;

// The unique users a tier allows per moving 24 h; nullopt for TIER_UNLIMITED. A tier Herald
// cannot read gives 250 (the lowest) and `known` false.
struct TierLimit {
  std::optional<std::int64_t> users;
  bool known = true;
};
TierLimit MessagingTierLimit(std::string_view tier);

// What the pacer does with a number right now (filled by the campaign runner).
struct SenderPacing {
  double level_per_s = 0;    // the number's throughput level (warm-up applied)
  double allowed_per_s = 0;  // the rate the pacer allows now (after backoff)
  double tokens = 0;         // sends it could make at once
  std::string slowed_by;     // empty, or why the rate is below the level: backoff:130429, warmup…
  std::optional<SysTime> slowed_until;
  std::int64_t backlog = 0;  // deliveries waiting for this number
  std::int64_t tier_used = 0;
  std::optional<std::int64_t> tier_limit;
  std::int64_t sent_total = 0;
  std::int64_t throttled_total = 0;
};

struct SenderView {
  Sender sender;
  Portfolio portfolio;
  std::optional<SenderPacing> pacing;  // when a runner is attached
};

struct NewSender {
  std::string phone_number_id{};
  std::string display_phone_number{};
  std::string portfolio = "default";
  std::optional<std::string> messaging_limit_tier{};  // sets the portfolio's tier
  std::optional<double> throughput{};
  std::optional<std::string> quality{};
  std::optional<std::string> state{};
  bool warmup = false;  // start the warm-up ramp now
};

struct SenderPatch {
  std::optional<std::string> display_phone_number{};
  std::optional<std::string> portfolio{};
  std::optional<std::string> messaging_limit_tier{};
  std::optional<double> throughput{};
  std::optional<std::string> quality{};
  std::optional<std::string> state{};
  std::optional<bool> warmup{};  // true: (re)start the ramp now; false: no ramp
};

struct PortfolioPatch {
  std::optional<std::string> messaging_limit_tier{};
  // Set: restricted until then; an instant in the past lifts it.
  std::optional<SysTime> restricted_until{};
  std::optional<std::string> restriction_type{};
};

class SenderService {
 public:
  using Listener = std::function<void(const Sender&, const Portfolio&)>;
  using PacingSource = std::function<std::optional<SenderPacing>(SenderId)>;

  SenderService(storage::Store& store, const Clock& clock);

  // Loads every portfolio and sender. Call once, before any other method.
  Status Start();

  std::vector<SenderView> List() const;
  Result<SenderView> Get(std::string_view phone_number_id) const;
  std::optional<Sender> FindById(SenderId id) const;
  std::vector<Portfolio> Portfolios() const;
  Result<Portfolio> GetPortfolio(std::string_view name) const;

  void Create(NewSender spec, std::string actor, std::string reason, Reply<SenderView> reply);
  void Update(std::string phone_number_id, SenderPatch patch, std::string actor, std::string reason,
              Reply<SenderView> reply);
  void UpdatePortfolio(std::string name, PortfolioPatch patch, std::string actor,
                       std::string reason, Reply<Portfolio> reply);

  // Called after every committed change (on the writer's thread): must not block.
  void AddListener(Listener listener);
  void SetPacingSource(PacingSource source);

 private:
  struct Snapshot;
  SenderView View(const Sender& sender) const;
  void Commit(Sender sender, std::optional<Portfolio> portfolio, std::string action,
              storage::Change change, bool create, Reply<SenderView> reply);
  void Remember(const Sender& sender, const std::optional<Portfolio>& portfolio);

  storage::Store& store_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Sender, std::less<>> senders_ HERALD_GUARDED_BY(mutex_);
  std::map<std::string, Portfolio, std::less<>> portfolios_ HERALD_GUARDED_BY(mutex_);
  std::vector<Listener> listeners_ HERALD_GUARDED_BY(mutex_);
  PacingSource pacing_ HERALD_GUARDED_BY(mutex_);
};

// Validation, for the API and tests: each returns the canonical spelling or an error naming
// `field`.
Result<std::string> CanonicalTier(std::string_view tier, std::string_view field);
Result<std::string> CanonicalQuality(std::string_view quality, std::string_view field);
Result<std::string> CanonicalSenderState(std::string_view state, std::string_view field);
Status CheckThroughput(double throughput, std::string_view field);
Status CheckPhoneNumberId(std::string_view id, std::string_view field);

}  // namespace herald::app
