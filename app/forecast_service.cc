#include "app/forecast_service.h"

#include <boost/json.hpp>

#include "app/campaign_service.h"
#include "app/reports.h"
#include "app/send_preparation.h"
#include "app/sender_service.h"
#include "campaign/segment.h"

namespace herald::app {
namespace {

using campaign::PriceCategory;

// The window the platform opens: 24 hours from the user's latest message.
constexpr auto kServiceWindow = std::chrono::hours(24);

Result<campaign::SegmentExpr> Combined(const campaign::SegmentExpr& segment,
                                       std::string_view extra) {
  return campaign::ParseSegment("(" + campaign::ToString(segment) + ") AND " + std::string(extra));
}

// The consent the category needs, as a segment term; empty when none (authentication, service).
std::string_view ConsentTerm(PriceCategory category) {
  switch (category) {
    case PriceCategory::kMarketing:
      return "opted_in:marketing";
    case PriceCategory::kUtility:
      return "opted_in:utility";
    default:
      return "";
  }
}

// What the market rules call the category (they name purposes: marketing, utility, …).
std::string_view RuleCategory(PriceCategory category) {
  return category == PriceCategory::kAuthenticationInternational
             ? "authentication"
             : campaign::PriceCategoryName(category);
}

std::size_t ActiveSenders(SenderService& senders) {
  std::size_t count = 0;
  for (const SenderView& view : senders.List()) count += view.sender.state == "active";
  return count;
}

Purpose PurposeOfCategory(PriceCategory category) {
  switch (category) {
    case PriceCategory::kMarketing:
      return Purpose::kMarketing;
    case PriceCategory::kUtility:
      return Purpose::kUtility;
    case PriceCategory::kService:
      return Purpose::kService;
    default:
      return Purpose::kAuthentication;
  }
}

}  // namespace

ForecastService::ForecastService(storage::Store& store, const Clock& clock,
                                 ContactService& contacts, PricingService& pricing,
                                 SenderService& senders, ComplianceService& compliance,
                                 CostModel costs)
    : store_(store),
      clock_(clock),
      contacts_(contacts),
      pricing_(pricing),
      senders_(senders),
      compliance_(compliance),
      costs_(std::move(costs)) {}

ForecastService::~ForecastService() { Stop(); }

Status ForecastService::Start() {
  auto reader = store_.OpenReader();
  if (!reader.ok()) return reader.error();
  reads_.Start(std::move(*reader));
  return Status::Ok();
}

void ForecastService::Stop() { reads_.Stop(); }

void ForecastService::Forecast(ForecastRequest request, Reply<ForecastResult> reply) {
  reads_.Post([this, request = std::move(request), reply = std::move(reply)](
                  storage::UnitOfWork& reader) mutable { reply(Run(reader, std::move(request))); });
}

void ForecastService::Monthly(std::string month, Reply<MonthlyForecast> reply) {
  reads_.Post([this, month = std::move(month),
               reply = std::move(reply)](storage::UnitOfWork& reader) mutable {
    const auto bounds = ParseMonth(month);
    if (!bounds) {
      return reply(MakeError(ErrorCode::kInvalidArgument,
                             "month \"" + month + "\" is not a month like 2026-12", "month"));
    }
    auto campaigns = reader.campaigns().List("");
    if (!campaigns.ok()) return reply(campaigns.error());
    MonthlyForecast out;
    out.month = std::move(month);
    out.currency = pricing_.Snapshot()->prices.currency();
    const campaign::Day first = campaign::DayOf(bounds->first);
    const campaign::Day after = campaign::DayOf(bounds->second);
    std::map<campaign::Day, campaign::TimelineDay> days;
    for (const storage::CampaignRecord& record : *campaigns) {
      if (record.state != "draft" && record.state != "scheduled" && record.state != "running" &&
          record.state != "paused") {
        continue;
      }
      MonthlyForecastCampaign line;
      line.campaign = record.id;
      line.name = record.name;
      line.state = record.state;
      ForecastRequest request;
      request.campaign = record.id;
      auto forecast = Run(reader, std::move(request));
      if (!forecast.ok()) {
        line.error = forecast.error().message;
        out.campaigns.push_back(std::move(line));
        continue;
      }
      line.finish = forecast->timeline.finish;
      line.expired = forecast->timeline.expired;
      for (const campaign::TimelineDay& day : forecast->timeline.days) {
        if (day.day < first || day.day >= after) continue;
        line.sent += day.sent;
        line.spend_micros += day.spend_micros;
        campaign::TimelineDay& total = days[day.day];
        total.day = day.day;
        total.sent += day.sent;
        total.spend_micros += day.spend_micros;
      }
      out.sent += line.sent;
      out.spend_micros += line.spend_micros;
      out.campaigns.push_back(std::move(line));
    }
    for (auto& [day, total] : days) out.days.push_back(total);
    reply(std::move(out));
  });
}

Result<ForecastResult> ForecastService::Run(storage::UnitOfWork& reader, ForecastRequest request) {
  const std::shared_ptr<const Pricing> pricing = pricing_.Snapshot();
  std::optional<storage::CampaignRecord> campaign;
  if (request.campaign) {
    auto found = reader.campaigns().Find(*request.campaign);
    if (!found.ok()) return found.error();
    if (!*found) {
      return MakeError(ErrorCode::kNotFound,
                       "no campaign " + std::to_string(request.campaign->value), "campaign");
    }
    campaign = **found;
    const storage::CampaignRecord& record = *campaign;
    boost::system::error_code ec;
    const boost::json::value stored = boost::json::parse(record.content_json, ec);
    if (ec) return MakeError(ErrorCode::kCorruption, "the campaign's content is not JSON");
    auto content = ParseCampaignContent(stored);
    if (!content.ok()) return content.error();
    auto counts = reader.deliveries().CountByState(record.id);
    if (!counts.ok()) return counts.error();
    std::int64_t deliveries = 0;
    for (std::int64_t count : *counts) deliveries += count;
    if (deliveries > 0) {
      std::map<std::string, campaign::TimelineGroup> queued;
      auto result = FromDeliveries(reader, record.id, *pricing, queued);
      if (!result.ok()) return result.error();
      const SysTime now = clock_.Now();
      const SysTime start = record.start_at && *record.start_at > now ? *record.start_at : now;
      const std::optional<PriceCategory> category =
          costs_.category ? costs_.category(*content) : std::optional<PriceCategory>();
      AddTimeline(*result, std::move(queued), start, campaign, 0,
                  category.value_or(PriceCategory::kMarketing));
      return result;
    }
    request.content = std::move(*content);
    request.segment = record.segment;
    if (!request.at) request.at = record.start_at;
    if (request.senders == 0) request.senders = record.senders.size();
  }
  auto result = FromSegment(reader, request, pricing);
  if (!result.ok()) return result.error();
  std::map<std::string, campaign::TimelineGroup> eligible;
  for (const auto& [country, line] : result->forecast.by_country) {
    if (line.eligible > 0)
      eligible[country] = campaign::TimelineGroup{line.eligible, line.cost_micros};
  }
  AddTimeline(*result, std::move(eligible), result->at, campaign, request.senders,
              campaign::ParsePriceCategory(result->category).value_or(PriceCategory::kMarketing));
  return result;
}

void ForecastService::AddTimeline(ForecastResult& result,
                                  std::map<std::string, campaign::TimelineGroup> groups,
                                  SysTime start,
                                  const std::optional<storage::CampaignRecord>& campaign,
                                  std::size_t wanted, PriceCategory category) {
  campaign::TimelineInput input;
  input.start = start;
  if (campaign) input.end_by = campaign->end_by;
  std::vector<std::string> countries;
  for (auto& [country, group] : groups) {
    if (group.recipients <= 0) continue;
    countries.push_back(country);
    input.groups.push_back(group);
  }
  // The numbers that will send it: the campaign's own when it names them, else every active one.
  std::map<std::string, std::size_t> portfolios;
  for (const SenderView& view : senders_.List()) {
    if (view.sender.state != "active") continue;
    if (campaign && !campaign->senders.empty() &&
        std::find(campaign->senders.begin(), campaign->senders.end(), view.sender.id) ==
            campaign->senders.end()) {
      continue;
    }
    auto [found, added] = portfolios.try_emplace(view.sender.portfolio, input.portfolios.size());
    if (added) {
      campaign::TimelinePortfolio portfolio;
      portfolio.tier_limit = MessagingTierLimit(view.portfolio.messaging_tier).users;
      portfolio.used = view.pacing ? view.pacing->tier_used : 0;
      input.portfolios.push_back(portfolio);
    }
    input.senders.push_back(campaign::TimelineSender{view.sender.throughput_per_s,
                                                     view.sender.warmup_started_at, found->second});
  }
  // "As if sent by N numbers": copies of the first (or numbers at the default level).
  if (wanted > 0) {
    if (input.senders.empty()) {
      input.portfolios = {campaign::TimelinePortfolio{}};
      input.senders.push_back(campaign::TimelineSender{});
    }
    while (input.senders.size() < wanted) input.senders.push_back(input.senders.front());
    input.senders.resize(wanted);
  }
  // Quiet hours in every zone of the group's country, for the purpose the category implies. A
  // country whose zone is unknown is not held (the gate refuses those at send time).
  if (std::shared_ptr<const compliance::Gate> gate = compliance_.gate()) {
    const Purpose purpose = PurposeOfCategory(category);
    input.held_until = [gate, purpose, &countries](std::size_t g,
                                                   SysTime at) -> std::optional<SysTime> {
      compliance::RecipientState recipient;
      recipient.country = countries[g];
      auto next = gate->NextAllowedTime(at, recipient, purpose);
      if (!next.ok() || *next <= at) return std::nullopt;
      return *next;
    };
  }
  result.timeline = campaign::SimulateTimeline(input);
  result.timeline_start = start;
}

Result<ForecastResult> ForecastService::FromDeliveries(
    storage::UnitOfWork& reader, CampaignId campaign, const Pricing& pricing,
    std::map<std::string, campaign::TimelineGroup>& queued) {
  auto groups = reader.deliveries().EstimateSummary(campaign);
  if (!groups.ok()) return groups.error();
  campaign::ForecastBuilder builder(pricing.prices, pricing.rules);
  std::string category;
  for (const storage::EstimateGroup& group : *groups) {
    if (group.refused) {
      builder.AddSkipped(group.country, group.reason, group.count);
      continue;
    }
    if (category.empty()) category = group.category;
    if (group.reason == "queued") {
      campaign::TimelineGroup& left = queued[group.country];
      left.recipients += group.count;
      left.cost_micros += group.cost_micros;
    }
    const bool billable = group.basis == "regular" || group.basis == "no_price" ||
                          group.basis == "no_rules" || group.basis.empty();
    builder.AddEstimated(group.country, group.category.empty() ? "unknown" : group.category,
                         group.basis.empty() ? "not_estimated" : group.basis, billable, group.count,
                         group.cost_micros);
  }
  ForecastResult result;
  result.forecast = std::move(builder).Finish();
  result.source = "deliveries";
  result.category = category;
  result.at = clock_.Now();
  result.price_version = pricing.version;
  return result;
}

Result<ForecastResult> ForecastService::FromSegment(
    storage::UnitOfWork& reader, const ForecastRequest& request,
    const std::shared_ptr<const Pricing>& snapshot) {
  const Pricing& pricing = *snapshot;
  auto segment = ResolveSegment(reader, request.segment);
  if (!segment.ok()) return segment.error();
  if (!costs_.category) {
    return MakeError(ErrorCode::kFailedPrecondition, "forecasts are not available");
  }
  const std::optional<PriceCategory> category = costs_.category(request.content);
  if (!category) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "template " + request.content.template_name +
                         " is not in the catalog, so its category (and price) is unknown: "
                         "store it with PUT /v1/templates/{name}/{language} first",
                     "template");
  }
  const SysTime at = request.at.value_or(clock_.Now());

  // Recipients, those not opted out, and those of them with the consent the category needs.
  const campaign::ContactSet members = contacts_.Evaluate(*segment);
  auto reachable_expr = Combined(*segment, "NOT opted_out");
  if (!reachable_expr.ok()) return reachable_expr.error();
  const campaign::ContactSet reachable = contacts_.Evaluate(*reachable_expr);
  campaign::ContactSet eligible = reachable;
  if (!ConsentTerm(*category).empty()) {
    auto consent_expr = Combined(*reachable_expr, ConsentTerm(*category));
    if (!consent_expr.ok()) return consent_expr.error();
    eligible = contacts_.Evaluate(*consent_expr);
  }
  const auto all_by_country = contacts_.CountByCountry(members);
  const auto reachable_by_country = contacts_.CountByCountry(reachable);
  std::map<std::string, std::uint64_t> eligible_by_country = contacts_.CountByCountry(eligible);
  auto rules = reader.market_rules().List();
  if (!rules.ok()) return rules.error();

  campaign::ForecastBuilder builder(pricing.prices, pricing.rules);
  auto count_in = [](const std::map<std::string, std::uint64_t>& counts, const std::string& key) {
    auto it = counts.find(key);
    return it == counts.end() ? std::int64_t{0} : static_cast<std::int64_t>(it->second);
  };
  for (const auto& [country, all] : all_by_country) {
    const std::int64_t reachable_count = count_in(reachable_by_country, country);
    const std::int64_t eligible_count = count_in(eligible_by_country, country);
    builder.AddSkipped(country, "opted_out", static_cast<std::int64_t>(all) - reachable_count);
    builder.AddSkipped(country, "no_consent:" + std::string(campaign::PriceCategoryName(*category)),
                       reachable_count - eligible_count);
    if (std::string rule = MarketRuleReason(*rules, country, RuleCategory(*category), at);
        !rule.empty()) {
      builder.AddSkipped(country, "market:" + rule, eligible_count);
      eligible_by_country[country] = 0;
    }
  }

  // Recipients with a window open near the planned time, one by one; the rest per country.
  const std::size_t senders = request.senders > 0 ? request.senders : ActiveSenders(senders_);
  AudienceCoster windows_check(snapshot, category, senders);
  if (windows_check.needs_windows()) {
    auto windows = reader.recipients().WindowsSince(at - kServiceWindow);
    if (!windows.ok()) return windows.error();
    std::vector<ContactId> ids;
    std::vector<const storage::ContactWindows*> open;
    for (const storage::ContactWindows& window : *windows) {
      if (!eligible.Contains(window.contact)) continue;
      ids.push_back(window.contact);
      open.push_back(&window);
    }
    auto locations = reader.contacts().Locations(ids);
    if (!locations.ok()) return locations.error();
    std::size_t next = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::string country;
      while (next < locations->size() && (*locations)[next].id < ids[i]) ++next;
      if (next < locations->size() && (*locations)[next].id == ids[i]) {
        country = (*locations)[next].country;
      }
      if (eligible_by_country[country] == 0) continue;  // skipped by a market rule
      campaign::MessageFacts facts;
      facts.country = country;
      facts.category = *category;
      facts.at = at;
      facts.window_open = open[i]->last_inbound && *open[i]->last_inbound + kServiceWindow > at;
      facts.entry_point_open = open[i]->entry_point_until && *open[i]->entry_point_until > at;
      if (!facts.window_open && !facts.entry_point_open) continue;
      builder.AddEligible(facts, 1);
      --eligible_by_country[country];
    }
  }
  // Service messages: a number's first ones of the month are free under the newer rules.
  const campaign::PricingRules* rules_then = pricing.rules.InForce(campaign::DayOf(at));
  std::int64_t free_service = 0;
  if (*category == PriceCategory::kService && rules_then != nullptr && !rules_then->service_free) {
    free_service = rules_then->free_service_per_number_month *
                   static_cast<std::int64_t>(senders == 0 ? 1 : senders);
  }
  for (const auto& [country, count] : eligible_by_country) {
    campaign::MessageFacts facts;
    facts.country = country;
    facts.category = *category;
    facts.at = at;
    std::int64_t left = static_cast<std::int64_t>(count);
    if (free_service > 0) {
      const std::int64_t free = std::min(left, free_service);
      builder.AddEligible(facts, free);  // service_sent_this_month 0: within the allowance
      free_service -= free;
      left -= free;
      facts.service_sent_this_month = rules_then->free_service_per_number_month;
    } else if (*category == PriceCategory::kService && rules_then != nullptr) {
      facts.service_sent_this_month = rules_then->free_service_per_number_month;
    }
    builder.AddEligible(facts, left);
  }
  ForecastResult result;
  result.forecast = std::move(builder).Finish();
  result.source = "segment";
  result.category = std::string(campaign::PriceCategoryName(*category));
  result.at = at;
  result.price_version = pricing.version;
  return result;
}

}  // namespace herald::app
