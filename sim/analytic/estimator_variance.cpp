#include "sim/analytic/estimator_variance.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/analytic/birth_death.hpp"
#include "sim/analytic/queueing.hpp"
#include "sim/analytic/rate_limit.hpp"

namespace capsim::analytic {

namespace {

void require_positive(double x, const char* what, const char* function) {
  if (!(x > 0) || !std::isfinite(x)) {
    throw std::invalid_argument(std::string(function) + ": " + what +
                                " must be finite and > 0, got " + std::to_string(x));
  }
}

/// The chain of M/M/c/K; with no capacity, cut at c + m where rho^m (1 - rho)^-4 < 1e-18: the
/// variance of L sums terms of order j^2 rho^j, so the tail beyond cannot reach the 15th digit.
BirthDeathProcess mmck_chain(double lambda, double mu, int servers, std::optional<int> capacity) {
  std::size_t top = 0;
  if (capacity) {
    top = static_cast<std::size_t>(*capacity);
  } else {
    const double rho = lambda / (servers * mu);
    if (!(rho < 1)) {
      throw std::domain_error("mmck_estimator_variances: unstable, lambda / (c mu) = " +
                              std::to_string(rho) + " >= 1 with no capacity");
    }
    const double beyond = std::log(1e-18 * std::pow(1 - rho, 4)) / std::log(rho);
    top = static_cast<std::size_t>(servers) + static_cast<std::size_t>(std::ceil(beyond));
  }
  BirthDeathProcess chain{std::vector<double>(top, lambda), std::vector<double>(top)};
  for (std::size_t j = 0; j < top; ++j) {
    chain.death[j] = mu * static_cast<double>(std::min<std::size_t>(j + 1, servers));
  }
  return chain;
}

}  // namespace

StationEstimatorVariances mmck_estimator_variances(double arrival_rate, double service_rate,
                                                   int servers, std::optional<int> capacity) {
  require_positive(arrival_rate, "arrival rate", "mmck_estimator_variances");
  require_positive(service_rate, "service rate", "mmck_estimator_variances");
  if (servers < 1 || (capacity && *capacity < servers)) {
    throw std::invalid_argument("mmck_estimator_variances: need 1 <= servers <= capacity, got " +
                                std::to_string(servers) + " servers");
  }
  const StationMetrics m = capacity ? mmck(arrival_rate, service_rate, servers, *capacity)
                                    : mmc(arrival_rate, service_rate, servers);
  const BirthDeathProcess chain = mmck_chain(arrival_rate, service_rate, servers, capacity);
  const std::size_t n = chain.states();
  const auto c = static_cast<std::size_t>(servers);
  std::vector<double> present(n), waiting(n), busy(n), ones(n - 1, 1.0), must_wait(n - 1, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    present[j] = static_cast<double>(j);
    waiting[j] = static_cast<double>(j > c ? j - c : 0);
    busy[j] = static_cast<double>(std::min(j, c)) / static_cast<double>(c);
  }
  for (std::size_t j = c; j + 1 < n; ++j) must_wait[j] = 1;  // an arrival finds all busy
  auto variance = [&](const Reward& reward) {
    return asymptotic_moments(chain, reward).variance_rate;
  };
  auto scaled = [](std::vector<double> v, double factor, double shift = 0) {
    for (double& x : v) x = factor * x + shift;
    return v;
  };
  const double x = m.throughput;
  StationEstimatorVariances v;
  v.throughput = variance({.down = ones});
  v.utilization = variance({.level = busy});
  v.L = variance({.level = present});
  v.Lq = variance({.level = waiting});
  v.W = variance({.level = present, .down = scaled(ones, -m.W)}) / (x * x);
  v.Wq = variance({.level = waiting, .down = scaled(ones, -m.Wq)}) / (x * x);
  v.p_wait = variance({.up = scaled(must_wait, 1, -m.p_wait)}) / (x * x);
  if (capacity) {
    // Turned away: an event at rate lambda in the full state, leaving it as it is.
    std::vector<double> rate(n, 0.0), turned_away(n, 0.0);
    rate[n - 1] = arrival_rate;
    turned_away[n - 1] = 1 - m.blocking;
    v.blocking =
        variance({.up = scaled(ones, -m.blocking), .event_rate = rate, .event = turned_away}) /
        (arrival_rate * arrival_rate);
  }
  return v;
}

LosslessVariances lossless_station_variances(double arrival_rate, double arrival_scv,
                                             double service_mean, double service_scv, int servers) {
  require_positive(arrival_rate, "arrival rate", "lossless_station_variances");
  require_positive(service_mean, "service mean", "lossless_station_variances");
  if (!(arrival_scv >= 0) || !(service_scv >= 0) || servers < 1) {
    throw std::invalid_argument(
        "lossless_station_variances: need scvs >= 0 and servers >= 1, got " +
        std::to_string(arrival_scv) + ", " + std::to_string(service_scv) + ", " +
        std::to_string(servers));
  }
  if (!(arrival_rate * service_mean < servers)) {
    throw std::domain_error("lossless_station_variances: unstable, lambda E[S] / c >= 1");
  }
  const double c = servers;
  return {arrival_rate * arrival_scv,
          arrival_rate * service_mean * service_mean * (service_scv + arrival_scv) / (c * c)};
}

double mg1_p_wait_variance(double arrival_rate, double service_mean, double service_scv) {
  require_positive(arrival_rate, "arrival rate", "mg1_p_wait_variance");
  require_positive(service_mean, "service mean", "mg1_p_wait_variance");
  const double rho = arrival_rate * service_mean;
  if (!(rho < 1)) throw std::domain_error("mg1_p_wait_variance: unstable, rho >= 1");
  const double second_moment = service_mean * service_mean * (1 + service_scv);
  return (rho * (1 - rho) + arrival_rate * arrival_rate * second_moment) / arrival_rate;
}

FixedWindowVariances fixed_window_variances(double arrival_rate, double window,
                                            std::int64_t limit) {
  require_positive(arrival_rate, "arrival rate", "fixed_window_variances");
  require_positive(window, "window", "fixed_window_variances");
  if (limit < 1) throw std::invalid_argument("fixed_window_variances: limit must be >= 1");
  const double mean = arrival_rate * window;
  const std::vector<double> pmf = poisson_pmf_table(mean);
  double admitted = 0, admitted_squares = 0;
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    const double m =
        static_cast<double>(std::min<std::int64_t>(static_cast<std::int64_t>(k), limit));
    admitted += m * pmf[k];
    admitted_squares += m * m * pmf[k];
  }
  // The table ends where the mass is below 1e-25: beyond it M = limit.
  const double r = 1 - admitted / mean;
  double spread = 0;  // E[((1 - r) N - M)^2]; its mean is 0
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    const double m =
        static_cast<double>(std::min<std::int64_t>(static_cast<std::int64_t>(k), limit));
    const double d = (1 - r) * static_cast<double>(k) - m;
    spread += d * d * pmf[k];
  }
  return {(admitted_squares - admitted * admitted) / window,
          spread / (window * arrival_rate * arrival_rate)};
}

}  // namespace capsim::analytic
