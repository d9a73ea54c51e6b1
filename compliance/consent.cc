#include "compliance/consent.h"

#include <string>

namespace herald::compliance {
namespace {

int Strictness(MessagePurpose purpose) {
  switch (purpose) {
    case MessagePurpose::kMarketing:
      return 3;
    case MessagePurpose::kUtility:
      return 2;
    case MessagePurpose::kAuthentication:
      return 1;
    case MessagePurpose::kService:
      return 0;
  }
  return 3;
}

}  // namespace

std::string_view MessagePurposeName(MessagePurpose purpose) {
  switch (purpose) {
    case MessagePurpose::kMarketing:
      return "marketing";
    case MessagePurpose::kUtility:
      return "utility";
    case MessagePurpose::kAuthentication:
      return "authentication";
    case MessagePurpose::kService:
      return "service";
  }
  return "unknown";
}

Result<MessagePurpose> ParseMessagePurpose(std::string_view name) {
  for (MessagePurpose purpose : {MessagePurpose::kMarketing, MessagePurpose::kUtility,
                                 MessagePurpose::kAuthentication, MessagePurpose::kService}) {
    if (MessagePurposeName(purpose) == name) return purpose;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown purpose \"" + std::string(name) +
                       "\" (expected marketing, utility, authentication or service)");
}

MessagePurpose StricterPurpose(MessagePurpose a, MessagePurpose b) {
  return Strictness(a) >= Strictness(b) ? a : b;
}

ConsentOutcome CheckConsent(const ConsentState& state, MessagePurpose purpose) {
  if (state.opted_out) return ConsentOutcome::kOptedOut;
  switch (purpose) {
    case MessagePurpose::kMarketing:
      return state.marketing ? ConsentOutcome::kAllowed : ConsentOutcome::kNoMarketingConsent;
    case MessagePurpose::kUtility:
      return state.utility ? ConsentOutcome::kAllowed : ConsentOutcome::kNoUtilityConsent;
    case MessagePurpose::kAuthentication:
    case MessagePurpose::kService:
      return ConsentOutcome::kAllowed;
  }
  return ConsentOutcome::kNoMarketingConsent;
}

}  // namespace herald::compliance
