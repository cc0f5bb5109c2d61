#include "sim/statistics.hpp"

#include <cmath>
#include <limits>
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

void Tally::merge(const Tally& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  // Re-express other's sums about this tally's shift: x - shift_ = (x - other.shift_) + delta.
  const double delta = other.shift_ - shift_;
  const auto n = static_cast<double>(other.count_);
  shifted_squares_ += other.shifted_squares_ + 2 * delta * other.shifted_sum_ + n * delta * delta;
  shifted_sum_ += other.shifted_sum_ + n * delta;
  count_ += other.count_;
}

void BatchMeans::merge() {
  for (std::size_t i = 0; i < kBatches / 2; ++i) sums_[i] = sums_[2 * i] + sums_[2 * i + 1];
  full_ = kBatches / 2;
  batch_size_ *= 2;
}

double lag1_autocorrelation(std::span<const double> values) {
  if (values.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double variance = 0;
  double covariance = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    variance += (values[i] - mean) * (values[i] - mean);
    if (i + 1 < values.size()) covariance += (values[i] - mean) * (values[i + 1] - mean);
  }
  if (!(variance > 0)) return std::numeric_limits<double>::quiet_NaN();
  return covariance / variance;
}

}  // namespace capsim::sim
