// common/constant_time.h: comparing secrets (tokens, verify tokens) in time that does not depend on
// where they differ, nor on their lengths.
//
// Thread rules: pure; any thread.
#pragma once

#include <string_view>

namespace herald {

bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace herald
