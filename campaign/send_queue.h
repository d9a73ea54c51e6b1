// campaign/send_queue.h: which message a business number sends next (issue 16, item 5: "several
// campaigns on one number share it fairly; single messages go first"). Kept apart from the pacer:
// the pacer says when the number may send, the queue says what.
//
// Order: single messages (API sends) first, in arrival order; then the campaigns with due work
// in round robin, one message each per turn, so that two campaigns on one number get equal
// shares whatever their sizes. A campaign that runs empty leaves the rotation and joins at the
// back when it has work again.
//
// Use from the runner: Peek, ask the pacer (Pacer::TryAcquire) for the message; when granted,
// Pop and send. When refused for the number (rate, backoff, ...), wait until retry_at and Peek
// again. When refused for that one message (pair_rate, tier_cap, quality_red for a marketing
// message), Pop it, hold it until its retry_at (or settle it) and Peek the next one.
//
// Holds only due work: messages scheduled later stay with the scheduler until they are due.
//
// Thread rules: a plain value owned by one runner; not thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/ids.h"
#include "common/purpose.h"

namespace herald::campaign {

struct QueuedSend {
  DeliveryId delivery;
  ContactId recipient;
  Purpose purpose = Purpose::kMarketing;
  std::optional<CampaignId> campaign;  // nullopt: a single message
};

class SendQueue {
 public:
  void PushSingle(QueuedSend send);
  void PushCampaign(CampaignId campaign, QueuedSend send);

  // The message Pop would take, or nullptr when empty. Valid until the next change.
  const QueuedSend* Peek() const;
  std::optional<QueuedSend> Pop();

  // A paused or cancelled campaign: its queued messages, in order.
  std::vector<QueuedSend> RemoveCampaign(CampaignId campaign);

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t singles() const { return singles_.size(); }
  std::size_t campaign_size(CampaignId campaign) const;
  std::size_t active_campaigns() const { return rotation_.size(); }

 private:
  std::deque<QueuedSend> singles_;
  std::unordered_map<CampaignId, std::deque<QueuedSend>> campaigns_;  // non-empty queues only
  std::deque<CampaignId> rotation_;  // campaigns with work; the front goes next
  std::size_t size_ = 0;
};

}  // namespace herald::campaign
