// Readers for the [provider] tables' values (the schema in schema.cc says which key uses which).
// Internal to config/.
#pragma once

#include <array>
#include <string_view>

#include "config/config.h"
#include "config/detail/field.h"

namespace herald::config::detail {

// In the order of the ProviderKind enumerators.
inline constexpr std::array<std::string_view, 2> kProviderKindNames{"sandbox", "cloud_api"};

void ReadProviderKind(const Field& field, Config& config);
void ReadCloudApiBaseUrl(const Field& field, Config& config);
void ReadCloudApiVersion(const Field& field, Config& config);
void ReadCloudApiTokenFile(const Field& field, Config& config);
void ReadCloudApiMaxInFlight(const Field& field, Config& config);
void ReadCloudApiRequestTimeout(const Field& field, Config& config);
void ReadCloudApiConnectTimeout(const Field& field, Config& config);

void ReadSandboxSeed(const Field& field, Config& config);
void ReadSandboxLatency(const Field& field, Config& config);
void ReadSandboxThroughput(const Field& field, Config& config);
void ReadSandboxPairInterval(const Field& field, Config& config);
void ReadSandboxStatusDelay(const Field& field, Config& config);
// A fraction from 0 to 1 (a TOML float, or the integers 0 and 1) into `out`.
void ReadRate(const Field& field, double& out);

}  // namespace herald::config::detail
