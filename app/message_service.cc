#include "app/message_service.h"

#include <boost/json.hpp>

#include "common/log.h"
#include "storage/contact_repository.h"
#include "storage/market_rule_repository.h"

namespace herald::app {
namespace {

Error Invalid(std::string message, std::string field) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}

}  // namespace

MessageService::MessageService(storage::Store& store, const Clock& clock, SenderService& senders,
                               ComplianceService& compliance, SendMetrics* sends)
    : store_(store), clock_(clock), senders_(senders), compliance_(compliance), sends_(sends) {}

MessageService::~MessageService() { Stop(); }

Status MessageService::Start() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  worker_.Start(std::move(*reader));
  return Status::Ok();
}

void MessageService::Stop() { worker_.Stop(); }

void MessageService::SetQueuedListener(std::function<void()> listener) {
  queued_listener_ = std::move(listener);
}

void MessageService::Send(MessageRequest request, std::string actor, Reply<MessageResult> reply) {
  if (request.to.size() < 8 || request.to.size() > 16 || request.to[0] != '+') {
    return reply(Invalid("expected a number in E.164 form, such as +4915112345678", "to"));
  }
  // The number it goes from: the one named, else the first active one (the runner may choose
  // another with an open window at send time).
  std::optional<Sender> sender;
  if (!request.sender.empty()) {
    auto named = senders_.Get(request.sender);
    if (!named.ok()) {
      return reply(MakeError(ErrorCode::kInvalidArgument,
                             "no sender with phone_number_id " + request.sender, "sender"));
    }
    if (named->sender.state != "active") {
      return reply(MakeError(ErrorCode::kFailedPrecondition,
                             "sender " + request.sender + " is " + named->sender.state, "sender"));
    }
    sender = named->sender;
  } else {
    for (const SenderView& view : senders_.List()) {
      if (view.sender.state == "active") {
        sender = view.sender;
        break;
      }
    }
    if (!sender) {
      return reply(MakeError(ErrorCode::kFailedPrecondition,
                             "no active sender: add one with POST /v1/senders", "sender"));
    }
  }
  worker_.Post([this, request = std::move(request), sender = *sender, actor = std::move(actor),
                reply](storage::UnitOfWork& reader) {
    auto contact = reader.contacts().FindByPhone(request.to);
    if (!contact.ok()) return reply(contact.error());
    if (!*contact) {
      return reply(MakeError(ErrorCode::kNotFound, "no contact with number " + request.to, "to"));
    }
    auto rules = reader.market_rules().List();
    if (!rules.ok()) return reply(rules.error());
    const SysTime now = clock_.Now();
    auto gate = compliance_.gate();
    MessageResult result;
    result.sender = sender.phone_number_id;
    result.decision =
        DecideSingle(reader, *gate, *rules, (*contact)->id, sender.id, request.content, now);
    if (request.dry_run) return reply(std::move(result));

    boost::json::object message =
        boost::json::parse(CampaignContentJson(request.content)).as_object();
    if (!request.sender.empty()) message["sender"] = request.sender;
    storage::NewDelivery delivery;
    delivery.contact = (*contact)->id;
    if (!request.sender.empty()) delivery.sender = sender.id;
    delivery.not_before = now;
    delivery.message_json = boost::json::serialize(message);
    const storage::DeliveryState state =
        result.decision.allowed ? storage::DeliveryState::kQueued : result.decision.state;
    const std::string reason = result.decision.allowed ? "" : result.decision.reason;
    auto id = std::make_shared<DeliveryId>();
    EventPublisher* events = state == storage::DeliveryState::kBlocked ? events_ : nullptr;
    Status queued = store_.Submit(
        [delivery, state, reason, now, id, events,
         phone = (*contact)->phone_e164](storage::UnitOfWork& work) -> Status {
          auto inserted = work.deliveries().InsertSingle(delivery, state, reason, now);
          if (!inserted.ok()) return inserted.error();
          *id = *inserted;
          if (events != nullptr) {
            return events->Stage(
                work, MessageBlockedEvent(*id, std::nullopt, delivery.contact, phone, reason, now),
                now);
          }
          return Status::Ok();
        },
        [this, id, state, reason, events, result = std::move(result),
         reply](Status status) mutable {
          if (!status.ok()) return reply(status.error());
          if (events != nullptr) events->Wake();
          if (sends_ != nullptr && !reason.empty()) {
            sends_->CountDecision(reason);
            if (auto outcome = SendMetrics::OutcomeOf(state)) {
              sends_->CountOutcome(result.sender, *outcome);
            }
          }
          result.delivery = *id;
          result.state = std::string(storage::DeliveryStateName(state));
          if (state == storage::DeliveryState::kQueued && queued_listener_) queued_listener_();
          reply(std::move(result));
        });
    if (!queued.ok()) reply(queued.error());
    (void)actor;
  });
}

void MessageService::Get(DeliveryId id, Reply<storage::DeliveryRow> reply) {
  worker_.Post([id, reply](storage::UnitOfWork& reader) {
    auto row = reader.deliveries().Find(id);
    if (!row.ok()) return reply(row.error());
    if (!*row) {
      return reply(MakeError(ErrorCode::kNotFound, "no message " + std::to_string(id.value), "id"));
    }
    reply(std::move(**row));
  });
}

}  // namespace herald::app
