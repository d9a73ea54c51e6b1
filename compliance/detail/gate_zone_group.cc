#include "compliance/detail/gate_zone_group.h"

#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace herald::compliance::detail {
namespace {

// 1970-01-01: zone1970.tab groups zones that agree since then; earlier instants are computed.
constexpr std::int64_t kTimelineStart_s = 0;
// date's last sys_info ends far in the future (tzdata stops listing transitions in 2037).
constexpr std::int64_t kFarFuture_s = 253402300800;  // 10000-01-01

}  // namespace

GateZoneGroup::GateZoneGroup(std::vector<const date::time_zone*> zones) : zones_(std::move(zones)) {
  if (zones_.empty()) throw std::logic_error("GateZoneGroup needs at least one zone");
  if (zones_.size() == 1) return;
  std::int64_t t = kTimelineStart_s;
  while (true) {
    GateZoneSegment segment = ComputeSegment(t);
    segment.begin_s = t;  // the first one may begin before 1970
    timeline_begins_.push_back(segment.begin_s);
    timeline_.push_back(segment);
    if (segment.end_s == kGateForever) break;
    t = segment.end_s;
  }
}

GateZoneSegment GateZoneGroup::ComputeSegment(std::int64_t t_s) const {
  GateZoneSegment segment;
  segment.begin_s = INT64_MIN;
  segment.end_s = kGateForever;
  const date::sys_seconds at{std::chrono::seconds(t_s)};
  for (const date::time_zone* zone : zones_) {
    const date::sys_info info = zone->get_info(at);
    segment.begin_s =
        std::max<std::int64_t>(segment.begin_s, info.begin.time_since_epoch().count());
    const std::int64_t end = info.end.time_since_epoch().count();
    if (end < kFarFuture_s) segment.end_s = std::min(segment.end_s, end);
    const auto offset = static_cast<std::int32_t>(info.offset.count());
    auto first = segment.offsets_s.begin();
    auto last = first + segment.offset_count;
    auto place = std::lower_bound(first, last, offset);
    if (place != last && *place == offset) continue;
    if (segment.offset_count == kGateMaxGroupOffsets) {
      throw std::length_error("too many distinct UTC offsets in one zone group");
    }
    std::copy_backward(place, last, last + 1);
    *place = offset;
    ++segment.offset_count;
  }
  return segment;
}

GateZoneSegment GateZoneGroup::SegmentAt(std::int64_t t_s) const {
  if (timeline_.empty() || t_s < timeline_begins_.front()) return ComputeSegment(t_s);
  auto after = std::upper_bound(timeline_begins_.begin(), timeline_begins_.end(), t_s);
  return timeline_[static_cast<std::size_t>(after - timeline_begins_.begin()) - 1];
}

std::string GateZoneGroup::Label() const {
  std::string label = zones_.front()->name();
  if (zones_.size() > 1) label += " and " + std::to_string(zones_.size() - 1) + " more";
  return label;
}

}  // namespace herald::compliance::detail
