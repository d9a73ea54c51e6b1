// Reading the [hooks.<name>] tables: the endpoints of the outbound event hooks (docs/hooks.md).
// Internal to config/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/detail/field.h"

namespace herald::config::detail {

// One endpoint: `field` is the table [hooks.<name>], `name` its name.
void ReadHookEndpoint(const Field& field, std::string_view name, Config& config);
// The default config has no endpoints.
std::vector<std::string> NoHookEndpoints();

}  // namespace herald::config::detail
