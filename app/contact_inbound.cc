// ContactService::RecordInbound: what users write back (issue 17).
#include "app/contact_service.h"
#include "storage/delivery_repository.h"
#include "storage/sender_repository.h"

namespace herald::app {

void ContactService::RecordInbound(std::vector<InboundRecord> records, std::string actor,
                                   Reply<InboundTally> reply) {
  struct Done {
    std::vector<storage::UpsertResult> changes;
    InboundTally tally;
  };
  auto done = std::make_shared<Done>();
  const SysTime now = clock_.Now();
  EventPublisher* events = events_;
  auto job = [records = std::move(records), actor = std::move(actor), done, now,
              events](storage::UnitOfWork& work) -> Status {
    std::map<std::string, std::optional<SenderId>> senders;
    for (const InboundRecord& record : records) {
      ++done->tally.messages;
      if (!record.new_phone_e164.empty()) {
        auto contact = work.contacts().FindByPhone(record.contact.phone_e164);
        if (!contact.ok()) return contact.error();
        if (!contact->has_value()) continue;  // nobody Herald knows: nothing to move
        auto moved = work.contacts().ChangePhone((*contact)->id, record.new_phone_e164, actor, now);
        if (!moved.ok() && moved.error().code == ErrorCode::kAlreadyExists) {
          ++done->tally.numbers_not_changed;
          continue;
        }
        if (!moved.ok()) return moved.error();
        ++done->tally.numbers_changed;
        done->changes.push_back(std::move(*moved));
        continue;
      }
      auto known = senders.find(record.phone_number_id);
      if (known == senders.end()) {
        auto sender = work.senders().Find(record.phone_number_id);
        if (!sender.ok()) return sender.error();
        known = senders
                    .emplace(record.phone_number_id, sender->has_value()
                                                         ? std::optional<SenderId>((*sender)->id)
                                                         : std::nullopt)
                    .first;
      }
      storage::InboundContact inbound = record.contact;
      inbound.sender = known->second;
      if (!inbound.sender) ++done->tally.unknown_numbers;
      auto recorded = work.contacts().RecordInbound(inbound, now, actor);
      if (!recorded.ok()) return recorded.error();
      const ContactId contact = recorded->after.id;
      if (recorded->outcome == storage::UpsertOutcome::kCreated) ++done->tally.contacts_created;
      done->changes.push_back(std::move(*recorded));

      auto replied =
          work.deliveries().MarkReplied(contact, record.context_message_id, inbound.sender,
                                        inbound.at, inbound.at - storage::kEntryPointWindow);
      if (!replied.ok()) return replied.error();
      std::optional<std::int64_t> campaign;
      if (replied->has_value()) {
        ++done->tally.replies;
        if ((*replied)->campaign) campaign = (*replied)->campaign->value;
      }
      if (!record.stop_source.empty()) {
        auto opted_out = work.contacts().OptOut(contact, record.stop_source, inbound.at, actor);
        if (!opted_out.ok()) return opted_out.error();
        if (opted_out->outcome != storage::UpsertOutcome::kUnchanged) {
          ++done->tally.opted_out;
          if (events != nullptr) {
            // The keyword is in the source ("whatsapp:STOP (en)"); the event says where it came
            // from and which words.
            if (Status staged =
                    events->Stage(work,
                                  ContactOptedOutEvent(contact, opted_out->after.phone_e164,
                                                       "webhook", record.stop_source, inbound.at),
                                  now);
                !staged.ok()) {
              return staged;
            }
          }
        }
        done->changes.push_back(std::move(*opted_out));
      }
      for (const std::string& tag : record.tags) {
        auto tagged = work.contacts().TagFromReply(contact, tag, campaign, actor, now);
        if (!tagged.ok()) return tagged.error();
        if (tagged->outcome != storage::UpsertOutcome::kUnchanged) ++done->tally.tagged;
        done->changes.push_back(std::move(*tagged));
      }
    }
    return Status::Ok();
  };
  Status queued = store_.Submit(std::move(job), [this, done, reply](Status status) {
    if (!status.ok()) return reply(status.error());
    if (events_ != nullptr && done->tally.opted_out > 0) events_->Wake();
    ApplyCommitted(done->changes);
    reply(done->tally);
  });
  if (!queued.ok()) reply(queued.error());
}

}  // namespace herald::app
