#include "campaign/detail/rate_spacer.h"

#include <algorithm>
#include <cmath>

namespace herald::campaign::detail {
namespace {

using std::chrono::nanoseconds;
constexpr nanoseconds kSecond = std::chrono::seconds(1);

// Rounded up, except that a quotient within 0.001 ns above a whole number is that number
// (1e9 / (20.0 / 60) is 3000000000.0000005 in doubles).
nanoseconds IntervalOf(double rate) {
  return nanoseconds(static_cast<std::int64_t>(std::ceil(1e9 / rate - 1e-3)));
}

// ceil(rate), robust against a rate that is an integer up to rounding (80.0000000001 -> 80).
std::size_t CeilCount(double rate) {
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(rate - 1e-9)));
}

}  // namespace

RateSpacer::RateSpacer(double max_rate, double rate, nanoseconds lateness_credit)
    : rate_(rate),
      interval_(IntervalOf(rate)),
      lateness_credit_(lateness_credit),
      recent_(CeilCount(max_rate)) {}

void RateSpacer::SetMaxRate(double max_rate) {
  // Never shrinks: after a lower level and a higher one again, the window check needs the grants
  // of the last second at the higher level.
  const std::size_t size = CeilCount(max_rate);
  if (size <= recent_.size()) return;
  std::vector<Time> grown(size);
  for (std::size_t i = 0; i < filled_; ++i) grown[filled_ - 1 - i] = NthNewest(i + 1);
  recent_ = std::move(grown);
  head_ = filled_;
}

void RateSpacer::SetRate(double rate) {
  const nanoseconds interval = IntervalOf(rate);
  if (has_grant_) tat_ = tat_ - interval_ + interval;
  rate_ = rate;
  interval_ = interval;
}

std::size_t RateSpacer::WindowCap() const { return std::min(CeilCount(rate_), recent_.size()); }

RateSpacer::Time RateSpacer::NthNewest(std::size_t n) const {
  return recent_[(head_ + recent_.size() - n) % recent_.size()];
}

RateSpacer::Time RateSpacer::NextGrant() const {
  if (!has_grant_) return Time::min();
  Time next = tat_;
  const std::size_t cap = WindowCap();
  if (filled_ >= cap) next = std::max(next, NthNewest(cap) + kSecond);
  return next;
}

void RateSpacer::Grant(Time now) {
  tat_ = (has_grant_ ? std::max(tat_, now - lateness_credit_) : now) + interval_;
  has_grant_ = true;
  recent_[head_] = now;
  head_ = head_ + 1 == recent_.size() ? 0 : head_ + 1;
  filled_ = std::min(filled_ + 1, recent_.size());
}

std::size_t RateSpacer::Available(Time now) const {
  // Each grant at `now` moves the schedule to max(TAT, now - credit) + interval.
  std::size_t by_schedule = 0;
  if (!has_grant_ || now >= tat_) {
    const Time first = has_grant_ ? std::max(tat_, now - lateness_credit_) : now;
    by_schedule = 1 + static_cast<std::size_t>((now - first) / interval_);
  }
  std::size_t in_last_second = 0;
  for (std::size_t n = 1; n <= filled_; ++n) {
    if (NthNewest(n) + kSecond <= now) break;
    ++in_last_second;
  }
  const std::size_t cap = WindowCap();
  const std::size_t by_window = in_last_second >= cap ? 0 : cap - in_last_second;
  return std::min(by_schedule, by_window);
}

}  // namespace herald::campaign::detail
