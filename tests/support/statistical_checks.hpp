#pragma once
// Simulation against theory: an estimate over replications must hold the theory value within its
// 99.9% Student-t interval, and that interval must be tight, so that a check cannot pass because
// its interval is loose.
//
// How tight: where theory gives the standard deviation sigma of one replication's estimate
// (StandardError), the half-width is t_{R-1, 0.9995} s / sqrt(R) with (R - 1) s^2 / sigma^2
// chi-squared with R - 1 degrees of freedom, so the cap
//   t_{R-1, 0.9995} sqrt(chi2_{R-1, 1 - kCapFalseAlarm} / (R - 1)) sigma / sqrt(R)
// is exceeded with probability kCapFalseAlarm when the simulation behaves as the model says, and
// most of the time when its replications are noisier than that (a bug that adds variance, a
// warm-up too short, an estimator that wastes data). Where no theory gives sigma, the cap is a
// DetectionGoal: a stated relative bias the check must be able to detect.

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <string>

#include "models/workflows/experiment.hpp"
#include "sim/chi_squared.hpp"
#include "sim/quantile_histogram.hpp"
#include "sim/student_t.hpp"

namespace capsim::testing {

/// The confidence of the intervals the statistical tests compare with theory.
inline constexpr double kConfidence = 0.999;
/// The probability that a cap derived from a standard error fails a correct simulation.
inline constexpr double kCapFalseAlarm = 1e-4;

/// What a percentile may differ by besides the interval: the histogram's stated resolution.
inline double histogram_resolution(double theory) {
  return sim::QuantileHistogram::kRelativeError * theory;
}

/// The standard deviation of one replication's estimate under correct behaviour, from theory.
struct StandardError {
  double per_replication = 0;
};

/// A rate or time average over a window of `duration` s whose variance is about
/// variance_rate / duration (an asymptotic variance from sim/analytic/estimator_variance.hpp).
inline StandardError asymptotic(double variance_rate, double duration) {
  return {std::sqrt(variance_rate / duration)};
}
/// The count of a Poisson process with mean `mean` over the window: variance = mean.
inline StandardError poisson_count(double mean) {
  return {std::sqrt(mean)};
}
/// The rate of a Poisson process over a window of `duration` s: variance rate / duration.
inline StandardError poisson_rate(double rate, double duration) {
  return asymptotic(rate, duration);
}
/// The fraction of `trials` independent Bernoulli(p) trials: p (1 - p) / trials (for a random
/// number of trials, its mean: the error is of order 1 / trials).
inline StandardError bernoulli_fraction(double p, double trials) {
  return {std::sqrt(p * (1 - p) / trials)};
}

/// Where no theory gives the spread (an approximation, a network that is not a birth-death
/// chain, a cache with state, a percentile): the half-width is capped at half of
/// `relative_bias` |theory|, so that a bias of relative_bias is detected. A goal chosen for the
/// test, not a tolerance: the check on the mean stays the interval.
struct DetectionGoal {
  double relative_bias = 0;
};

/// The half-width that correct behaviour exceeds with probability kCapFalseAlarm.
inline double half_width_cap(StandardError error, std::size_t replications) {
  const auto r = static_cast<double>(replications);
  const double df = r - 1;
  return sim::student_t_quantile(0.5 + kConfidence / 2, df) *
         std::sqrt(sim::chi_squared_quantile(1 - kCapFalseAlarm, df) / df) * error.per_replication /
         std::sqrt(r);
}
inline double half_width_cap(DetectionGoal goal, double theory) {
  return goal.relative_bias / 2 * std::fabs(theory);
}

/// The two findings of a check: the mean within the interval (+ allowance), the interval within
/// its cap.
struct Verdict {
  sim::Estimate estimate;
  double cap = 0;
  bool agrees = false;
  bool tight = false;
};

inline Verdict judge(const sim::Estimate& e, double theory, double cap, double allowance) {
  return {e, cap, std::fabs(e.mean - theory) <= e.half_width + allowance, e.half_width <= cap};
}

inline void check_verdict(const Verdict& v, double theory, double allowance) {
  const sim::Estimate& e = v.estimate;
  INFO("mean ", e.mean, " half-width ", e.half_width, " theory ", theory, " allowance ", allowance,
       " cap ", v.cap, " (half-width / cap ", e.half_width / v.cap, ") replications ",
       e.replications);
  CHECK(v.agrees);
  CHECK(v.tight);
}

/// The estimate of `metric` of node `node` (nodes.size(): end to end).
inline sim::Estimate estimate_of(const models::RunResult& result, std::size_t node,
                                 const std::string& metric) {
  return models::estimate_metric(result, node, metric, kConfidence);
}

/// Checks |mean - theory| <= the 99.9% half-width + `allowance` (a histogram's resolution, an
/// approximation's stated error), and half-width <= half_width_cap(error, R).
inline void check_estimate(const models::RunResult& result, std::size_t node,
                           const std::string& metric, double theory, StandardError error,
                           double allowance = 0) {
  const sim::Estimate e = estimate_of(result, node, metric);
  INFO(metric, " of node ", node, ": standard error per replication ", error.per_replication);
  check_verdict(judge(e, theory, half_width_cap(error, e.replications), allowance), theory,
                allowance);
}

/// The same with the cap a detection goal: half-width <= relative_bias / 2 |theory|.
inline void check_estimate(const models::RunResult& result, std::size_t node,
                           const std::string& metric, double theory, DetectionGoal goal,
                           double allowance = 0) {
  const sim::Estimate e = estimate_of(result, node, metric);
  INFO(metric, " of node ", node, ": detection goal, a relative bias of ", goal.relative_bias);
  check_verdict(judge(e, theory, half_width_cap(goal, theory), allowance), theory, allowance);
}

}  // namespace capsim::testing
