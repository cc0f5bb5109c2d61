#pragma once
// Simulation against theory: an estimate over replications must hold the theory value within its
// 99.9% Student-t interval, and that interval must be tight, so that a check cannot pass because
// its interval is loose.

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <string>

#include "models/workflows/experiment.hpp"
#include "sim/quantile_histogram.hpp"

namespace capsim::testing {

/// The confidence of the intervals the statistical tests compare with theory.
inline constexpr double kConfidence = 0.999;

/// What a percentile may differ by besides the interval: the histogram's stated resolution.
inline double histogram_resolution(double theory) {
  return sim::QuantileHistogram::kRelativeError * theory;
}

/// Checks |mean - theory| <= the 99.9% half-width + `allowance` (a histogram's resolution, an
/// approximation's stated error), and half-width <= `max_relative_width` |theory|, for `metric`
/// of node `node` (nodes.size(): end to end).
inline void check_estimate(const models::RunResult& result, std::size_t node,
                           const std::string& metric, double theory, double max_relative_width,
                           double allowance = 0) {
  const sim::Estimate e = models::estimate_metric(result, node, metric, kConfidence);
  INFO(metric, " of node ", node, ": mean ", e.mean, " half-width ", e.half_width, " theory ",
       theory, " allowance ", allowance, " replications ", result.replications.size());
  CHECK(std::fabs(e.mean - theory) <= e.half_width + allowance);
  CHECK(e.half_width <= max_relative_width * std::fabs(theory));
}

}  // namespace capsim::testing
