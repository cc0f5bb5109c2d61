#include "sim/analytic/birth_death.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace capsim::analytic {

namespace {

void require_process(const BirthDeathProcess& process) {
  if (process.birth.empty() || process.birth.size() != process.death.size()) {
    throw std::invalid_argument(
        "birth-death process: birth and death need the same number (>= 1) of rates, got " +
        std::to_string(process.birth.size()) + " and " + std::to_string(process.death.size()));
  }
  for (const auto* rates : {&process.birth, &process.death}) {
    for (double rate : *rates) {
      if (!(rate > 0) || !std::isfinite(rate)) {
        throw std::invalid_argument("birth-death process: rates must be finite and > 0, got " +
                                    std::to_string(rate));
      }
    }
  }
}

/// `values`, or zeros when empty; throws when neither empty nor of size `size`.
std::vector<double> entries(const std::vector<double>& values, std::size_t size, const char* name) {
  if (values.empty()) return std::vector<double>(size, 0.0);
  if (values.size() != size) {
    throw std::invalid_argument(std::string("birth-death reward: ") + name + " needs " +
                                std::to_string(size) + " entries, got " +
                                std::to_string(values.size()));
  }
  return values;
}

}  // namespace

std::vector<double> stationary_distribution(const BirthDeathProcess& process) {
  require_process(process);
  const std::size_t n = process.states();
  std::vector<double> log_weight(n, 0.0);
  for (std::size_t j = 0; j + 1 < n; ++j) {
    log_weight[j + 1] = log_weight[j] + std::log(process.birth[j]) - std::log(process.death[j]);
  }
  const double top = *std::max_element(log_weight.begin(), log_weight.end());
  std::vector<double> pi(n);
  double total = 0;
  for (std::size_t j = 0; j < n; ++j) total += pi[j] = std::exp(log_weight[j] - top);
  for (double& p : pi) p /= total;
  return pi;
}

AsymptoticMoments asymptotic_moments(const BirthDeathProcess& process, const Reward& reward) {
  const std::vector<double> pi = stationary_distribution(process);
  const std::size_t n = pi.size();
  const auto level = entries(reward.level, n, "level");
  const auto up = entries(reward.up, n - 1, "up");
  const auto down = entries(reward.down, n - 1, "down");
  const auto event_rate = entries(reward.event_rate, n, "event_rate");
  const auto event = entries(reward.event, n, "event");

  // r(i): the expected reward per unit of time in state i.
  std::vector<double> rate(n);
  double mean = 0;
  for (std::size_t i = 0; i < n; ++i) {
    rate[i] = level[i] + event_rate[i] * event[i];
    if (i + 1 < n) rate[i] += process.birth[i] * up[i];
    if (i > 0) rate[i] += process.death[i - 1] * down[i - 1];
    mean += rate[i] * pi[i];
  }
  // G_j from below while the mass below is under a half, from above beyond.
  std::vector<double> below(n - 1), above(n - 1);
  double sum = 0;
  for (std::size_t j = 0; j + 1 < n; ++j) below[j] = sum += (rate[j] - mean) * pi[j];
  sum = 0;
  for (std::size_t j = n - 1; j > 0; --j) above[j - 1] = sum -= (rate[j] - mean) * pi[j];

  double variance = 0, mass = 0;
  for (std::size_t j = 0; j + 1 < n; ++j) {
    mass += pi[j];
    const double flow = process.birth[j] * pi[j];  // = death[j] pi_{j+1}
    if (flow == 0) continue;                       // pi_j underflowed: the cut is never crossed
    const double step = -(mass < 0.5 ? below[j] : above[j]) / flow;
    variance += flow * ((up[j] + step) * (up[j] + step) + (down[j] - step) * (down[j] - step));
  }
  for (std::size_t i = 0; i < n; ++i) variance += event_rate[i] * pi[i] * event[i] * event[i];
  return {mean, variance};
}

}  // namespace capsim::analytic
