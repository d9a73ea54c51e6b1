// Consent and opt-out: who may receive which kind of message (issue 4, item 2).
//
// A message has a purpose. Marketing needs the contact's marketing consent, utility needs utility
// consent, authentication codes (requested by the user) and service replies need none. An
// opt-out beats everything: an opted-out contact receives nothing, not even a code or a reply.
//
// Thread rules: plain values and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "common/result.h"

namespace herald::compliance {

enum class MessagePurpose {
  kMarketing,       // promotions: marketing consent, quiet hours and frequency caps apply
  kUtility,         // updates about something the user did: utility consent
  kAuthentication,  // one-time codes the user asked for: no consent, opt-out still applies
  kService,         // a free-form reply inside the customer service window: no consent
};

std::string_view MessagePurposeName(MessagePurpose purpose);  // "marketing", "utility", ...
Result<MessagePurpose> ParseMessagePurpose(std::string_view name);

// The stricter of two purposes (marketing > utility > authentication > service): a caller may
// declare a stricter purpose than a template's category, never a looser one.
MessagePurpose StricterPurpose(MessagePurpose a, MessagePurpose b);

// A small set of purposes, e.g. those that quiet hours apply to.
class PurposeSet {
 public:
  constexpr PurposeSet() = default;
  constexpr PurposeSet(std::initializer_list<MessagePurpose> purposes) {
    for (MessagePurpose purpose : purposes) bits_ |= Bit(purpose);
  }
  constexpr bool Contains(MessagePurpose purpose) const { return (bits_ & Bit(purpose)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const PurposeSet&) const = default;

 private:
  static constexpr std::uint8_t Bit(MessagePurpose purpose) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(purpose));
  }
  std::uint8_t bits_ = 0;
};

// What is recorded about a contact's consents (storage keeps time and source; the gate needs
// only the current answer).
struct ConsentState {
  bool opted_out = false;
  bool marketing = false;
  bool utility = false;
};

enum class ConsentOutcome {
  kAllowed,
  kOptedOut,
  kNoMarketingConsent,
  kNoUtilityConsent,
};

// Opt-out first, then the consent the purpose needs.
ConsentOutcome CheckConsent(const ConsentState& state, MessagePurpose purpose);

}  // namespace herald::compliance
