#include "app/audience_costs.h"

#include <algorithm>

namespace herald::app {

using campaign::PriceCategory;

AudienceCoster::AudienceCoster(std::shared_ptr<const Pricing> pricing,
                               std::optional<PriceCategory> category, std::size_t senders)
    : pricing_(std::move(pricing)),
      category_(category),
      senders_(std::max<std::size_t>(1, senders)) {}

bool AudienceCoster::needs_windows() const {
  // Entry points make any category free; without them only utility and service depend on a
  // window, and only under rules that say so.
  if (!active()) return false;
  for (const campaign::PricingRules& rules : pricing_->rules.versions()) {
    if (rules.entry_point_free) return true;
    if (*category_ == PriceCategory::kUtility && rules.utility_free_in_window) return true;
  }
  return *category_ == PriceCategory::kService;
}

void AudienceCoster::SetWindows(std::vector<storage::ContactWindows> windows) {
  windows_.clear();
  windows_.reserve(windows.size());
  for (storage::ContactWindows& window : windows) windows_.emplace(window.contact.value, window);
}

void AudienceCoster::Estimate(storage::AudienceMember& member, std::string_view country) {
  if (!active()) return;
  auto found = windows_.find(member.contact.value);
  const storage::ContactWindows* windows = found == windows_.end() ? nullptr : &found->second;
  campaign::MessageFacts facts;
  facts.country = std::string(country);
  facts.category = *category_;
  facts.at = member.not_before;
  if (windows != nullptr) {
    // The platform's window: 24 hours from the user's latest message (reference/whatsapp.md).
    facts.window_open =
        windows->last_inbound && *windows->last_inbound + std::chrono::hours(24) > facts.at;
    facts.entry_point_open = windows->entry_point_until && *windows->entry_point_until > facts.at;
  }
  if (facts.category == PriceCategory::kService) {
    facts.service_sent_this_month = service_messages_ / static_cast<std::int64_t>(senders_);
    ++service_messages_;
  }
  // Recipients of one country, day and window state cost the same (service messages, counted
  // against an allowance, are estimated one by one): one estimate per group, not per delivery.
  const bool cacheable = facts.category != PriceCategory::kService;
  const CacheKey key{facts.country, campaign::DayOf(facts.at).time_since_epoch().count(),
                     facts.window_open, facts.entry_point_open};
  auto cached = cacheable ? cache_.find(key) : cache_.end();
  if (cached == cache_.end()) {
    const campaign::CostEstimate estimate =
        campaign::EstimateCost(pricing_->prices, pricing_->rules, facts);
    const Cached value{estimate.cost_micros, campaign::CostBasisName(estimate.basis),
                       campaign::PriceCategoryName(estimate.billed_as)};
    if (!cacheable) return Fill(member, value);
    cached = cache_.emplace(key, value).first;
  }
  Fill(member, cached->second);
}

void AudienceCoster::Fill(storage::AudienceMember& member, const Cached& value) {
  member.estimated_cost_micros = value.cost_micros;
  member.estimate_basis = std::string(value.basis);
  member.estimate_category = std::string(value.category);
}

CostModel MakeCostModel(PricingService& pricing, ComplianceService& compliance) {
  CostModel model;
  model.pricing = [&pricing] { return pricing.Snapshot(); };
  model.category =
      [&compliance](const CampaignContent& content) -> std::optional<campaign::PriceCategory> {
    if (!content.is_template) return campaign::PriceCategory::kService;
    const auto gate = compliance.gate();
    if (gate == nullptr) return std::nullopt;
    const compliance::CompiledTemplate* found = gate->templates().Resolve(
        content.template_name, content.template_language, gate->policy().config().default_language);
    // Without a language (each recipient's own), any language tells the category.
    if (found == nullptr && content.template_language.empty()) {
      found = gate->templates().AnyLanguage(content.template_name);
    }
    if (found == nullptr) return std::nullopt;
    switch (found->source.category) {
      case compliance::TemplateCategory::kMarketing:
        return campaign::PriceCategory::kMarketing;
      case compliance::TemplateCategory::kUtility:
        return campaign::PriceCategory::kUtility;
      case compliance::TemplateCategory::kAuthentication:
        return campaign::PriceCategory::kAuthentication;
    }
    return std::nullopt;
  };
  return model;
}

}  // namespace herald::app
