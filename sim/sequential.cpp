#include "sim/sequential.hpp"

#include <cmath>

#include "sim/student_t.hpp"

namespace capsim::sim {

double adjusted_relative_error(double gamma) {
  return gamma / (1 + gamma);
}

double relative_half_width(const Estimate& estimate) {
  if (std::isnan(estimate.mean) || std::isnan(estimate.half_width)) return NAN;
  if (estimate.half_width == 0) return 0;
  return estimate.half_width / std::fabs(estimate.mean);
}

std::uint64_t replications_needed(const Estimate& estimate, double target, double confidence) {
  const auto n = static_cast<std::uint64_t>(estimate.replications);
  const double relative = relative_half_width(estimate);
  if (!(relative > target)) return n;
  const double p = 0.5 + confidence / 2;
  const double t_n = student_t_quantile(p, static_cast<double>(n - 1));
  // S / |mean| from the half-width t(n - 1) S / sqrt(n).
  const double spread = relative * std::sqrt(static_cast<double>(n)) / t_n;
  // i = (t(n - 1) spread / target)^2 meets the condition since t(i - 1) <= t(n - 1); the
  // condition only gets easier as i grows, so bisect between n and there.
  const double bound = std::ceil(std::pow(t_n * spread / target, 2));
  if (!(bound < static_cast<double>(kUnreachable))) return kUnreachable;
  auto meets = [&](std::uint64_t i) {
    const auto x = static_cast<double>(i);
    return student_t_quantile(p, x - 1) * spread / std::sqrt(x) <= target;
  };
  std::uint64_t low = n, high = static_cast<std::uint64_t>(bound);  // !meets(low), meets(high)
  while (high - low > 1) {
    const std::uint64_t mid = low + (high - low) / 2;
    (meets(mid) ? high : low) = mid;
  }
  return high;
}

}  // namespace capsim::sim
