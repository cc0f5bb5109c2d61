#pragma once
// Streaming statistics: per-request observations (Tally), time-weighted levels (TimeAverage),
// and summaries across independent replications (Estimate).

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>

namespace capsim::sim {

/// Running count, mean and variance of observations, from sums about a shift (the first
/// observation): no cancellation when the mean is large against the spread, and no division per
/// observation as in Welford's update (Chan, Golub & LeVeque, "Algorithms for computing the
/// sample variance", 1983). The mean is (n shift + sum) / n, so exact data give exact means.
class Tally final {
 public:
  void add(double x) {
    if (count_ == 0) shift_ = x;
    ++count_;
    const double d = x - shift_;
    shifted_sum_ += d;
    shifted_squares_ += d * d;
  }
  void reset() { *this = Tally{}; }
  /// Adds every observation of `other`, as if they had been added here (Chan, Golub & LeVeque's
  /// pairwise update); merging into an empty tally copies `other` exactly.
  void merge(const Tally& other);
  std::uint64_t count() const { return count_; }
  /// NaN when empty.
  double mean() const {
    if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
    const auto n = static_cast<double>(count_);
    return (shift_ * n + shifted_sum_) / n;
  }
  /// Sample variance (n - 1 denominator); NaN with fewer than two observations.
  double variance() const {
    if (count_ < 2) return std::numeric_limits<double>::quiet_NaN();
    const auto n = static_cast<double>(count_);
    return std::max(0.0, (shifted_squares_ - shifted_sum_ * shifted_sum_ / n) / (n - 1));
  }

 private:
  std::uint64_t count_ = 0;
  double shift_ = 0;
  double shifted_sum_ = 0;      // of x - shift_
  double shifted_squares_ = 0;  // of (x - shift_)^2
};

/// Time average of a piecewise-constant level, such as the number of requests in a queue.
/// The integral is exact: the level is constant between updates.
class TimeAverage final {
 public:
  /// Changes the level at time `now` (>= the previous update).
  void set(double now, double level) {
    area_ += level_ * (now - last_change_);
    last_change_ = now;
    level_ = level;
  }
  void add(double now, double delta) { set(now, level_ + delta); }
  /// Restarts the average at `now`, keeping the current level (end of warm-up).
  void reset(double now) {
    area_ = 0;
    start_ = now;
    last_change_ = now;
  }
  double level() const { return level_; }
  /// Average over [reset time, now]; NaN over an empty interval.
  double mean(double now) const {
    const double span = now - start_;
    if (!(span > 0)) return std::numeric_limits<double>::quiet_NaN();
    return (area_ + level_ * (now - last_change_)) / span;
  }

 private:
  double level_ = 0;
  double area_ = 0;
  double start_ = 0;
  double last_change_ = 0;
};

/// Batch means of a series of observations (a replication's sojourn times, in the order
/// requests leave), in bounded memory and without allocating: the series is cut into between
/// kBatches / 2 and kBatches equal consecutive batches, the batch size doubling (neighbours
/// merging) whenever kBatches are full; a trailing partial batch is left out. Their means tell
/// whether an interval built on the series' mean can be trusted (see lag1_autocorrelation).
class BatchMeans final {
 public:
  static constexpr std::size_t kBatches = 64;

  void add(double x) {
    partial_ += x;
    ++count_;
    if (++in_partial_ == batch_size_) {
      sums_[full_++] = partial_;
      partial_ = 0;
      in_partial_ = 0;
      if (full_ == kBatches) merge();
    }
  }
  void reset() { *this = BatchMeans{}; }
  std::uint64_t count() const { return count_; }
  /// Complete batches (kBatches / 2 to kBatches - 1 once there are kBatches observations).
  std::size_t batches() const { return full_; }
  std::uint64_t batch_size() const { return batch_size_; }
  double mean(std::size_t batch) const { return sums_[batch] / static_cast<double>(batch_size_); }

 private:
  void merge();

  std::array<double, kBatches> sums_{};  // sums of the complete batches, oldest first
  std::size_t full_ = 0;
  std::uint64_t batch_size_ = 1;
  std::uint64_t in_partial_ = 0;
  double partial_ = 0;
  std::uint64_t count_ = 0;
};

/// Lag-1 autocorrelation of a series (sum of (x_i - m)(x_i+1 - m) over sum of (x_i - m)^2);
/// NaN with fewer than two values or when all are equal. For batch means it is near 0 when a
/// batch is much longer than the system's relaxation time, near 1 when the system has not
/// forgotten its state over several batches (a queue near saturation): then a replication's
/// mean is far from normal and, in effect, few.
double lag1_autocorrelation(std::span<const double> values);

/// A mean with its confidence interval across independent replications.
struct Estimate {
  double mean = std::numeric_limits<double>::quiet_NaN();
  /// Half-width of the Student-t interval; NaN if any replication had no value.
  double half_width = std::numeric_limits<double>::quiet_NaN();
  std::size_t replications = 0;

  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
};

/// Student-t confidence interval (two-sided, `confidence` in (0, 1)) over per-replication values.
/// Needs at least two values; a NaN value makes mean and half-width NaN.
Estimate estimate(std::span<const double> values, double confidence = 0.95);

}  // namespace capsim::sim
