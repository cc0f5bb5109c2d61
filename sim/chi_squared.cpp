#include "sim/chi_squared.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

namespace capsim::sim {

namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
constexpr int kMaxTerms = 100000;

std::string num(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", x);
  return buffer;
}

void require_arguments(double x, double df, const char* function) {
  if (!(df > 0.0)) {
    throw std::invalid_argument(std::string(function) + ": degrees of freedom must be > 0, got " +
                                num(df));
  }
  if (!(x >= 0.0)) {
    throw std::invalid_argument(std::string(function) + ": x must be >= 0, got " + num(x));
  }
}

/// e^-x x^a / Gamma(a), the factor both expansions share, in logarithms against overflow.
double prefactor(double a, double x) {
  return std::exp(a * std::log(x) - x - std::lgamma(a));
}

/// P(a, x) by the series sum x^n / (a (a+1) ... (a+n)); converges fast for x < a + 1.
double lower_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < kMaxTerms && std::fabs(term) > std::fabs(sum) * kEpsilon; ++n) {
    term *= x / (a + n);
    sum += term;
  }
  return sum * prefactor(a, x);
}

/// Q(a, x) by its continued fraction, evaluated by the modified Lentz method; for x >= a + 1.
double upper_fraction(double a, double x) {
  constexpr double tiny = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / tiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < kMaxTerms; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) <= kEpsilon) break;
  }
  return h * prefactor(a, x);
}

}  // namespace

double chi_squared_cdf(double x, double df) {
  require_arguments(x, df, "chi_squared_cdf");
  const double a = df / 2, half = x / 2;
  if (half == 0) return 0;
  return half < a + 1 ? lower_series(a, half) : 1.0 - upper_fraction(a, half);
}

double chi_squared_upper(double x, double df) {
  require_arguments(x, df, "chi_squared_upper");
  const double a = df / 2, half = x / 2;
  if (half == 0) return 1;
  return half < a + 1 ? 1.0 - lower_series(a, half) : upper_fraction(a, half);
}

double chi_squared_quantile(double p, double df) {
  if (!(p > 0.0 && p < 1.0)) {
    throw std::invalid_argument("chi_squared_quantile: probability must be in (0, 1), got " +
                                num(p));
  }
  require_arguments(0, df, "chi_squared_quantile");
  // Bisection on the tail that is the smaller, so that p near 1 keeps its digits: robust, and
  // the quantile is needed a few times per test, not per event.
  const bool upper = p > 0.5;
  const double target = upper ? 1.0 - p : p;
  auto tail = [&](double x) { return upper ? chi_squared_upper(x, df) : chi_squared_cdf(x, df); };
  double low = 0, high = df + 10.0;
  while (upper ? tail(high) > target : tail(high) < target) high *= 2;
  for (int i = 0; i < 200 && high - low > 1e-13 * high; ++i) {
    const double middle = 0.5 * (low + high);
    const bool below = upper ? tail(middle) > target : tail(middle) < target;
    (below ? low : high) = middle;
  }
  return 0.5 * (low + high);
}

}  // namespace capsim::sim
