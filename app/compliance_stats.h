// app/compliance_stats.h: what the compliance service reports in /metrics and /v1/status.
#pragma once

#include <cstdint>

namespace herald::app {

struct ComplianceStats {
  std::uint64_t activations = 0;          // word filters built and swapped in
  std::uint64_t activation_failures = 0;  // builds that failed (the old filter stayed)
  double last_activation_ms = 0;          // load + compile of the last activation
  std::uint64_t word_lists = 0;
  std::uint64_t word_terms = 0;
  std::uint64_t templates = 0;
  std::uint64_t templates_invalid = 0;  // stored templates the catalog could not compile
  std::uint64_t dfa_fallbacks = 0;      // of the active filter (compliance::WordFilter)
};

}  // namespace herald::app
