// storage/campaign_repository.h: campaigns (issue 16, item 2). The content (template and its
// parameters, or a text) is stored as the JSON the campaign service built; what it means belongs
// to the service and campaign/. States: draft → scheduled → running ⇄ paused → completed |
// cancelled | expired; every transition is audited with its actor and reason.
//
// Thread rules: as ContactRepository (one per unit of work).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "storage/sender_repository.h"

namespace herald::storage {

struct CampaignRecord {
  CampaignId id{};
  std::string name{};
  std::string segment{};       // as given: an expression or a saved segment's name
  std::string content_json{};  // {"template":{…}} or {"text":"…"}
  std::string state = "draft";
  std::string state_reason{};
  std::optional<SysTime> start_at{};
  std::string timezone{};    // for start_at given as a local time; may be empty
  std::string local_time{};  // "10:00" in each recipient's zone, or empty
  std::optional<SysTime> end_by{};
  std::optional<std::int64_t> spend_cap_micros{};
  std::string currency = "USD";
  std::optional<std::int64_t> audience_size{};  // set once the audience is fully written
  std::vector<SenderId> senders{};              // empty: every active sender
  std::string created_by{};
  SysTime created_at{};
  SysTime updated_at{};
  std::optional<SysTime> started_at{};
  std::optional<SysTime> finished_at{};
};

class CampaignRepository {
 public:
  virtual ~CampaignRepository() = default;

  // Stores a new campaign (its id is ignored) with its senders; audited "campaign.create".
  virtual Result<CampaignId> Insert(const CampaignRecord& campaign, const Change& change) = 0;
  virtual Result<std::optional<CampaignRecord>> Find(CampaignId id) = 0;
  // Newest first; `state` empty: every state.
  virtual Result<std::vector<CampaignRecord>> List(std::string_view state) = 0;

  // Moves the campaign from one of `from` to `to` with `reason`; kNotFound when unknown,
  // kFailedPrecondition (field "state", naming the current state) when it is in another state.
  // Entering "running" the first time sets started_at; entering a final state sets finished_at.
  // Audited "campaign.<to>".
  virtual Status Transition(CampaignId id, std::span<const std::string_view> from,
                            std::string_view to, const Change& change) = 0;
  virtual Status SetAudienceSize(CampaignId id, std::int64_t size, SysTime now) = 0;
};

}  // namespace herald::storage
