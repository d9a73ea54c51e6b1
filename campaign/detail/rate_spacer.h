// The pacer's spacing of one business number's sends (campaign/pacer.h): a GCRA (generic cell
// rate algorithm, burst 1) at the current rate with a lateness credit, plus an exact check that
// the last second holds fewer grants than the rate allows.
//
// Why both. The GCRA keeps the long-run rate exact: a grant is due at the theoretical arrival
// time TAT, and the schedule advances by one interval per grant (TAT += interval, not now +
// interval) as long as the caller asks no later than `lateness_credit` after its turn, so a
// runner whose timer wakes a little late loses nothing. That credit lets the next grant come a
// little less than one interval after a late one; the window check (the grant ceil(rate) back must
// be at least one second old) makes sure that no half-open second [t, t + 1 s) ever holds more
// than ceil(rate) grants, which is what the platform counts (reference/whatsapp.md,
// "Throughput"). A caller later than the credit starts a new schedule from its own time.
//
// Intervals are whole nanoseconds rounded up (80/s and 1000/s are exact), so the spacing errs on
// the slow side by under 1 ns per grant.
//
// Thread rules: a plain value owned by the pacer; not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

namespace herald::campaign::detail {

class RateSpacer {
 public:
  using Time = std::chrono::steady_clock::time_point;

  // `max_rate` sizes the window of recent grants (ceil(max_rate) instants); `rate` <= max_rate.
  RateSpacer(double max_rate, double rate, std::chrono::nanoseconds lateness_credit);

  // A new ceiling (the number's level changed): the window of recent grants grows to it (and
  // never shrinks).
  void SetMaxRate(double max_rate);
  // A new rate (<= max rate): the next turn is the last scheduled grant plus the new interval.
  void SetRate(double rate);

  double rate() const { return rate_; }
  std::chrono::nanoseconds interval() const { return interval_; }

  // The earliest instant at which Grant is allowed.
  Time NextGrant() const;
  // Records a grant at `now`; the caller checked now >= NextGrant().
  void Grant(Time now);
  // How many grants in a row would be allowed at `now` (for metrics; O(rate)).
  std::size_t Available(Time now) const;

 private:
  std::size_t WindowCap() const;
  Time NthNewest(std::size_t n) const;  // n >= 1, n <= filled_

  double rate_;
  std::chrono::nanoseconds interval_;
  std::chrono::nanoseconds lateness_credit_;
  bool has_grant_ = false;
  Time tat_{};                // theoretical arrival time of the next grant on schedule
  std::vector<Time> recent_;  // ring of the newest grants
  std::size_t head_ = 0;      // next slot to write
  std::size_t filled_ = 0;
};

}  // namespace herald::campaign::detail
