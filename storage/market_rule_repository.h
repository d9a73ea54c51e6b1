// storage/market_rule_repository.h: the platform's market rules as effective-dated data (issue
// 16, item 6; reference/whatsapp.md, "US marketing pause"): a message of a category to a market
// is not sent while the rule is in force. Seeded by the schema with the rules known when it was
// written; edited as data, never as code.
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace herald::storage {

struct MarketRuleRecord {
  std::string market;           // ISO 3166-1 alpha-2
  std::string category;         // marketing, utility, authentication, service
  std::string effective_from;   // YYYY-MM-DD (UTC), inclusive
  std::string effective_until;  // YYYY-MM-DD, exclusive; empty: open-ended
  std::string reason;           // e.g. us_marketing_pause
  std::optional<std::int64_t> platform_error;
  std::string source;
};

class MarketRuleRepository {
 public:
  virtual ~MarketRuleRepository() = default;
  virtual Result<std::vector<MarketRuleRecord>> List() = 0;
};

}  // namespace herald::storage
