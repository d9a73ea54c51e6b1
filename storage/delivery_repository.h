// storage/delivery_repository.h: deliveries, one row per message Herald means to send (issue 16,
// items 3, 6 and 10; PRODUCT.md, "The path of one message").
//
// States: queued → sending → sent → delivered → read, or failed | skipped | blocked | expired |
// cancelled | uncertain. A queued row with a claim owner is claimed: an instance took it to work
// on until the claim's deadline. 'sending' is written, durably, before the provider gets the
// message; so after a crash a 'sending' row becomes 'uncertain' (it may have left) and is never
// re-sent automatically, while a claimed row that never reached 'sending' simply goes back to
// the queue.
//
// Claims carry an owner and a deadline even while one process is the only claimant, so that
// several heraldd instances can share one database later (PRODUCT.md, "Beyond one machine").
// Every call that takes an `owner` refuses an empty one (kInvalidArgument, field "owner").
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"

namespace herald::storage {

enum class DeliveryState {
  kQueued,
  kSending,
  kSent,
  kDelivered,
  kRead,
  kFailed,
  kSkipped,
  kBlocked,
  kExpired,
  kUncertain,
  kCancelled,
};
inline constexpr std::size_t kDeliveryStateCount = 11;

std::string_view DeliveryStateName(DeliveryState state);  // "queued", "sending", …
std::optional<DeliveryState> ParseDeliveryState(std::string_view name);
// No further change is expected from Herald (a status webhook may still move sent → delivered →
// read, and settle uncertain).
bool IsFinal(DeliveryState state);

// One recipient of a campaign's audience: the campaign holds the content, and no sender or cost
// is chosen yet. 16 bytes: audiences are written in batches of tens of thousands.
struct AudienceMember {
  ContactId contact{};
  SysTime not_before{};
  // The cost estimate (issue 18): amount, how it was reached (campaign::CostBasisName) and the
  // category billed; empty when no estimate was made.
  std::optional<std::int64_t> estimated_cost_micros{};
  std::string estimate_basis{};
  std::string estimate_category{};
};

// A new single message: it carries its own content.
struct NewDelivery {
  std::optional<CampaignId> campaign{};
  ContactId contact{};
  std::optional<SenderId> sender{};
  SysTime not_before{};
  std::optional<std::int64_t> estimated_cost_micros{};
  std::string message_json{};
};

struct ClaimedDelivery {
  DeliveryId id;
  std::optional<CampaignId> campaign;  // empty for a single message
  ContactId contact;
  std::optional<SenderId> sender;  // assigned at audience build; the runner may choose again
  std::int64_t attempts = 0;       // hand-overs to the provider so far
  SysTime not_before;
  std::string message_json;                // single messages only
  std::int64_t estimated_cost_micros = 0;  // the audience's estimate (0 when none was made)
};

struct ClaimRecovery {
  std::size_t requeued = 0;   // never handed to the provider: queued again
  std::size_t uncertain = 0;  // possibly sent: left for a status webhook or reconciliation
};

// One hand-over about to happen: the row moves queued → sending with this sender, attempts + 1.
struct SendingMark {
  DeliveryId id;
  SenderId sender;
};

// What became of a delivery Herald worked on. `state` is the new state: kSent (with
// provider_message_id), kFailed, kSkipped, kBlocked, kExpired, kCancelled, kUncertain, or kQueued
// to retry at `not_before` (the claim is given back).
struct DeliveryOutcome {
  DeliveryId id;
  DeliveryState state = DeliveryState::kSent;
  std::string reason{};  // machine-readable: "skipped:opted_out", "failed:131026", …
  std::optional<std::int64_t> error_code{};
  std::string provider_message_id{};
  std::optional<SysTime> not_before{};  // for kQueued
};

// A status the platform reported for a message Herald sent (a status webhook), to apply to the
// delivery it belongs to: matched by the platform's message id, else by `delivery` (the id Herald
// put in biz_opaque_callback_data) when that delivery has no message id yet (it is uncertain).
struct StatusReport {
  std::string provider_message_id;
  std::optional<DeliveryId> delivery{};
  DeliveryState state = DeliveryState::kDelivered;  // kSent, kDelivered, kRead or kFailed
  SysTime at{};                                     // the platform's timestamp
  std::optional<std::int64_t> error_code{};
  std::string error_details{};
  std::string pricing_json{};  // as received; empty: keep what is stored
  // The pricing object's fields (webhooks::StatusEvent): nullopt / empty keep what is stored.
  std::optional<bool> billable{};
  std::string pricing_category{};
  std::string pricing_type{};
};

// What one message the platform bills costs: for a recipient in `country` (ISO alpha-2, may be
// empty), billed in `category` as its status reported it, sent at `sent_at`: the rate in force
// then, or nullopt when no rate is known. Set by the caller of ApplyStatuses (storage knows no
// prices); it runs on the writer's thread and must not use the store.
using BilledRate = std::function<std::optional<std::int64_t>(
    std::string_view country, std::string_view category, SysTime sent_at)>;

enum class StatusApplied {
  kApplied,     // the delivery moved forward, or a timestamp or the pricing was recorded
  kUnchanged,   // nothing new (a duplicate, or a status that would move it backwards)
  kNoDelivery,  // no delivery has this message id (or callback id)
  kInFlight,    // the delivery is still 'sending': its send answer is recorded first; retry
};

// One row of a campaign's delivery export.
struct DeliveryRow {
  DeliveryId id;
  ContactId contact;
  std::string phone_e164;  // empty once the contact was erased
  std::string sender;      // phone_number_id, empty when none was assigned
  DeliveryState state = DeliveryState::kQueued;
  std::string reason;
  std::optional<std::int64_t> error_code;
  std::int64_t attempts = 0;
  std::string provider_message_id;
  SysTime not_before;
  SysTime updated_at;
  std::optional<SysTime> sent_at;
  std::optional<SysTime> delivered_at;
  std::optional<SysTime> read_at;
};

// A message the platform accepted, for rebuilding the portfolio's moving 24 hours at start-up.
struct AcceptedSend {
  SenderId sender;
  ContactId contact;
  SysTime sent_at;
};

using DeliveryCounts = std::array<std::int64_t, kDeliveryStateCount>;  // by DeliveryState

struct EstimateGroup {
  std::string country;   // the contact's, "" when unknown
  bool refused = false;  // skipped, blocked, cancelled or expired
  std::string reason;    // refused: the delivery's reason, else its state
  std::string category;  // not refused: the estimate's category ("" without an estimate)
  std::string basis;     // not refused: the estimate's basis
  std::int64_t count = 0;
  std::int64_t cost_micros = 0;
};

class DeliveryRepository {
 public:
  virtual ~DeliveryRepository() = default;

