#include "common/purpose.h"

#include <string>

namespace herald {

std::string_view PurposeName(Purpose purpose) {
  switch (purpose) {
    case Purpose::kMarketing:
      return "marketing";
    case Purpose::kUtility:
      return "utility";
    case Purpose::kAuthentication:
      return "authentication";
    case Purpose::kService:
      return "service";
  }
  return "unknown";
}

Result<Purpose> ParsePurpose(std::string_view name) {
  for (Purpose purpose : kAllPurposes) {
    if (PurposeName(purpose) == name) return purpose;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown purpose \"" + std::string(name) +
                       "\" (expected marketing, utility, authentication or service)");
}

}  // namespace herald
