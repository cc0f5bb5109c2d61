#pragma once
// The chi-squared distribution, for the spread of a sample variance: with n independent normal
// values of variance sigma^2, (n - 1) s^2 / sigma^2 is chi-squared with n - 1 degrees of freedom.

namespace capsim::sim {

/// P(X <= x) for X chi-squared with df > 0 degrees of freedom, x >= 0: the regularized lower
/// incomplete gamma function P(df / 2, x / 2), by its series below a + 1 and its continued
/// fraction above (Press, Teukolsky, Vetterling & Flannery, Numerical Recipes, 3rd ed., 2007,
/// sec. 6.2).
double chi_squared_cdf(double x, double df);
/// P(X > x), computed directly (not as 1 - cdf), so that upper tails keep their digits.
double chi_squared_upper(double x, double df);
/// The chi-squared quantile, 0 < p < 1, df > 0; accurate to about 1e-12 relative.
double chi_squared_quantile(double p, double df);

}  // namespace capsim::sim
