#include "campaign/forecast.h"

namespace herald::campaign {

ForecastBuilder::ForecastBuilder(const PriceTable& prices, const PricingRuleBook& rules)
    : prices_(prices), rules_(rules) {
  forecast_.currency = prices.currency();
}

void ForecastBuilder::AddEligible(const MessageFacts& facts, std::int64_t count) {
  if (count <= 0) return;
  const CostEstimate estimate = EstimateCost(prices_, rules_, facts);
  AddEstimated(facts.country, PriceCategoryName(estimate.billed_as), CostBasisName(estimate.basis),
               estimate.billable, count, estimate.cost_micros * count);
}

void ForecastBuilder::AddSkipped(std::string_view country, std::string_view reason,
                                 std::int64_t count) {
  if (count <= 0) return;
  forecast_.total.recipients += count;
  forecast_.by_country[std::string(country)].recipients += count;
  forecast_.skipped[std::string(reason)] += count;
}

void ForecastBuilder::AddEstimated(std::string_view country, std::string_view category,
                                   std::string_view basis, bool billable, std::int64_t count,
                                   std::int64_t cost_micros) {
  if (count <= 0) return;
  const bool unpriced =
      basis == CostBasisName(CostBasis::kNoPrice) || basis == CostBasisName(CostBasis::kNoRules);
  for (ForecastLine* line : {&forecast_.total, &forecast_.by_country[std::string(country)],
                             &forecast_.by_category[std::string(category)]}) {
    line->recipients += count;
    line->eligible += count;
    if (billable) line->billable += count;
    if (unpriced) line->unpriced += count;
    line->cost_micros += cost_micros;
  }
  // A category line counts eligible recipients only: the skipped ones have no category.
  forecast_.by_basis[std::string(basis)] += count;
}

Forecast ForecastBuilder::Finish() && { return std::move(forecast_); }

}  // namespace herald::campaign
