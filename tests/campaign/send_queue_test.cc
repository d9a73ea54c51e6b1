// SendQueue: single messages first, campaigns in round robin (campaign/send_queue.h).
#include "campaign/send_queue.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace herald::campaign {
namespace {

QueuedSend Send(std::int64_t delivery) {
  return QueuedSend{DeliveryId{delivery}, ContactId{delivery}, Purpose::kMarketing, std::nullopt};
}

std::vector<std::int64_t> Drain(SendQueue& queue) {
  std::vector<std::int64_t> order;
  while (const QueuedSend* next = queue.Peek()) {
    const DeliveryId peeked = next->delivery;
    const std::optional<QueuedSend> popped = queue.Pop();
    EXPECT_EQ(popped->delivery, peeked);
    order.push_back(popped->delivery.value);
  }
  EXPECT_FALSE(queue.Pop().has_value());
  return order;
}

TEST(SendQueue, AnEmptyQueueHasNothingToSend) {
  SendQueue queue;
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.Peek(), nullptr);
  EXPECT_FALSE(queue.Pop().has_value());
}

TEST(SendQueue, SingleMessagesGoBeforeCampaignsInArrivalOrder) {
  SendQueue queue;
  queue.PushCampaign(CampaignId{1}, Send(10));
  queue.PushSingle(Send(1));
  queue.PushCampaign(CampaignId{1}, Send(11));
  queue.PushSingle(Send(2));
  EXPECT_EQ(queue.size(), 4u);
  EXPECT_EQ(queue.singles(), 2u);
  EXPECT_EQ(Drain(queue), (std::vector<std::int64_t>{1, 2, 10, 11}));
}

TEST(SendQueue, TwoCampaignsShareTheNumberEquallyWhateverTheirSizes) {
  SendQueue queue;
  for (int i = 0; i < 1000; ++i) queue.PushCampaign(CampaignId{1}, Send(1000 + i));
  for (int i = 0; i < 10; ++i) queue.PushCampaign(CampaignId{2}, Send(2000 + i));
  std::map<std::int64_t, int> first_twenty;
  for (int i = 0; i < 20; ++i) ++first_twenty[queue.Pop()->campaign->value];
  EXPECT_EQ(first_twenty[1], 10);
  EXPECT_EQ(first_twenty[2], 10);
  EXPECT_EQ(queue.active_campaigns(), 1u);
  EXPECT_EQ(queue.campaign_size(CampaignId{2}), 0u);
}

TEST(SendQueue, ACampaignThatRunsEmptyJoinsAtTheBackWhenItHasWorkAgain) {
  SendQueue queue;
  queue.PushCampaign(CampaignId{1}, Send(10));
  queue.PushCampaign(CampaignId{2}, Send(20));
  queue.PushCampaign(CampaignId{2}, Send(21));
  EXPECT_EQ(queue.Pop()->delivery.value, 10);
  queue.PushCampaign(CampaignId{1}, Send(11));
  EXPECT_EQ(Drain(queue), (std::vector<std::int64_t>{20, 11, 21}));
}

TEST(SendQueue, ThreeCampaignsTakeTurnsOneMessageEach) {
  SendQueue queue;
  for (int c = 1; c <= 3; ++c) {
    for (int i = 0; i < 2; ++i) queue.PushCampaign(CampaignId{c}, Send(c * 10 + i));
  }
  EXPECT_EQ(Drain(queue), (std::vector<std::int64_t>{10, 20, 30, 11, 21, 31}));
}

TEST(SendQueue, RemovingACampaignReturnsItsMessagesAndKeepsTheOthersTurns) {
  SendQueue queue;
  for (int c = 1; c <= 3; ++c) {
    for (int i = 0; i < 2; ++i) queue.PushCampaign(CampaignId{c}, Send(c * 10 + i));
  }
  const std::vector<QueuedSend> removed = queue.RemoveCampaign(CampaignId{2});
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].delivery.value, 20);
  EXPECT_EQ(removed[1].delivery.value, 21);
  EXPECT_TRUE(queue.RemoveCampaign(CampaignId{9}).empty());
  EXPECT_EQ(queue.size(), 4u);
  EXPECT_EQ(Drain(queue), (std::vector<std::int64_t>{10, 30, 11, 31}));
}

TEST(SendQueue, PushingSetsTheCampaignOfEachMessage) {
  SendQueue queue;
  QueuedSend tagged = Send(1);
  tagged.campaign = CampaignId{5};
  queue.PushSingle(tagged);
  queue.PushCampaign(CampaignId{7}, Send(2));
  EXPECT_FALSE(queue.Pop()->campaign.has_value());
  EXPECT_EQ(queue.Pop()->campaign, CampaignId{7});
}

}  // namespace
}  // namespace herald::campaign
