#include "sim/analytic/fork_join.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace capsim::analytic {

namespace {

void require_stable_mm1(double arrival_rate, double service_rate, const char* function) {
  if (!(arrival_rate > 0) || !std::isfinite(arrival_rate) || !(service_rate > 0) ||
      !std::isfinite(service_rate)) {
    throw std::invalid_argument(std::string(function) + ": rates must be > 0 and finite");
  }
  if (!(arrival_rate < service_rate)) {
    throw std::domain_error(std::string(function) + ": unstable branches, lambda must be < mu");
  }
}

}  // namespace

double harmonic_number(int k) {
  if (k < 1) throw std::invalid_argument("harmonic_number: k must be >= 1");
  double sum = 0;
  for (int i = k; i >= 1; --i) sum += 1.0 / i;  // smallest terms first
  return sum;
}

double fork_join_two_mm1(double arrival_rate, double service_rate) {
  require_stable_mm1(arrival_rate, service_rate, "fork_join_two_mm1");
  const double rho = arrival_rate / service_rate;
  return (12 - rho) / 8 / (service_rate - arrival_rate);
}

double fork_join_mm1_nelson_tantawi(int branches, double arrival_rate, double service_rate) {
  if (branches < 2) {
    throw std::invalid_argument("fork_join_mm1_nelson_tantawi: branches must be >= 2");
  }
  const double exact_two = fork_join_two_mm1(arrival_rate, service_rate);
  const double rho = arrival_rate / service_rate;
  const double scale = harmonic_number(branches) / harmonic_number(2);
  return (scale + (1 - scale) * 4 * rho / 11) * exact_two;
}

}  // namespace capsim::analytic
