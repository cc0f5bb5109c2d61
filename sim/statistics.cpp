#include "sim/statistics.hpp"

#include <cmath>
#include <stdexcept>

#include "sim/student_t.hpp"

namespace capsim::sim {

Estimate estimate(std::span<const double> values, double confidence) {
  if (values.size() < 2) throw std::invalid_argument("estimate: needs at least two replications");
  Estimate result;
  result.replications = values.size();
  // Sum in replication order so the result does not depend on which thread ran what.
  double sum = 0;
  for (double v : values) sum += v;
  const auto n = static_cast<double>(values.size());
  const double mean = sum / n;
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double standard_error = std::sqrt(squares / (n - 1) / n);
  result.mean = mean;
  result.half_width = student_t_quantile(0.5 + confidence / 2, n - 1) * standard_error;
  return result;
}

}  // namespace capsim::sim
