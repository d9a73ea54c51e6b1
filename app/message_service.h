// app/message_service.h: single messages (issue 16, item 7): one recipient, a template or a text,
// through the same gate, pacer and provider as campaigns. A message the gate refuses at the
// request is recorded as skipped or blocked with its reason and never queued; one it allows is
// queued for the runner (which decides again at send time, as for campaigns, and sends single
// messages before campaign messages). A dry run answers the decision for that contact now with
// every check on its own (consent, window or template, words with their spans, quiet hours and
// when they end, the frequency cap and when it frees up, market rules) and sends nothing.
//
// Thread rules: any thread; replies run on the service's worker or the writer's thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/campaign_content.h"
#include "app/compliance_service.h"
#include "app/event_publisher.h"
#include "app/read_worker.h"
#include "app/reply.h"
#include "app/send_metrics.h"
#include "app/send_preparation.h"
#include "app/sender_service.h"
#include "common/clock.h"
#include "storage/store.h"

namespace herald::app {

struct MessageRequest {
  std::string to;  // E.164 ("+4915112345678"), a known contact
  CampaignContent content;
  std::string sender;  // phone_number_id; empty: the runner picks, as for campaigns
  bool dry_run = false;
};

struct MessageResult {
  std::optional<DeliveryId> delivery;  // empty for a dry run
  std::string state;                   // queued, skipped, blocked; empty for a dry run
  std::string sender;                  // the number it was checked against
  SingleDecision decision;
};

class MessageService {
 public:
  // `sends` (may be null) counts the messages refused at the request: their outcome (by the
  // number they were checked against) and the gate's reason.
  MessageService(storage::Store& store, const Clock& clock, SenderService& senders,
                 ComplianceService& compliance, SendMetrics* sends = nullptr);
  ~MessageService();  // Stop()

  Status Start();
  void Stop();
  // Called after a message is queued (the runner claims it at once).
  void SetQueuedListener(std::function<void()> listener);
  // Where a message refused as blocked at the request is published (message.blocked), in the job
  // that records it; set before serving.
  void SetEventPublisher(EventPublisher* events) { events_ = events; }

  void Send(MessageRequest request, std::string actor, Reply<MessageResult> reply);
  void Get(DeliveryId id, Reply<storage::DeliveryRow> reply);

 private:
  storage::Store& store_;
  const Clock& clock_;
  SenderService& senders_;
  ComplianceService& compliance_;
  SendMetrics* sends_;  // may be null
  ReadWorker worker_;
  std::function<void()> queued_listener_;  // set before serving
  EventPublisher* events_ = nullptr;       // set before serving
};

}  // namespace herald::app
