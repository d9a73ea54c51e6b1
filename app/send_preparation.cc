#include "app/send_preparation.h"

#include <algorithm>
#include <unordered_map>

#include "campaign/personalise.h"
#include "common/time.h"
#include "storage/recipient_repository.h"

namespace herald::app {
namespace {

using storage::DeliveryOutcome;
using storage::DeliveryState;

// "2026-12-04" for an instant (UTC), to compare with the rules' dates.
std::string Day(SysTime now) { return FormatRfc3339(now).substr(0, 10); }

// The values of one parameter list for one recipient; the first missing reference, if any.
struct RenderedList {
  std::vector<std::string> names;
  std::vector<std::string> values;
};

// A parameter list with its values parsed, once per batch rather than once per recipient.
struct ParsedList {
  std::vector<std::string> names;
  std::vector<campaign::ValueTemplate> values;
};

ParsedList ParseList(const ParameterList& list) {
  ParsedList out;
  for (const std::string& value : list.positional) {
    out.names.emplace_back();
    out.values.push_back(campaign::ValueTemplate::Parse(value));
  }
  for (const auto& [name, value] : list.named) {
    out.names.push_back(name);
    out.values.push_back(campaign::ValueTemplate::Parse(value));
  }
  return out;
}

Result<RenderedList> RenderList(const ParsedList& list,
                                const campaign::RecipientFields& recipient) {
  RenderedList out;
  out.names = list.names;
  out.values.reserve(list.values.size());
  for (const campaign::ValueTemplate& value : list.values) {
    auto rendered = campaign::Render(value, recipient);
    if (!rendered.ok()) return rendered.error();
    out.values.push_back(std::move(*rendered));
  }
  return out;
}

std::vector<compliance::TemplateParameter> Views(const RenderedList& list) {
  std::vector<compliance::TemplateParameter> views;
  for (std::size_t i = 0; i < list.values.size(); ++i) {
    views.push_back({list.names[i], list.values[i]});
  }
  return views;
}

std::vector<provider::TextParameter> ProviderParameters(const RenderedList& list) {
  std::vector<provider::TextParameter> out;
  for (std::size_t i = 0; i < list.values.size(); ++i) {
    out.push_back({list.names[i], list.values[i]});
  }
  return out;
}

DeliveryOutcome Refused(DeliveryId id, DeliveryState state, std::string reason) {
  return DeliveryOutcome{.id = id, .state = state, .reason = std::move(reason)};
}

// The gate's refusal as it is recorded: quiet hours wait, words block, the rest skip.
DeliveryOutcome Refusal(const compliance::Gate& gate, const compliance::Decision& decision,
                        DeliveryId id, const compliance::RecipientState& state, Purpose purpose,
                        SysTime now) {
  if (decision.reason == compliance::ReasonCode::kQuietHours) {
    auto next = gate.NextAllowedTime(now, state, purpose);
    if (next.ok()) {
      return DeliveryOutcome{.id = id,
                             .state = DeliveryState::kQueued,
                             .reason = "waiting:quiet_hours",
                             .not_before = *next};
    }
  }
  if (decision.reason == compliance::ReasonCode::kWord) {
    return Refused(id, DeliveryState::kBlocked, "blocked:" + decision.RefusalReason());
  }
  return Refused(id, DeliveryState::kSkipped, "skipped:" + decision.RefusalReason());
}

// What a template value may refer to: the contact's name, phone and attributes.
campaign::RecipientFields FieldsOf(const storage::StoredContact& contact) {
  return {contact.name, contact.phone_e164, [&contact](std::string_view key) {
            for (const auto& [k, v] : contact.attributes) {
              if (k == key) return std::optional<std::string_view>(v);
            }
            return std::optional<std::string_view>();
          }};
}

std::vector<compliance::ServiceWindow> WindowsOf(const storage::RecipientRecord& record) {
  std::vector<compliance::ServiceWindow> windows;
  for (const storage::WindowRecord& window : record.windows) {
    windows.push_back({window.sender, window.last_inbound, window.entry_point_until});
  }
  return windows;
}

// The recipient as the gate sees it; `windows` (WindowsOf) must outlive the state.
compliance::RecipientState StateOf(const storage::RecipientRecord& record,
                                   const std::vector<compliance::ServiceWindow>& windows) {
  const storage::StoredContact& contact = record.contact;
  return {{contact.opted_out, contact.consent_marketing, contact.consent_utility},
          windows,
          contact.country,
          contact.timezone,
          contact.language,
          record.recent_campaign_sends};
}

// The message the gate checks; the views and the text must outlive it.
compliance::OutboundMessage OutboundOf(const CampaignContent& content, SenderId sender,
                                       ContactId recipient,
                                       const std::vector<compliance::TemplateParameter>& header,
                                       const std::vector<compliance::TemplateParameter>& body,
                                       const std::string& text) {
  compliance::OutboundMessage message;
  message.sender = sender;
  message.recipient = recipient;
  message.purpose =
      content.purpose.value_or(content.is_template ? Purpose::kMarketing : Purpose::kService);
  if (content.is_template) {
    message.content = compliance::TemplateMessage{
        content.template_name, content.template_language, {header, body}};
  } else {
    message.content = compliance::FreeText{text};
  }
  return message;
}

}  // namespace

std::string MarketRuleReason(std::span<const storage::MarketRuleRecord> rules,
                             std::string_view country, std::string_view category, SysTime now) {
  if (country.empty()) return {};
  const std::string day = Day(now);
  for (const storage::MarketRuleRecord& rule : rules) {
    if (rule.market != country || rule.category != category) continue;
    if (day < rule.effective_from) continue;
    if (!rule.effective_until.empty() && day >= rule.effective_until) continue;
    return rule.reason;
  }
  return {};
}

Preparation PrepareSends(storage::UnitOfWork& reader, const compliance::Gate& gate,
                         std::span<const storage::MarketRuleRecord> market_rules,
                         std::span<const storage::ClaimedDelivery> claimed,
                         const ActiveCampaign& campaign, SysTime now) {
  Preparation out;
  std::vector<ContactId> ids;
  ids.reserve(claimed.size());
  for (const auto& delivery : claimed) ids.push_back(delivery.contact);
  const auto period = gate.policy().config().frequency_cap.period;
  auto recipients = reader.recipients().Load(ids, now - period);
  if (!recipients.ok()) {
    // Nothing is decided: the claims go back and the runner tries again later.
    for (const auto& delivery : claimed) {
      out.outcomes.push_back(DeliveryOutcome{.id = delivery.id,
                                             .state = DeliveryState::kQueued,
                                             .reason = "waiting:storage",
                                             .not_before = now + std::chrono::seconds(5)});
    }
    return out;
  }
  std::unordered_map<ContactId, const storage::RecipientRecord*> by_id;
  for (const auto& record : *recipients) by_id[record.contact.id] = &record;
  const CampaignContent& content = campaign.content;
  const ParsedList header_values = ParseList(content.header);
  const ParsedList body_values = ParseList(content.body);
  const campaign::ValueTemplate text_value = campaign::ValueTemplate::Parse(content.text);

  for (const storage::ClaimedDelivery& delivery : claimed) {
    auto found = by_id.find(delivery.contact);
    if (found == by_id.end()) {
      out.outcomes.push_back(
          Refused(delivery.id, DeliveryState::kSkipped, "skipped:contact_erased"));
      continue;
    }
    const storage::RecipientRecord& record = *found->second;
    const storage::StoredContact& contact = record.contact;
    const campaign::RecipientFields fields = FieldsOf(contact);
    const std::vector<compliance::ServiceWindow> windows = WindowsOf(record);
    std::vector<SenderId> open_windows;
    for (const compliance::ServiceWindow& window : windows) {
      if (compliance::IsServiceWindowOpen(window, now, gate.policy().config().service_window)) {
        open_windows.push_back(window.sender);
      }
    }
    const compliance::RecipientState state = StateOf(record, windows);

    RenderedList header, body;
    std::string text;
    if (content.is_template) {
      auto rendered_header = RenderList(header_values, fields);
      auto rendered_body = RenderList(body_values, fields);
      const Error* missing = !rendered_header.ok() ? &rendered_header.error()
                             : !rendered_body.ok() ? &rendered_body.error()
                                                   : nullptr;
      if (missing != nullptr) {
        out.outcomes.push_back(Refused(delivery.id, DeliveryState::kSkipped,
                                       "skipped:missing_value:" + missing->field));
        continue;
      }
      header = std::move(*rendered_header);
      body = std::move(*rendered_body);
    } else {
      auto rendered = campaign::Render(text_value, fields);
      if (!rendered.ok()) {
        out.outcomes.push_back(Refused(delivery.id, DeliveryState::kSkipped,
                                       "skipped:missing_value:" + rendered.error().field));
        continue;
      }
      text = std::move(*rendered);
    }
    const auto header_views = Views(header);
    const auto body_views = Views(body);
    compliance::OutboundMessage message = OutboundOf(content, delivery.sender.value_or(SenderId{}),
                                                     contact.id, header_views, body_views, text);
    // Free text needs an open window with the number that sends it; the runner picks that
    // number among those with an open window, so the gate checks against the first of them.
    if (!content.is_template && !open_windows.empty()) message.sender = open_windows.front();
    // The purpose the platform bills and its market rules see: the template's category (a
    // declared marketing purpose only makes it stricter). A market rule is a hard skip, checked
    // before the gate so that a recipient is not held for quiet hours only to be skipped after.
    Purpose purpose = message.purpose;
    std::string language = content.template_language;
    const compliance::CompiledTemplate* resolved = nullptr;
    if (content.is_template) {
      resolved = gate.templates().Resolve(
          content.template_name,
          content.template_language.empty() ? contact.language : content.template_language,
          gate.policy().config().default_language);
      if (resolved != nullptr && content.purpose != Purpose::kMarketing) {
        purpose = compliance::PurposeOf(resolved->source.category);
      }
    }
    if (std::string rule =
            MarketRuleReason(market_rules, contact.country, PurposeName(purpose), now);
        !rule.empty()) {
      out.outcomes.push_back(
          Refused(delivery.id, DeliveryState::kSkipped, "skipped:market:" + rule));
      continue;
    }
    const compliance::Decision decision = gate.Check(message, state, now);
    if (!decision.allowed()) {
      out.outcomes.push_back(Refusal(gate, decision, delivery.id, state, purpose, now));
      continue;
    }
    if (decision.resolved_template != nullptr) {
      language = decision.resolved_template->source.language;
    }
    PreparedSend send;
    send.delivery = delivery.id;
    send.campaign = delivery.campaign;
    send.contact = contact.id;
    send.purpose = purpose;
    send.open_windows = std::move(open_windows);
    send.last_sender = record.last_sender;
    send.assigned = delivery.sender;
    send.estimated_cost_micros = delivery.estimated_cost_micros;
    send.message.delivery = delivery.id;
    send.message.to =
        contact.phone_e164.starts_with('+') ? contact.phone_e164.substr(1) : contact.phone_e164;
    send.message.callback_data = std::to_string(delivery.id.value);
    if (content.is_template) {
      send.message.content = provider::TemplateContent{
          content.template_name, language, ProviderParameters(header), ProviderParameters(body)};
    } else {
      send.message.content = provider::TextContent{text, false};
    }
    out.sends.push_back(std::move(send));
  }
  return out;
}

SingleDecision DecideSingle(storage::UnitOfWork& reader, const compliance::Gate& gate,
                            std::span<const storage::MarketRuleRecord> market_rules,
                            ContactId contact, SenderId sender, const CampaignContent& content,
                            SysTime now) {
  SingleDecision decision;
  // The send path's own decision, on one claimed-like delivery.
  storage::ClaimedDelivery one;
  one.contact = contact;
  one.sender = sender;
  ActiveCampaign campaign;
  campaign.content = content;
  campaign.senders = {sender};
  campaign.running = true;
  Preparation prepared =
      PrepareSends(reader, gate, market_rules, std::span(&one, 1), campaign, now);
  if (!prepared.outcomes.empty()) {
    decision.state = prepared.outcomes.front().state;
    decision.reason = prepared.outcomes.front().reason;
    if (decision.reason.starts_with("skipped:market:")) {
      decision.market_rule = decision.reason.substr(15);
    }
  } else {
    decision.allowed = true;
  }
  // Every check on its own, for people.
  auto records = reader.recipients().Load(std::span(&contact, 1),
                                          now - gate.policy().config().frequency_cap.period);
  if (!records.ok() || records->empty()) return decision;
  const storage::RecipientRecord& record = records->front();
  const storage::StoredContact& person = record.contact;
  const campaign::RecipientFields fields = FieldsOf(person);
  const std::vector<compliance::ServiceWindow> windows = WindowsOf(record);
  const compliance::RecipientState state = StateOf(record, windows);
  auto header = RenderList(ParseList(content.header), fields);
  auto body = RenderList(ParseList(content.body), fields);
  auto text = campaign::Render(campaign::ValueTemplate::Parse(content.text), fields);
  if ((content.is_template && (!header.ok() || !body.ok())) ||
      (!content.is_template && !text.ok())) {
    return decision;  // a missing value: the reason says which; the checks need the values
  }
  const auto header_views =
      content.is_template ? Views(*header) : std::vector<compliance::TemplateParameter>{};
  const auto body_views =
      content.is_template ? Views(*body) : std::vector<compliance::TemplateParameter>{};
  static const std::string kNoText;
  const compliance::OutboundMessage message = OutboundOf(
      content, sender, contact, header_views, body_views, content.is_template ? kNoText : *text);
  decision.checks = gate.Explain(message, state, now);
  return decision;
}

}  // namespace herald::app