  // Writes a campaign's audience, queued; a contact already queued for the campaign is left as
  // it is (UNIQUE(campaign, contact)). Returns how many rows were new.
  virtual Result<std::size_t> InsertAudience(CampaignId campaign,
                                             std::span<const AudienceMember> members,
                                             SysTime now) = 0;
  // A single message (no campaign): queued for the runner, or already decided (`state` skipped
  // or blocked with `reason`) when the gate refused it at the request.
  virtual Result<DeliveryId> InsertSingle(const NewDelivery& delivery, DeliveryState state,
                                          std::string_view reason, SysTime now) = 0;

  // Claims up to `limit` unclaimed queued deliveries of `campaign` (empty: single messages) that
  // are due (not_before <= now), earliest first, for `owner` until `deadline`.
  virtual Result<std::vector<ClaimedDelivery>> ClaimDue(std::string_view owner,
                                                        std::optional<CampaignId> campaign,
                                                        SysTime now, SysTime deadline,
                                                        std::size_t limit) = 0;
  // The earliest not_before among unclaimed queued deliveries of `campaign`, if any.
  virtual Result<std::optional<SysTime>> NextDue(std::optional<CampaignId> campaign) = 0;
  // Moves the deadline of the listed claims `owner` holds; returns how many it still holds.
  virtual Result<std::size_t> RenewClaims(std::string_view owner, std::span<const DeliveryId> ids,
                                          SysTime deadline) = 0;
  // queued → sending for claims `owner` holds. Returns the ids it could not mark (the claim was
  // lost: they must not be sent).
  virtual Result<std::vector<DeliveryId>> MarkSending(std::string_view owner,
                                                      std::span<const SendingMark> marks,
                                                      SysTime now) = 0;
  // Records outcomes of deliveries `owner` works on (claimed or sending). A kQueued outcome
  // gives the claim back for a retry at its not_before. Returns the ids not recorded because
  // `owner` no longer held them.
  virtual Result<std::vector<DeliveryId>> RecordOutcomes(std::string_view owner,
                                                         std::span<const DeliveryOutcome> outcomes,
                                                         SysTime now) = 0;
  // Gives claims back without a change (a pause, a stop): only queued rows are touched.
  virtual Result<std::size_t> ReleaseClaims(std::string_view owner, std::span<const DeliveryId> ids,
                                            SysTime now) = 0;
  // Recovers every claim not held by `owner` (at start-up, once the send lease is ours: their
  // holders are gone) or, with an empty `owner`, every claim whose deadline passed before `now`.
  virtual Result<ClaimRecovery> RecoverClaims(std::string_view owner, SysTime now) = 0;

