// storage/sender_repository.h: business portfolios and their sender numbers (issue 16, item 1).
// A portfolio holds the messaging-limit tier (unique users per moving 24 h, shared by its
// numbers) and an account restriction; a sender is one business phone number with its
// throughput level, quality and state. Values are stored as given: validation (tier names,
// quality and state spellings, throughput bounds) belongs to the sender service.
//
// Every change is audited in the same transaction, with its actor.
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"

namespace herald::storage {

struct PortfolioRecord {
  std::int64_t id = 0;
  std::string name{};
  std::string messaging_tier = "TIER_250";
  std::optional<SysTime> restricted_until{};
  std::string restriction_type{};  // empty when not restricted
  SysTime created_at{};
  SysTime updated_at{};
};

struct SenderRecord {
  SenderId id;
  std::string phone_number_id;
  std::string display_phone_number;
  std::string portfolio;  // the portfolio's name
  double throughput_per_s = 80;
  std::string quality = "UNKNOWN";
  std::string state = "active";  // active, paused, disabled
  std::string state_reason;      // why paused or disabled; may be empty
  std::optional<SysTime> warmup_started_at;
  SysTime created_at{};
  SysTime updated_at{};
};

// What changed and why, for the audit log.
struct Change {
  std::string_view actor;
  std::string_view reason;  // may be empty
  SysTime at;
};

class SenderRepository {
 public:
  virtual ~SenderRepository() = default;

  virtual Result<std::vector<PortfolioRecord>> ListPortfolios() = 0;
  virtual Result<std::optional<PortfolioRecord>> FindPortfolio(std::string_view name) = 0;
  // Creates the portfolio, or updates its tier and restriction when it exists; audited.
  virtual Status SavePortfolio(const PortfolioRecord& portfolio, const Change& change) = 0;

  // Every sender, ordered by phone_number_id.
  virtual Result<std::vector<SenderRecord>> List() = 0;
  virtual Result<std::optional<SenderRecord>> Find(std::string_view phone_number_id) = 0;
  virtual Result<std::optional<SenderRecord>> FindById(SenderId id) = 0;
  // kAlreadyExists (field phone_number_id) when the number is known; kNotFound (field portfolio)
  // when the portfolio does not exist. Returns the new id; audited.
  virtual Result<SenderId> Insert(const SenderRecord& sender, const Change& change) = 0;
  // Replaces every field but id, phone_number_id and created_at; kNotFound when unknown;
  // audited with `action` ("sender.update", "sender.pause", …).
  virtual Status Update(const SenderRecord& sender, std::string_view action,
                        const Change& change) = 0;
};

}  // namespace herald::storage
