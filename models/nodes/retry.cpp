#include "models/nodes/retry.hpp"

#include <algorithm>
#include <cmath>

namespace capsim::models {

double Backoff::ceiling(std::uint32_t retry) const {
  if (config_.kind == BackoffKind::fixed) return std::min(config_.base, config_.max);
  // ldexp overflows to infinity rather than wrapping, and min() then gives the cap.
  return std::min(
      config_.max,
      std::ldexp(config_.base, static_cast<int>(std::min<std::uint32_t>(retry - 1, 2048))));
}

double Backoff::delay(std::uint32_t retry, sim::Rng& rng) const {
  const double wait = ceiling(retry);
  switch (config_.jitter) {
    case Jitter::none:
      return wait;
    case Jitter::full:
      return wait * rng.uniform_open();
    case Jitter::equal:
      return wait / 2 + wait / 2 * rng.uniform_open();
  }
  return wait;
}

void RetryBudget::expire(sim::RingQueue<double>& times, double before) {
  while (!times.empty() && times.front() <= before) times.pop_front();
}

bool RetryBudget::try_retry(double now) {
  expire(firsts_, now - window_);
  expire(retries_, now - window_);
  // The tolerance keeps the rounding of ratio * count (0.57 * 100 = 56.99999999999999) from
  // costing a retry the budget allows.
  constexpr double kRounding = 1e-9;
  if (static_cast<double>(retries_.size() + 1) >
      ratio_ * static_cast<double>(firsts_.size()) + kRounding) {
    return false;
  }
  retries_.push_back(now);
  return true;
}

}  // namespace capsim::models
