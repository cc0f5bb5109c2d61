#pragma once
// Quantiles of the normal and Student-t distributions, for confidence intervals.

namespace capsim::sim {

/// Standard normal quantile, 0 < p < 1 (Acklam's rational approximation refined by one Halley
/// step).
double normal_quantile(double p);
/// Student-t cumulative distribution function with df > 0 degrees of freedom.
double student_t_cdf(double t, double df);
/// Student-t quantile, 0 < p < 1, df > 0; accurate to about 1e-10.
double student_t_quantile(double p, double df);

}  // namespace capsim::sim
