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

#include "common/purpose.h"
#include "common/result.h"

namespace herald::compliance {

// Purpose, PurposeName and ParsePurpose: common/purpose.h.

// The stricter of two purposes (marketing > utility > authentication > service): a caller may
// declare a stricter purpose than a template's category, never a looser one.
Purpose StricterPurpose(Purpose a, Purpose b);

// A small set of purposes, e.g. those that quiet hours apply to.
class PurposeSet {
 public:
  constexpr PurposeSet() = default;
  constexpr PurposeSet(std::initializer_list<Purpose> purposes) {
    for (Purpose purpose : purposes) bits_ |= Bit(purpose);
  }
  constexpr bool Contains(Purpose purpose) const { return (bits_ & Bit(purpose)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const PurposeSet&) const = default;

 private:
  static constexpr std::uint8_t Bit(Purpose purpose) {
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
ConsentOutcome CheckConsent(const ConsentState& state, Purpose purpose);

}  // namespace herald::compliance
