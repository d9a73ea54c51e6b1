#include "app/webhook_events.h"

#include <future>

#include "common/language_tag.h"
#include "common/log.h"

namespace herald::app {
namespace {

constexpr std::string_view kActor = "webhook";

// Calls `start` with a reply and waits for it.
template <typename T, typename Start>
Result<T> Await(Start start) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

std::string Digits(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits;
}

bool UsesTemplate(const ActiveCampaign& campaign, std::string_view name,
                  std::string_view language) {
  const CampaignContent& content = campaign.content;
  if (!content.is_template || content.template_name != name) return false;
  return content.template_language.empty() || language.empty() ||
         LanguageKey(content.template_language) == LanguageKey(language);
}

Status ApplyTemplateEvent(ComplianceService& compliance, CampaignService& campaigns,
                          const webhooks::TemplateEvent& event) {
  auto templates = Await<std::vector<storage::StoredTemplate>>(
      [&](auto reply) { compliance.ListTemplates(std::move(reply)); });
  if (!templates.ok()) return templates.error();
  const bool status_update = event.field == "message_template_status_update";
  if (status_update && !event.event.empty() && event.event != "APPROVED") {
    const std::string reason = "template " + event.name + " (" + event.language + ") is " +
                               event.event + (event.reason.empty() ? "" : ": " + event.reason);
    for (const ActiveCampaign& campaign : campaigns.Active()) {
      if (!campaign.running || !UsesTemplate(campaign, event.name, event.language)) continue;
      auto paused = Await<CampaignView>([&](auto reply) {
        campaigns.Pause(campaign.id, std::string(kActor), reason, std::move(reply));
      });
      if (!paused.ok() && paused.error().code != ErrorCode::kFailedPrecondition) {
        return paused.error();
      }
      log::Warn("event=campaign_paused_by_template campaign={} template={} status={}",
                campaign.id.value, log::Quoted(event.name), log::Quoted(event.event));
    }
  }
  if (event.field == "message_template_quality_update") {
    log::Info("event=template_quality template={} language={} quality={}", log::Quoted(event.name),
              log::Quoted(event.language), log::Quoted(event.new_quality));
    return Status::Ok();
  }
  for (const storage::StoredTemplate& stored : *templates) {
    const bool same =
        (!event.template_id.empty() && stored.record.platform_id == event.template_id) ||
        (stored.record.name == event.name &&
         (event.language.empty() ||
          LanguageKey(stored.record.language) == LanguageKey(event.language)));
    if (!same) continue;
    TemplateRecord record = stored.record;
    if (status_update && !event.event.empty()) record.status = event.event;
    if (event.field == "template_category_update" && !event.new_category.empty()) {
      record.category = event.new_category;
    }
    if (record == stored.record) continue;
    auto upserted = Await<TemplateUpsertOutcome>([&](auto reply) {
      compliance.UpsertTemplate(std::move(record), std::string(kActor), std::move(reply));
    });
    if (!upserted.ok()) return upserted.error();
  }
  return Status::Ok();
}

}  // namespace

std::string QualityOf(const webhooks::NumberQualityEvent& event) {
  const std::string& quality = event.quality;
  if (quality == "GREEN" || quality == "HIGH") return "GREEN";
  if (quality == "YELLOW" || quality == "MEDIUM") return "YELLOW";
  if (quality == "RED" || quality == "LOW") return "RED";
  if (event.event == "FLAGGED") return "RED";
  if (event.event == "UNFLAGGED") return "GREEN";
  return {};
}

TemplateEventHandler MakeTemplateEventHandler(ComplianceService& compliance,
                                              CampaignService& campaigns) {
  return [&compliance, &campaigns](const std::vector<webhooks::TemplateEvent>& events) {
    for (const webhooks::TemplateEvent& event : events) {
      if (Status applied = ApplyTemplateEvent(compliance, campaigns, event); !applied.ok()) {
        return applied;
      }
    }
    return Status::Ok();
  };
}

NumberEventHandler MakeNumberEventHandler(SenderService& senders) {
  return [&senders](const std::vector<webhooks::NumberQualityEvent>& events) {
    for (const webhooks::NumberQualityEvent& event : events) {
      const std::string digits = Digits(event.display_phone_number);
      std::optional<Sender> found;
      for (const SenderView& view : senders.List()) {
        if (!digits.empty() && Digits(view.sender.display_phone_number) == digits) {
          found = view.sender;
        }
      }
      if (!found) {
        log::Warn("event=webhook_unknown_number display_phone_number={} event={}",
                  log::Quoted(event.display_phone_number), log::Quoted(event.event));
        continue;
      }
      SenderPatch patch;
      if (const std::string quality = QualityOf(event);
          !quality.empty() && quality != found->quality) {
        patch.quality = quality;
      }
      if (event.event == "THROUGHPUT_UPGRADE" && found->throughput_per_s < 1000) {
        patch.throughput = 1000;
      }
      if (event.current_limit.starts_with("TIER_"))
        patch.messaging_limit_tier = event.current_limit;
      if (!patch.quality && !patch.throughput && !patch.messaging_limit_tier) continue;
      auto updated = Await<SenderView>([&](auto reply) {
        senders.Update(found->phone_number_id, patch, std::string(kActor),
                       "phone_number_quality_update " + event.event, std::move(reply));
      });
      if (!updated.ok()) return Status(updated.error());
    }
    return Status::Ok();
  };
}

AccountEventHandler MakeAccountEventHandler(SenderService& senders) {
  return [&senders](const std::vector<webhooks::AccountEvent>& events) {
    for (const webhooks::AccountEvent& event : events) {
      if (event.event != "ACCOUNT_RESTRICTION" || !event.restriction_expiration) {
        log::Info("event=webhook_account_update event={} account={}", log::Quoted(event.event),
                  log::Quoted(event.waba_id));
        continue;
      }
      for (const Portfolio& portfolio : senders.Portfolios()) {
        PortfolioPatch patch;
        patch.restricted_until = event.restriction_expiration;
        patch.restriction_type = event.restriction_type.empty() ? std::string("ACCOUNT_RESTRICTION")
                                                                : event.restriction_type;
        auto updated = Await<Portfolio>([&](auto reply) {
          senders.UpdatePortfolio(portfolio.name, patch, std::string(kActor),
                                  "account_update ACCOUNT_RESTRICTION of " + event.waba_id,
                                  std::move(reply));
        });
        if (!updated.ok()) return Status(updated.error());
      }
    }
    return Status::Ok();
  };
}

}  // namespace herald::app
