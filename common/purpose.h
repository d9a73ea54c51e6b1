// common/purpose.h: why a message is sent, which decides the consent it needs (compliance), the
// consent a contact gives (storage, contacts) and what a segment's opted_in: term asks for
// (campaign). One enum for all of them, so that a purpose means the same thing everywhere.
//
// Contacts give consent for kMarketing and kUtility only; kAuthentication (one-time codes the
// user asked for) and kService (a free-form reply inside the customer service window) need none.
//
// Thread rules: values and pure functions; safe from any thread.
#pragma once

#include <array>
#include <string_view>

#include "common/result.h"

namespace herald {

enum class Purpose {
  kMarketing,       // promotions: marketing consent, quiet hours and frequency caps apply
  kUtility,         // updates about something the user did: utility consent
  kAuthentication,  // one-time codes the user asked for: no consent, opt-out still applies
  kService,         // a free-form reply inside the customer service window: no consent
};

inline constexpr std::array<Purpose, 4> kAllPurposes = {
    Purpose::kMarketing, Purpose::kUtility, Purpose::kAuthentication, Purpose::kService};

// "marketing", "utility", "authentication", "service": in the API, the config, the database and
// segment expressions.
std::string_view PurposeName(Purpose purpose);
// The inverse of PurposeName (exact, lower case); kInvalidArgument naming the expected names.
Result<Purpose> ParsePurpose(std::string_view name);

}  // namespace herald
