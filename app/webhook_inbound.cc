#include "app/webhook_inbound.h"

#include <future>

#include "common/log.h"

namespace herald::app {
namespace {

std::string Folded(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  std::string folded(text.substr(first, last - first + 1));
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

bool AllDigits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::vector<InboundRecord> ToInboundRecords(const std::vector<webhooks::InboundMessage>& messages,
                                            const compliance::Gate& gate,
                                            const ReplyTagRules& rules) {
  std::vector<InboundRecord> records;
  for (const webhooks::InboundMessage& message : messages) {
    if (!AllDigits(message.from) || message.from.size() > 15) continue;
    InboundRecord record;
    if (message.type == "system") {
      // A number change moves the contact; other system messages open no window.
      if (message.system_type != "user_changed_number" || !AllDigits(message.system_new_wa_id) ||
          message.system_new_wa_id.size() > 15) {
        continue;
      }
      record.contact.phone_e164 = "+" + message.from;
      record.new_phone_e164 = "+" + message.system_new_wa_id;
      records.push_back(std::move(record));
      continue;
    }
    record.contact.phone_e164 = "+" + message.from;
    record.contact.profile_name = message.profile_name;
    record.contact.at = message.timestamp;
    record.contact.entry_point = message.from_referral;
    record.phone_number_id = message.phone_number_id;
    record.context_message_id = message.context_id;
    if (message.type == "text" || message.type == "button" || message.type == "interactive") {
      if (auto stop = gate.MatchStopKeyword(message.text)) {
        record.stop_source = "whatsapp:" + stop->keyword + " (" + stop->language + ")";
      }
    }
    const std::string text = Folded(message.text);
    const std::string payload = Folded(message.payload);
    for (const auto& [tag, phrases] : rules) {
      for (const std::string& phrase : phrases) {
        const std::string folded = Folded(phrase);
        if ((!text.empty() && text == folded) || (!payload.empty() && payload == folded)) {
          record.tags.push_back(tag);
          break;
        }
      }
    }
    records.push_back(std::move(record));
  }
  return records;
}

InboundHandler MakeInboundHandler(ContactService& contacts, const ComplianceService& compliance,
                                  ReplyTagRules rules) {
  return [&contacts, &compliance,
          rules = std::move(rules)](const std::vector<webhooks::InboundMessage>& messages) {
    std::vector<InboundRecord> records = ToInboundRecords(messages, *compliance.gate(), rules);
    if (records.empty()) return Status::Ok();
    std::promise<Result<InboundTally>> promise;
    auto future = promise.get_future();
    contacts.RecordInbound(std::move(records), "webhook", [&promise](Result<InboundTally> tally) {
      promise.set_value(std::move(tally));
    });
    Result<InboundTally> tally = future.get();
    if (!tally.ok()) return Status(tally.error());
    if (tally->opted_out > 0 || tally->contacts_created > 0 || tally->unknown_numbers > 0) {
      log::Info(
          "event=webhook_inbound messages={} contacts_created={} opted_out={} replies={} "
          "tagged={} unknown_numbers={}",
          tally->messages, tally->contacts_created, tally->opted_out, tally->replies, tally->tagged,
          tally->unknown_numbers);
    }
    return Status::Ok();
  };
}

}  // namespace herald::app