  // Queued deliveries of `campaign`, claimed or not, → `state` (kExpired or kCancelled) with
  // `reason`; their claims end (a runner holding one finds it gone: MarkSending and
  // RecordOutcomes refuse it). Deliveries already 'sending' finish as they will.
  virtual Result<std::size_t> FinishQueued(CampaignId campaign, DeliveryState state,
                                           std::string_view reason, SysTime now) = 0;

  // Every delivery accepted by the platform at or after `since` (sent, delivered or read).
  virtual Result<std::vector<AcceptedSend>> AcceptedSince(SysTime since) = 0;
  // uncertain → queued (due now, reason `reason`) for every uncertain delivery of `campaign`: an
  // operator confirmed that a second message is acceptable. Returns how many.
  virtual Result<std::size_t> RequeueUncertain(CampaignId campaign, std::string_view reason,
                                               SysTime now) = 0;
  // Makes `campaign`'s unclaimed queued deliveries that wait for `reason` (e.g.
  // "waiting:no_sender") due now, when what they waited for came back. Returns how many.
  virtual Result<std::size_t> MakeDueNow(std::optional<CampaignId> campaign,
                                         std::string_view reason, SysTime now) = 0;
  // Whether `campaign` has a delivery still queued or sending.
  virtual Result<bool> HasUnfinished(CampaignId campaign) = 0;
  virtual Result<DeliveryCounts> CountByState(std::optional<CampaignId> campaign) = 0;
  // The campaign's deliveries grouped for a forecast (issue 18): refused ones (skipped, blocked,
  // cancelled, expired) by country and reason; the others by country, estimate category and
  // basis, with the sum of their estimates.
  virtual Result<std::vector<EstimateGroup>> EstimateSummary(CampaignId campaign) = 0;
  // What the campaign has committed to spend: the estimates of its deliveries handed to the
  // provider (sending, sent, delivered, read, uncertain), for its spend cap.
  virtual Result<std::int64_t> CommittedSpend(CampaignId campaign) = 0;
  // Deliveries of `campaign`, optionally of one state, in id order, after `after` (paging).
  // `row` returns false to stop.
  virtual Status Scan(CampaignId campaign, std::optional<DeliveryState> state, DeliveryId after,
                      const std::function<bool(const DeliveryRow&)>& row) = 0;
  virtual Result<std::optional<DeliveryRow>> Find(DeliveryId id) = 0;

  // Applies status reports in order, never moving a delivery backwards: sent < delivered < read;
  // failed only from sent (or uncertain); an uncertain delivery is settled by any of them (and
  // gets the message id). A later status's timestamp is recorded even when the state is already
  // past it (a read before its delivered keeps state read and fills delivered_at). One result per
  // report, in order.
  //
  // The actual cost (actual_cost_micros) follows: a delivered (or read) message the platform
  // reported billable costs `rate`'s answer, one it reported not billable costs 0, and so does a
  // failed one; until then (or without a rate) it is unknown (NULL).
  virtual Result<std::vector<StatusApplied>> ApplyStatuses(std::span<const StatusReport> reports,
                                                           SysTime now, const BilledRate& rate) = 0;

  // A reply from `contact` at `at`: the delivery it answers gets replied_at (once). That is the
  // delivery whose message id is `context_message_id` when the reply quotes one, else the latest
  // message sent to the contact (by `sender`, when known) since `since`. Answers that delivery and
  // its campaign, or nullopt when none matches (or it was counted already).
  struct Replied {
    DeliveryId delivery;
    std::optional<CampaignId> campaign;
  };
  virtual Result<std::optional<Replied>> MarkReplied(ContactId contact,
                                                     std::string_view context_message_id,
                                                     std::optional<SenderId> sender, SysTime at,
                                                     SysTime since) = 0;
};

}  // namespace herald::storage
