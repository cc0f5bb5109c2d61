#include "sim/zipf.hpp"

#include <cassert>
#include <cmath>

namespace capsim::sim {

namespace {

// Below this |x| the series are used: log1p(x)/x and expm1(x)/x lose all precision near 0,
// which is where alpha = 1 (or a rank near 1) puts them.
constexpr double kSeriesThreshold = 1e-8;

// log(1 + x) / x, continuous at x = 0.
double log1p_over_x(double x) {
  if (std::fabs(x) > kSeriesThreshold) return std::log1p(x) / x;
  return 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

// (exp(x) - 1) / x, continuous at x = 0.
double expm1_over_x(double x) {
  if (std::fabs(x) > kSeriesThreshold) return std::expm1(x) / x;
  return 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

}  // namespace

ZipfSampler::ZipfSampler(std::uint64_t count, double alpha) : count_(count), alpha_(alpha) {
  assert(count >= 1 && alpha >= 0);
  integral_low_ = hat_integral(1.5) - 1;
  integral_high_ = hat_integral(static_cast<double>(count) + 0.5);
  squeeze_ = 2 - hat_integral_inverse(hat_integral(2.5) - hat(2));
}

double ZipfSampler::hat(double x) const {
  return std::exp(-alpha_ * std::log(x));
}

// (x^(1-alpha) - 1) / (1 - alpha), written so that alpha = 1 gives log(x) without a division by 0.
double ZipfSampler::hat_integral(double x) const {
  const double log_x = std::log(x);
  return expm1_over_x((1 - alpha_) * log_x) * log_x;
}

double ZipfSampler::hat_integral_inverse(double x) const {
  double t = x * (1 - alpha_);
  // Rounding can push t just below -1, where log1p is undefined; -1 is the exact limit (x -> 0).
  if (t < -1) t = -1;
  return std::exp(log1p_over_x(t) * x);
}

std::uint64_t ZipfSampler::sample(Rng& rng) const {
  // Zipf(0) is uniform: the same draws as a uniform key space, and no transcendental functions.
  if (alpha_ == 0) return rng.below(count_);
  const double last = static_cast<double>(count_);
  while (true) {
    // u is uniform over (H(1.5) - 1, H(count + 0.5)); H^-1(u) lies in (0.5, count + 0.5) and its
    // nearest integer k is the candidate rank. The area under the hat over [k - 0.5, k + 0.5]
    // exceeds the probability of k, so k is accepted with probability h(k) / that area.
    const double u = integral_high_ + rng.uniform_open() * (integral_low_ - integral_high_);
    const double x = hat_integral_inverse(u);
    double k = std::floor(x + 0.5);
    if (k < 1) {
      k = 1;
    } else if (k > last) {
      k = last;
    }
    // The squeeze accepts most candidates without evaluating H again.
    if (k - x <= squeeze_ || u >= hat_integral(k + 0.5) - hat(k)) {
      return static_cast<std::uint64_t>(k) - 1;
    }
  }
}

}  // namespace capsim::sim
