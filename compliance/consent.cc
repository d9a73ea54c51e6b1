#include "compliance/consent.h"

#include <string>

namespace herald::compliance {
namespace {

int Strictness(Purpose purpose) {
  switch (purpose) {
    case Purpose::kMarketing:
      return 3;
    case Purpose::kUtility:
      return 2;
    case Purpose::kAuthentication:
      return 1;
    case Purpose::kService:
      return 0;
  }
  return 3;
}

}  // namespace

Purpose StricterPurpose(Purpose a, Purpose b) { return Strictness(a) >= Strictness(b) ? a : b; }

ConsentOutcome CheckConsent(const ConsentState& state, Purpose purpose) {
  if (state.opted_out) return ConsentOutcome::kOptedOut;
  switch (purpose) {
    case Purpose::kMarketing:
      return state.marketing ? ConsentOutcome::kAllowed : ConsentOutcome::kNoMarketingConsent;
    case Purpose::kUtility:
      return state.utility ? ConsentOutcome::kAllowed : ConsentOutcome::kNoUtilityConsent;
    case Purpose::kAuthentication:
    case Purpose::kService:
      return ConsentOutcome::kAllowed;
  }
  return ConsentOutcome::kNoMarketingConsent;
}

}  // namespace herald::compliance
