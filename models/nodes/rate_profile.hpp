#pragma once
// Time-varying arrival rates: a rate profile lambda(t) and the non-homogeneous Poisson process
// it defines, generated exactly by thinning.

#include <cstdint>
#include <optional>
#include <vector>

#include "models/io/json_input.hpp"
#include "sim/rng.hpp"

namespace capsim::models {

/// A rate lambda(t) >= 0 in requests per second over simulated time t >= 0 (s), given by points
/// (t_i, r_i) with t_0 = 0 < t_1 < ... < t_n:
/// - piecewise constant: lambda(t) = r_i on [t_i, t_{i+1});
/// - piecewise linear: lambda(t) interpolates linearly between consecutive points.
/// After the last point the rate stays r_n. With a period P >= t_n the profile repeats:
/// lambda(t) = lambda(t mod P), the last rate holding on [t_n, P).
class RateProfile final {
 public:
  enum class Shape : std::uint8_t { piecewise_constant, piecewise_linear };

  struct Point {
    double time;  ///< s
    double rate;  ///< requests/s
  };

  /// A stretch of time on which the rate is rate + slope (t - start).
  struct Segment {
    double start = 0;   ///< s, within one period
    double end = 0;     ///< s, > start; infinite for the last segment of a profile without period
    double rate = 0;    ///< at start, requests/s
    double slope = 0;   ///< requests/s per s (0 for piecewise constant)
    double bound = 0;   ///< the largest rate on the segment: thinning's dominating rate
    double before = 0;  ///< expected arrivals in [0, start): the integral of the rate
  };

  /// Preconditions (checked by read_rate_profile): as described above, at least one point.
  RateProfile(Shape shape, const std::vector<Point>& points, std::optional<double> period);

  Shape shape() const { return shape_; }
  std::optional<double> period() const { return period_; }
  /// Segments of positive length, in time order, covering [0, period) or [0, infinity).
  const std::vector<Segment>& segments() const { return segments_; }

  /// lambda(t), t >= 0.
  double rate(double time) const;
  /// Expected number of arrivals in [from, to] (0 <= from <= to): the integral of lambda.
  double integral(double from, double to) const;
  /// Mean rate over a long time: integral over a period / period, or the last rate.
  double long_run_rate() const;

 private:
  // The integral from 0 to t.
  double cumulative(double time) const;
  // The same for 0 <= t <= period (or any t >= 0 without a period).
  double cumulative_within(double time) const;
  // The index of the segment holding t, 0 <= t <= period.
  std::size_t segment_at(double time) const;

  Shape shape_;
  std::optional<double> period_;
  std::vector<Segment> segments_;
  double per_period_ = 0;  // integral over one period (with a period)
};

/// Arrival times of the non-homogeneous Poisson process with a profile's rate, by thinning
/// (P. A. W. Lewis and G. S. Shedler, "Simulation of nonhomogeneous Poisson processes by
/// thinning", Naval Research Logistics Quarterly 26(3), 1979): on each segment, candidates
/// arrive as a Poisson process at the segment's largest rate (its bound) and each is kept with
/// probability lambda(t) / bound. Bounding per segment rather than by the global maximum keeps
/// most candidates: every candidate of a constant segment is kept (no acceptance draw at all),
/// and a linear one keeps at least min/max of its end rates. A candidate that would fall past
/// the segment's end is dropped and drawing restarts at the end, exact because exponential
/// gaps are memoryless. Segments with rate 0 are skipped without a draw.
class ProfileArrivals final {
 public:
  explicit ProfileArrivals(RateProfile profile) : profile_(std::move(profile)) {}

  /// The next arrival time (absolute, s) after the previous one; infinity when the rate is 0
  /// from then on. Expected O(1) draws per arrival; never allocates.
  double next(sim::Rng& rng);

 private:
  RateProfile profile_;
  std::size_t segment_ = 0;
  std::uint64_t cycle_ = 0;  // completed periods
  double time_ = 0;          // the last candidate or segment boundary, absolute
};

/// Reads {"shape": "piecewise_constant" | "piecewise_linear", "points": [[t, rate], ...],
/// "repeat": period}.
RateProfile read_rate_profile(const Json& value, const Where& where);

}  // namespace capsim::models
