// Internal to compliance/: the UTC offsets in effect in a group of time zones (one contact's zone,
// or every zone of a country) as a timeline of segments in which no offset changes.
//
// A segment is what quiet hours need: inside it each zone's local time is UTC plus a constant, so
// "allowed in every zone" is a periodic (daily) set, and the next allowed instant is found by
// looking one day ahead (quiet_hours.cc). For one zone a segment is date's sys_info (get_info is
// a binary search, ~20 ns). For several zones asking each zone on every check costs too much (the
// US has 29 zones), so the timeline is computed once, from 1970 on, when the group is built; only
// instants before 1970 are computed on the fly.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace date {
class time_zone;
}

namespace herald::compliance::detail {

// Distinct offsets a group may have at one instant (Russia has 11, Antarctica's stations more).
inline constexpr std::size_t kGateMaxGroupOffsets = 24;
inline constexpr std::int64_t kGateForever = INT64_MAX;

struct GateZoneSegment {
  std::int64_t begin_s = 0;  // Unix seconds, inclusive
  std::int64_t end_s = 0;    // exclusive; kGateForever for the last one
  std::array<std::int32_t, kGateMaxGroupOffsets> offsets_s{};  // distinct, ascending
  std::uint32_t offset_count = 0;

  std::span<const std::int32_t> offsets() const { return {offsets_s.data(), offset_count}; }
};

class GateZoneGroup {
 public:
  // `zones` must be non-empty and resolved from the tz database (they live as long as it does).
  explicit GateZoneGroup(std::vector<const date::time_zone*> zones);

  // The segment that contains `t_s`.
  GateZoneSegment SegmentAt(std::int64_t t_s) const;

  const std::vector<const date::time_zone*>& zones() const { return zones_; }
  std::string Label() const;  // "Europe/Berlin" or "America/New_York and 28 more"

 private:
  GateZoneSegment ComputeSegment(std::int64_t t_s) const;

  std::vector<const date::time_zone*> zones_;
  // Precomputed for several zones: begins ascending, contiguous, the last one open-ended.
  std::vector<std::int64_t> timeline_begins_;
  std::vector<GateZoneSegment> timeline_;
};

}  // namespace herald::compliance::detail
