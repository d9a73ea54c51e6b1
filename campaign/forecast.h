// campaign/forecast.h: what a campaign will cost before anything is sent (issue 18, item 4):
// recipients, those eligible after consent, opt-outs and the platform's market rules, those
// billable, and the cost per country and category, from the estimates of campaign/pricing.h.
//
// The builder takes recipients in groups that share every fact an estimate depends on (a
// country's recipients with no window open at the planned time are one group), so a forecast of
// a million recipients costs one estimate per group, not per recipient.
//
// Thread rules: a ForecastBuilder is used by one thread; the result is a plain value.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/pricing.h"

namespace herald::campaign {

struct ForecastLine {
  std::int64_t recipients = 0;
  std::int64_t eligible = 0;
  std::int64_t billable = 0;
  std::int64_t cost_micros = 0;
  std::int64_t unpriced = 0;  // billable with no rate for their market (cost unknown)
};

struct Forecast {
  ForecastLine total;
  std::string currency = "USD";
  std::map<std::string, ForecastLine> by_country;   // "" = unknown country
  std::map<std::string, ForecastLine> by_category;  // the category billed
  std::map<std::string, std::int64_t> skipped;      // reason -> recipients not eligible
  std::map<std::string, std::int64_t> by_basis;     // CostBasisName -> eligible recipients
};

class ForecastBuilder {
 public:
  ForecastBuilder(const PriceTable& prices, const PricingRuleBook& rules);

  // `count` eligible recipients sharing `facts`.
  void AddEligible(const MessageFacts& facts, std::int64_t count);
  // `count` recipients in `country` that will not be sent to, and why ("opted_out",
  // "no_consent:marketing", "market:us_marketing_pause", …).
  void AddSkipped(std::string_view country, std::string_view reason, std::int64_t count);
  // Already-estimated recipients (a campaign's deliveries): `count` with these values.
  void AddEstimated(std::string_view country, std::string_view category, std::string_view basis,
                    bool billable, std::int64_t count, std::int64_t cost_micros);

  Forecast Finish() &&;

 private:
  const PriceTable& prices_;
  const PricingRuleBook& rules_;
  Forecast forecast_;
};

}  // namespace herald::campaign
