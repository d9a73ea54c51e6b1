// storage/template_repository.h: message templates as the platform knows them (name, language,
// category, review status, components), kept so the compliance gate and campaigns can check a
// template without asking the platform. Written by template sync and the status webhook.
//
// Thread rules: as ContactRepository (one per unit of work). Each write runs
// inside a savepoint: the row and its audit entry are written together or not at all.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"

namespace herald::storage {

// A template as the platform describes it. Text fields use the platform's spelling.
struct TemplateRecord {
  std::string name;             // "welcome_offer"
  std::string language;         // "de", "en_US"
  std::string category;         // "MARKETING", "UTILITY" or "AUTHENTICATION"
  std::string status;           // "APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", …
  std::string components_json;  // the platform's components array, as JSON text
  std::string platform_id;      // the platform's template id; empty when not known

  bool operator==(const TemplateRecord&) const = default;
};

struct StoredTemplate {
  TemplateId id;
  TemplateRecord record;
  std::optional<SysTime> synced_at;  // last Upsert (a sync from the platform)
};

enum class TemplateUpsertOutcome { kCreated, kUpdated, kUnchanged };

class TemplateRepository {
 public:
  virtual ~TemplateRepository() = default;

  // Creates the template or replaces the one with the same name and language, and records `now`
  // as its sync time. Audited as template.upsert when something changed (a sync that finds the
  // template as stored writes no audit entry). kInvalidArgument naming the field for an empty
  // name or language, an unknown category, a status that is not upper-case letters and '_', or
  // components that are not a JSON array; `actor` must not be blank.
  virtual Result<TemplateUpsertOutcome> Upsert(const TemplateRecord& record, std::string_view actor,
                                               SysTime now) = 0;

  virtual Result<std::optional<StoredTemplate>> Find(std::string_view name,
                                                     std::string_view language) = 0;
  // Every template, ordered by name, then language.
  virtual Result<std::vector<StoredTemplate>> List() = 0;

  // Sets the review status (the platform's status webhook). kNotFound when there is no such
  // template. True when the status changed; then audited as template.status with the old and new
  // status and `reason` (e.g. the platform's rejection reason, may be empty).
  virtual Result<bool> SetStatus(std::string_view name, std::string_view language,
                                 std::string_view status, std::string_view actor,
                                 std::string_view reason, SysTime now) = 0;
};

}  // namespace herald::storage
