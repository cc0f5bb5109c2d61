#include "sim/analytic/gi_m_1.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace capsim::analytic {

namespace {

void require_positive(double value, const char* what, const char* function) {
  if (!(value > 0.0) || !std::isfinite(value)) {  // also rejects NaN
    throw std::invalid_argument(std::string(function) + ": " + what +
                                " must be > 0 and finite, got " + std::to_string(value));
  }
}

void require_fraction(double value, const char* what, const char* function) {
  if (!(value > 0.0 && value < 1.0)) {
    throw std::invalid_argument(std::string(function) + ": " + what + " must be in (0, 1), got " +
                                std::to_string(value));
  }
}

void require_stable(double rho, const char* function) {
  if (!(rho < 1.0)) {
    throw std::domain_error(std::string(function) +
                            ": unstable queue, rho = " + std::to_string(rho) + " must be < 1");
  }
}

}  // namespace

double erlang_transform(int phases, double arrival_rate, double s) {
  if (phases < 1) {
    throw std::invalid_argument("erlang_transform: phases must be >= 1, got " +
                                std::to_string(phases));
  }
  require_positive(arrival_rate, "arrival rate", "erlang_transform");
  const double phase_rate = phases * arrival_rate;
  return std::pow(phase_rate / (phase_rate + s), phases);
}

double gi_m_1_sigma(const InterarrivalTransform& transform, double arrival_rate,
                    double service_rate) {
  require_positive(arrival_rate, "arrival rate", "gi_m_1_sigma");
  require_positive(service_rate, "service rate", "gi_m_1_sigma");
  require_stable(arrival_rate / service_rate, "gi_m_1_sigma");
  // g(sigma) = A*(mu (1 - sigma)) - sigma is convex with g(0) = A*(mu) > 0, g(1) = 0 and
  // g'(1) = 1/rho - 1 > 0, so it is positive below the root and negative between the root and 1:
  // the sign of g at the midpoint says which half holds the root.
  double below = 0.0;  // g > 0
  double above = 1.0;  // g <= 0 (or the trivial root 1)
  for (int i = 0; i < 200 && above - below > 1e-15; ++i) {
    const double middle = 0.5 * (below + above);
    (transform(service_rate * (1.0 - middle)) - middle > 0.0 ? below : above) = middle;
  }
  return 0.5 * (below + above);
}

StationMetrics gi_m_1(double arrival_rate, double service_rate, double sigma) {
  require_positive(arrival_rate, "arrival rate", "gi_m_1");
  require_positive(service_rate, "service rate", "gi_m_1");
  require_stable(arrival_rate / service_rate, "gi_m_1");
  require_fraction(sigma, "sigma", "gi_m_1");
  return exponential_server(arrival_rate, arrival_rate / service_rate, sigma,
                            1.0 / (service_rate * (1.0 - sigma)));
}

double gi_m_1_wait_quantile(double service_rate, double sigma, double q) {
  require_positive(service_rate, "service rate", "gi_m_1_wait_quantile");
  require_fraction(sigma, "sigma", "gi_m_1_wait_quantile");
  require_fraction(q, "q", "gi_m_1_wait_quantile");
  if (q <= 1.0 - sigma) return 0.0;  // the atom at 0 (arrivals finding the server idle)
  return (std::log(sigma) - std::log1p(-q)) / (service_rate * (1.0 - sigma));
}

double gi_m_1_sojourn_quantile(double service_rate, double sigma, double q) {
  require_positive(service_rate, "service rate", "gi_m_1_sojourn_quantile");
  require_fraction(sigma, "sigma", "gi_m_1_sojourn_quantile");
  require_fraction(q, "q", "gi_m_1_sojourn_quantile");
  return -std::log1p(-q) / (service_rate * (1.0 - sigma));
}

namespace {

void require_power_of_d(double rho, int choices, const char* function) {
  require_fraction(rho, "rho", function);
  if (choices < 2) {
    throw std::invalid_argument(std::string(function) + ": choices must be >= 2, got " +
                                std::to_string(choices));
  }
}

}  // namespace

double power_of_d_tail(double rho, int choices, int at_least) {
  require_power_of_d(rho, choices, "power_of_d_tail");
  if (at_least < 0) {
    throw std::invalid_argument("power_of_d_tail: at_least must be >= 0, got " +
                                std::to_string(at_least));
  }
  // (d^i - 1) / (d - 1) = 1 + d + ... + d^(i-1), built by Horner's rule (exact in doubles until
  // it is far past the point where rho^exponent underflows).
  double exponent = 0;
  for (int i = 0; i < at_least; ++i) exponent = exponent * choices + 1;
  return std::pow(rho, exponent);
}

double power_of_d_mean_number(double rho, int choices) {
  require_power_of_d(rho, choices, "power_of_d_mean_number");
  double sum = 0;
  double exponent = 1;  // for i = 1
  for (int i = 1; i < 2000; ++i) {
    const double term = std::pow(rho, exponent);
    sum += term;
    if (term <= 1e-18 * sum) break;
    exponent = exponent * choices + 1;
  }
  return sum;
}

}  // namespace capsim::analytic
