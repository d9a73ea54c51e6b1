#include "campaign/send_queue.h"

#include <algorithm>
#include <utility>

namespace herald::campaign {

void SendQueue::PushSingle(QueuedSend send) {
  send.campaign.reset();
  singles_.push_back(std::move(send));
  ++size_;
}

void SendQueue::PushCampaign(CampaignId campaign, QueuedSend send) {
  send.campaign = campaign;
  auto [it, inserted] = campaigns_.try_emplace(campaign);
  if (inserted) rotation_.push_back(campaign);
  it->second.push_back(std::move(send));
  ++size_;
}

const QueuedSend* SendQueue::Peek() const {
  if (!singles_.empty()) return &singles_.front();
  if (rotation_.empty()) return nullptr;
  return &campaigns_.at(rotation_.front()).front();
}

std::optional<QueuedSend> SendQueue::Pop() {
  if (!singles_.empty()) {
    QueuedSend send = std::move(singles_.front());
    singles_.pop_front();
    --size_;
    return send;
  }
  if (rotation_.empty()) return std::nullopt;
  const CampaignId campaign = rotation_.front();
  rotation_.pop_front();
  auto it = campaigns_.find(campaign);
  QueuedSend send = std::move(it->second.front());
  it->second.pop_front();
  --size_;
  if (it->second.empty()) {
    campaigns_.erase(it);
  } else {
    rotation_.push_back(campaign);
  }
  return send;
}

std::vector<QueuedSend> SendQueue::RemoveCampaign(CampaignId campaign) {
  std::vector<QueuedSend> removed;
  auto it = campaigns_.find(campaign);
  if (it == campaigns_.end()) return removed;
  removed.assign(std::make_move_iterator(it->second.begin()),
                 std::make_move_iterator(it->second.end()));
  campaigns_.erase(it);
  rotation_.erase(std::find(rotation_.begin(), rotation_.end(), campaign));
  size_ -= removed.size();
  return removed;
}

std::size_t SendQueue::campaign_size(CampaignId campaign) const {
  const auto it = campaigns_.find(campaign);
  return it == campaigns_.end() ? 0 : it->second.size();
}

}  // namespace herald::campaign
